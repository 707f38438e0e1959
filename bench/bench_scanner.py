"""Scanner benchmark: read rates by difficulty on two independent generators, showings read within 3 frames,
the idle cost, the real corpus, and the high-resolution retry; against raw zxing-cpp and raw pyzbar.

Sets (all generated here, from seeds no tuning used: tuning used 10_000..29_999):
- generator A (photoqueue/demo/phone_frames.py, levels by module size) and generator B
  (photoqueue/demo/phone_frames_optics.py, its own easy/medium/hard): single frames;
- showings of 10 frames at 30 fps that come up shaky and steady (A: phone_frames_shaky, B: sequence);
  "<=3" is read in one of the first three frames (100 ms); the pipeline is run as the station runs it,
  with the last frames combined (TemporalPipeline), and alone;
- code-free frames of both generators: the idle cost (median ms against raw zxing-cpp) and false codes;
- the corpus (../shared/corpus/qr-photos, 179 real photos);
- B's frames paired with a main-stream companion (3x): lores alone against lores + hires.

    python bench/bench_scanner.py [--scale F] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
from common import pct, table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO / "../shared/corpus/qr-photos"
LEVELS = ("easy", "medium", "hard")
SEED = 900_000  # the report's seeds: 900_000 and up
# CPU time of the decoding thread, for the figures and the pipeline's budgets alike: the machine is shared, and
# wall time would charge the decoders for what the other processes run (on a quiet machine they agree)
CLOCK = time.thread_time


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


def pipeline_fn():
    from photoqueue.scanner.pipeline import Pipeline

    p = Pipeline(clock=CLOCK)
    return lambda gray: p.decode(gray).texts


DECODERS = {"raw pyzbar": raw_pyzbar, "raw zxing-cpp": raw_zxing, "pipeline": pipeline_fn}


class Tally:
    def __init__(self):
        self.times: list[float] = []
        self.right = self.total = self.false = 0

    def add(self, texts, expected, ms):
        self.times.append(ms)
        self.false += sum(t != expected for t in texts)
        if expected is not None:
            self.total += 1
            self.right += expected in texts


def timed(fn, gray):
    t = CLOCK()
    texts = fn(gray)
    return texts, (CLOCK() - t) * 1000.0


def singles(decoders, frames) -> dict:
    """{(level, decoder): Tally} over (image, text, level) frames."""
    out: dict = {}
    for image, text, level in frames:
        for name, fn in decoders.items():
            texts, ms = timed(fn, image)
            for lv in (level, "all"):
                out.setdefault((lv, name), Tally()).add(texts, text, ms)
    return out


def showings(decoders, make_sequences, count: int) -> dict:
    """{(level, decoder): [first frame read or None, ...]}; frames are made once, as far as any decoder needs."""
    from photoqueue.scanner.pipeline import Pipeline
    from photoqueue.scanner.temporal import TemporalPipeline

    out: dict = {}
    false = dict.fromkeys([*decoders, "pipeline alone"], 0)
    for level, seq in make_sequences(count):
        frames = _Lazy(seq)
        temporal = TemporalPipeline(Pipeline(clock=CLOCK), clock=CLOCK)
        runners = {**{n: (lambda img, _i, fn=fn: fn(img)) for n, fn in decoders.items() if n != "pipeline"},
                   "pipeline": lambda img, i, t=temporal: t.decode(img, now=i / 30.0).texts,
                   "pipeline alone": lambda img, _i: decoders["pipeline"](img)}
        for name, run in runners.items():
            first = None
            for i in range(10):
                f = frames[i]
                if f is None:
                    break
                texts = run(f.image, i)
                false[name] += sum(t != f.text for t in texts)
                if f.text in texts:
                    first = i
                    break
            for lv in (level, "all"):
                out.setdefault((lv, name), []).append(first)
    return out, false


class _Lazy:
    """A showing's frames, made once and only as far as some decoder needs them."""

    def __init__(self, seq):
        self._seq, self._frames = seq, []

    def __getitem__(self, i: int):
        while len(self._frames) <= i:
            self._frames.append(next(self._seq, None))
        return self._frames[i]


def sequences_a(count: int):
    from photoqueue.demo import phone_frames_shaky as shaky

    for k in range(count):
        seq = shaky.sequence(SEED + 50_000 + k)
        first = next(seq)
        yield first.conditions["level"], _chain(first, seq)


