"""``photoqueue decode [--json] IMAGE...``: the codes in image files, and the time spent decoding.

A frame may come with its high-resolution companion, paired by name: ``frame.png`` and
``frame.hires.png`` (any image suffix) in the same folder are the lores and main streams of one moment,
as picamera2 gives them. The pipeline then retries an unread region on the companion, as the station's
``hires_retry`` does; the companion is read only if the pipeline asks for it. A companion named on the
command line is not decoded as a frame of its own.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HIRES_TAG = ".hires"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def add_commands(sub) -> None:
    p = sub.add_parser("decode", help="read the QR codes in image files",
                       description="Read the QR codes in image files with the station's decoding pipeline. "
                                   "FRAME.hires.png beside FRAME.png is its high-resolution companion.")
    p.add_argument("--json", action="store_true",
                   help='one JSON object a line: {"path": ..., "codes": [text, ...], "ms": float, ...}')
    p.add_argument("--decoder", choices=("pipeline", "zxing", "zbar"), default="pipeline",
                   help="the full pipeline (default) or one raw decoder")
    p.add_argument("--budget-ms", type=float, default=500.0,
                   help="time the retries may spend on one image (default 500: a still is not a live frame)")
    p.add_argument("--no-hires", action="store_true",
                   help="ignore the FRAME.hires.* companions (the lores frame alone)")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=run_decode)


def is_companion(path: str | Path) -> bool:
    """``frame.hires.png``: the high-resolution companion of ``frame.png``."""
    return Path(path).stem.endswith(HIRES_TAG)


def companion_of(path: str | Path) -> Path | None:
    """The high-resolution companion beside ``path`` (same stem + ``.hires``, any image suffix), or None."""
    p = Path(path)
    for suffix in (p.suffix, *IMAGE_SUFFIXES):
        c = p.with_name(p.stem + HIRES_TAG + suffix)
        if c.is_file():
            return c
    return None


def _frame_of(companion: str | Path) -> Path | None:
    p = Path(companion)
    stem = p.stem[: -len(HIRES_TAG)]
    for suffix in (p.suffix, *IMAGE_SUFFIXES):
        if p.with_name(stem + suffix).is_file():
            return p.with_name(stem + suffix)
    return None


def run_decode(args) -> int:
    from photoqueue.scanner.pipeline import make_pipeline
    from photoqueue.scanner.settings import ScannerError
    from photoqueue.scanner.sources import load_gray

    pipeline = make_pipeline(args.decoder, args.budget_ms)
    status = 0
    for path in args.images:
        if is_companion(path) and _frame_of(path) is not None:
            continue  # decoded with its frame
        companion = None if args.no_hires else companion_of(path)
        capture: dict = {}

        def hires(companion=companion, capture=capture):
            start = time.perf_counter()
            try:
                big = load_gray(companion)
            except ScannerError as exc:
                capture["error"] = str(exc)
                return None
            finally:
                capture["ms"] = (time.perf_counter() - start) * 1000.0
            return big

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
        result = pipeline.decode(gray, hires=hires if companion else None)
        if "error" in capture:
            status = 1
            print(f"photoqueue decode: {capture['error']}", file=sys.stderr)
        if args.json:
            line = {"path": path, "codes": result.texts, "ms": round(result.ms, 3)}
            if companion:
                line.update(hires=str(companion), hires_read="ms" in capture, stage=result.stage)
            print(json.dumps(line, ensure_ascii=False))
        else:
            codes = " | ".join(result.texts) if result.texts else "(no code)"
            extra = f"\t(+ {companion.name}{', read' if 'ms' in capture else ''})" if companion else ""
            print(f"{path}\t{result.ms:.1f} ms\t{codes}{extra}")
    return status
