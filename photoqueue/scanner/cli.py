"""``photoqueue decode [--json] IMAGE...``: the codes in image files, and the time spent decoding."""

from __future__ import annotations

import json
import os
import sys


def add_commands(sub) -> None:
    p = sub.add_parser("decode", help="read the QR codes in image files",
                       description="Read the QR codes in image files with the station's decoding pipeline.")
    p.add_argument("--json", action="store_true",
                   help='one JSON object a line: {"path": ..., "codes": [text, ...], "ms": float}')
    p.add_argument("--decoder", choices=("pipeline", "zxing", "zbar"), default="pipeline",
                   help="the full pipeline (default) or one raw decoder")
    p.add_argument("--budget-ms", type=float, default=500.0,
                   help="time the retries may spend on one image (default 500: a still is not a live frame)")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=run_decode)


def run_decode(args) -> int:
    from photoqueue.scanner.pipeline import make_pipeline
    from photoqueue.scanner.settings import ScannerError
    from photoqueue.scanner.sources import load_gray

    pipeline = make_pipeline(args.decoder, args.budget_ms)
    status = 0
    for path in args.images:
        try:
            if os.path.isdir(path):  # load_gray would call it missing
                raise ScannerError(f"{path}: is a directory, not an image file (name the images in it)")
            gray = load_gray(path)
        except ScannerError as exc:
            status = 1
            if args.json:
                print(json.dumps({"path": path, "codes": [], "ms": 0.0, "error": str(exc)}, ensure_ascii=False))
            else:
                print(f"photoqueue decode: {exc}", file=sys.stderr)
            continue
        result = pipeline.decode(gray)
        if args.json:
            print(json.dumps({"path": path, "codes": result.texts, "ms": round(result.ms, 3)}, ensure_ascii=False))
        else:
            codes = " | ".join(result.texts) if result.texts else "(no code)"
            print(f"{path}\t{result.ms:.1f} ms\t{codes}")
    return status
