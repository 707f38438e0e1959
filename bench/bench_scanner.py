"""Scanner benchmark: decode rate and median/p95 ms per frame for raw pyzbar, raw zxing-cpp and the pipeline.

Three sets: the real corpus (../shared/corpus/qr-photos, 179 photos), generated phone-screen frames
with a code, and generated frames without a code (the idle cost, paid on every camera frame).
Goals: without a code, the pipeline's median within 1.5x raw zxing-cpp's; with a code, the
pipeline's median below raw pyzbar's.

    python bench/bench_scanner.py [--frames N] [--seed S] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from common import table

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "../shared/corpus/qr-photos"


def raw_pyzbar():
    from pyzbar import pyzbar

    def run(gray):
        return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])]
    return run


def raw_zxing():
    import zxingcpp

    def run(gray):
        return [b.text for b in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)]
    return run


def pipeline():
    from photoqueue.scanner.pipeline import Pipeline

    p = Pipeline()
    return lambda gray: p.decode(gray).texts


def load_sets(frames: int, seed: int) -> dict[str, list[tuple[np.ndarray, str | None]]]:
    from photoqueue.demo import phone_frames as synth

    corpus = []
    for folder in sorted(CORPUS.glob("qrcode-*")):
        for png in sorted(folder.glob("*.png"), key=lambda p: int(p.stem)):
            corpus.append((cv2.imread(str(png), cv2.IMREAD_GRAYSCALE),
                           png.with_suffix(".txt").read_bytes().decode("utf-8")))
    return {
        "corpus (179 photos)": corpus,
        f"generated, code ({frames})": [(f.image, f.text) for f in synth.frames(frames, seed=seed)],
        f"generated, no code ({frames})": [(f.image, None) for f in synth.frames(frames, seed=seed + 500_000,
                                                                                 with_code=False)],
    }


def measure(decode, items) -> dict:
    times, right, false = [], 0, 0
    decode(items[0][0])  # warm up
    for gray, expected in items:
        t = time.perf_counter()
        texts = decode(gray)
        times.append((time.perf_counter() - t) * 1000.0)
        if expected is None:
            false += bool(texts)
        else:
            right += expected in texts
    with_code = sum(e is not None for _, e in items)
    return {"rate": right / with_code if with_code else None, "false_reads": false,
            "median_ms": statistics.median(times), "p95_ms": float(np.percentile(times, 95))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=200, help="generated frames per set (default 200)")
    ap.add_argument("--seed", type=int, default=900_000)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"bench_scanner: the corpus is missing at {CORPUS.resolve()}", file=sys.stderr)
        return 2
    sets = load_sets(args.frames, args.seed)
    decoders = {"raw pyzbar": raw_pyzbar(), "raw zxing-cpp": raw_zxing(), "pipeline": pipeline()}
    results = {s: {d: measure(fn, items) for d, fn in decoders.items()} for s, items in sets.items()}

    print("Scanner: decode rate and ms per frame (one core)\n")
    rows = []
    for s_name, row in results.items():
        zx, zb = row["raw zxing-cpp"]["median_ms"], row["raw pyzbar"]["median_ms"]
        for d, r in row.items():
            rate = "-" if r["rate"] is None else f"{r['rate']:.1%}"
            rows.append([s_name, d, rate, r["false_reads"], round(r["median_ms"], 2), round(r["p95_ms"], 2),
                         f"{r['median_ms'] / zx:.2f}x", f"{r['median_ms'] / zb:.2f}x"])
    print(table(["set", "decoder", "read right", "false reads", "median ms", "p95 ms", "median / zxing",
                 "median / pyzbar"], rows))
    print()
    idle = results[f"generated, no code ({args.frames})"]
    code = results[f"generated, code ({args.frames})"]
    idle_ratio = idle["pipeline"]["median_ms"] / idle["raw zxing-cpp"]["median_ms"]
    code_ratio = code["pipeline"]["median_ms"] / code["raw pyzbar"]["median_ms"]
    print(f"goal: no-code median within 1.5x raw zxing-cpp: {idle_ratio:.2f}x "
          f"{'OK' if idle_ratio <= 1.5 else 'MISSED'}")
    print(f"goal: with-code median below raw pyzbar's: {code_ratio:.2f}x {'OK' if code_ratio < 1 else 'MISSED'}")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