def sequences_b(count: int):
    from photoqueue.demo import phone_frames_optics as optics

    for k in range(count):
        level = LEVELS[k % 3]
        yield level, optics.sequence(SEED + 50_000 + k, level)


def _chain(first, rest):
    yield first
    yield from rest


def frames_a(n: int):
    from photoqueue.demo import phone_frames as gen_a
    from photoqueue.demo.phone_frames_shaky import level_of

    for k in range(n):
        f = gen_a.generate(SEED + k)
        yield f.image, f.text, level_of(f.conditions["px_per_module"])


def frames_b(n: int):
    from photoqueue.demo import phone_frames_optics as optics

    for k in range(n):
        level = LEVELS[k % 3]
        f = optics.generate(SEED + k, level)
        yield f.image, f.text, level


def idle_frames(n: int):
    from photoqueue.demo import phone_frames as gen_a
    from photoqueue.demo import phone_frames_optics as optics

    for k in range(n // 2):
        yield gen_a.generate(SEED + 80_000 + k, with_code=False).image, None, "A"
        yield optics.generate(SEED + 80_000 + k, LEVELS[k % 3], with_code=False).image, None, "B"


def corpus_frames():
    for folder in sorted(CORPUS.glob("qrcode-*")):
        for png in sorted(folder.glob("*.png"), key=lambda p: int(p.stem)):
            yield cv2.imread(str(png), cv2.IMREAD_GRAYSCALE), png.with_suffix(".txt").read_bytes().decode(), "corpus"


def hires_pairs(n: int) -> dict:
    """Lores alone against lores + the main-stream companion, on B's paired frames."""
    from photoqueue.demo import phone_frames_optics as optics
    from photoqueue.scanner.pipeline import Pipeline

    p = Pipeline(clock=CLOCK)
    res = {"lores": [0, []], "lores+hires": [0, []], "captures": 0, "capture_ms": [], "n": n}
    for k in range(n):
        frame, big = optics.hires_pair(SEED + 90_000 + k, LEVELS[k % 3])
        texts, ms = timed(lambda g: p.decode(g).texts, frame.image)
        res["lores"][0] += frame.text in texts
        res["lores"][1].append(ms)
        asked = []

        def capture(big=big, asked=asked):
            t = CLOCK()
            y = big.copy()  # what picamera2 hands over: the Y plane, copied out of its buffer
            asked.append((CLOCK() - t) * 1000.0)
            return y

        texts, ms = timed(lambda g, capture=capture: p.decode(g, hires=capture).texts, frame.image)
        res["lores+hires"][0] += frame.text in texts
        res["lores+hires"][1].append(ms)
        res["captures"] += bool(asked)
        res["capture_ms"] += asked
    return res


def rate(t: Tally) -> str:
    return f"{t.right / t.total:.0%}" if t.total else "-"


def within(firsts: list, k: int) -> int:
    return sum(f is not None and f < k for f in firsts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the default set sizes (default 1)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"bench_scanner: the corpus is missing at {CORPUS.resolve()}", file=sys.stderr)
        return 2
    n_single, n_seq, n_idle, n_pairs = (max(3, int(v * args.scale)) for v in (300, 60, 200, 30))
    start = time.perf_counter()
    decoders = {name: make() for name, make in DECODERS.items()}
    single = {"A": singles(decoders, frames_a(n_single // 2)), "B": singles(decoders, frames_b(n_single))}
    seqs, seq_false = {}, {}
    for g, make in (("A", sequences_a), ("B", sequences_b)):
        seqs[g], seq_false[g] = showings(decoders, make, n_seq)
    idle = singles(decoders, idle_frames(n_idle))
    corpus = singles(decoders, corpus_frames())
    pairs = hires_pairs(n_pairs)
    ratio = report(single, seqs, seq_false, idle, corpus, pairs)
    print(f"(seeds {SEED}+; {time.perf_counter() - start:.0f} s)")
    if args.json:
        print(json.dumps({
            "single": {g: {f"{lv}/{d}": [t.right, t.total] for (lv, d), t in v.items()} for g, v in single.items()},
            "showings": {g: {f"{lv}/{d}": f for (lv, d), f in v.items()} for g, v in seqs.items()},
            "idle_ratio": ratio, "hires": {k: pairs[k] for k in ("captures", "n")},
        }))
    return 0


def report(single, seqs, seq_false, idle, corpus, pairs) -> float:
    """Prints the tables and the goals; returns the code-free median ratio."""
    print("Scanner: read rates by level, showings read within 3 frames (100 ms at 30 fps), idle cost\n")
    rows = []
    for g in ("A", "B"):
        for lv in (*LEVELS, "all"):
            row = [f"{g} {lv}"]
            for name in DECODERS:
                row.append(rate(single[g][(lv, name)]) if (lv, name) in single[g] else "-")
            seq_row = []
            for name in (*DECODERS, "pipeline alone"):
                firsts = seqs[g].get((lv, name), [])
                seq_row.append(f"{within(firsts, 3)}/{len(firsts)}")
            firsts = seqs[g].get((lv, "pipeline"), [])
            rows.append(row + [single[g][(lv, "pipeline")].total if (lv, "pipeline") in single[g] else 0]
                        + seq_row + [f"{within(firsts, 10)}/{len(firsts)}"])
    print(table(["generator, level", "pyzbar", "zxing-cpp", "pipeline", "frames",
                 "<=3: pyzbar", "<=3: zxing-cpp", "<=3: pipeline", "<=3: pipeline alone", "pipeline <=10"], rows))
    print()
    rows = []
    for name in DECODERS:
        t_all = idle[("A", name)].times + idle[("B", name)].times
        false = sum(single[g][("all", name)].false + seq_false[g][name] + idle[(g, name)].false for g in ("A", "B"))
        rows.append([name, rate(corpus[("all", name)]),
                     *(statistics.median(idle[(g, name)].times) / statistics.median(idle[(g, "raw zxing-cpp")].times)
                       for g in ("A", "B")),
                     statistics.median(t_all), pct(t_all, 95), false])
    print(table(["decoder", "corpus (179 photos)", "code-free A / zxing-cpp", "code-free B / zxing-cpp",
                 "code-free median ms (both)", "p95 ms", "false codes"], rows))
    print("(a false code: any read of a code-free frame, or a text other than the one code a generated frame"
          " shows; the raw decoders' are their charset guesses of UTF-8 payloads. The corpus is left out: one"
          " photo holds two codes.)")
    print()
    lo, hi = pairs["lores"], pairs["lores+hires"]
    n = pairs["n"]
    cap = pairs["capture_ms"]
    print(table(["B, paired frames (lores 640x480 + main 1920x1440)", "read", "median ms", "p95 ms"], [
        ["lores alone", f"{lo[0]}/{n}", statistics.median(lo[1]), pct(lo[1], 95)],
        ["lores + hires retry", f"{hi[0]}/{n}", statistics.median(hi[1]), pct(hi[1], 95)],
        [f"main-stream captures asked ({pairs['captures']}/{n} frames), hand-over ms",
         "-", statistics.median(cap) if cap else 0.0, pct(cap, 95) if cap else 0.0],
    ]))
    print()
    b_all = single["B"][("all", "pipeline")]
    b_seq = seqs["B"][("all", "pipeline")]
    # per generator: the two sets cost different amounts (A's frames are busier), and a median pooled over two
    # humps lands wherever the few frames between them fall
    ratio = max(statistics.median(idle[(g, "pipeline")].times) / statistics.median(idle[(g, "raw zxing-cpp")].times)
                for g in ("A", "B"))
    total_false = rows[2][-1]
    print(f"goal: B single frames >= 80%: {b_all.right / b_all.total:.1%} "
          f"{'OK' if b_all.right >= 0.8 * b_all.total else 'MISSED'}")
    print(f"goal: B showings within 3 frames >= 57/60: {within(b_seq, 3)}/{len(b_seq)}; every showing read: "
          f"{within(b_seq, 10)}/{len(b_seq)}")
    print(f"goal: code-free median <= 1.5x raw zxing-cpp (each generator; the larger): {ratio:.2f}x "
          f"{'OK' if ratio <= 1.5 else 'MISSED'}")
    c = corpus[("all", "pipeline")]
    print(f"goal: corpus >= 98%: {c.right / c.total:.1%} {'OK' if c.right >= 0.98 * c.total else 'MISSED'}")
    print(f"goal: no false code: {total_false} {'OK' if total_false == 0 else 'MISSED'}")
    return ratio


if __name__ == "__main__":
    sys.exit(main())
