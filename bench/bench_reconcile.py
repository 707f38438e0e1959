"""reconcile on a full day of one room: 1,000 students, about 2,500 photos (retakes), a camera 3 minutes off
that drifts 4 s. Time and peak memory (tracemalloc) to align, against a naive join by order (photo n to the
n-th photographed number) measured in the same run; and how many photos each puts on the wrong student on a
clean day and after one forgotten press (never corrected). A third peer, the join by time window (each photo
to the number called when it was taken, the true camera offset given), shows why time alone is not enough.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import table  # noqa: E402

from photoqueue.demo.reconcile_day import simulate_day  # noqa: E402
from photoqueue.reconcile import reconcile  # noqa: E402
from photoqueue.reconcile.model import PRESS  # noqa: E402
from photoqueue.reconcile.timeline import build_turns, seconds_since_midnight  # noqa: E402

STUDENTS = 1000
SHOTS = (1, 2, 2, 3, 3, 4)  # 2.5 frames a student on average
RUNS = 5


def naive_order(day) -> dict[str, int | None]:
    """Photo n (by file name) to the n-th number the queue marked photographed."""
    numbers = [t.number for t in build_turns(day.events, day.date) if t.outcome == PRESS]
    files = sorted(p.file for p in day.photos)
    return {f: (numbers[i] if i < len(numbers) else None) for i, f in enumerate(files)}


def time_window(day) -> dict[str, int | None]:
    """Each photo to the number called when it was taken (the camera's true offset given)."""
    turns = build_turns(day.events, day.date)
    starts = np.array([t.start for t in turns])
    date = __import__("datetime").date.fromisoformat(day.date)
    out = {}
    for p in day.photos:
        u = seconds_since_midnight(p.taken, date) + day.offset_s
        k = int(np.searchsorted(starts, u, side="right")) - 1
        out[p.file] = turns[k].number if k >= 0 else None
    return out


def dp(day) -> dict[str, int | None]:
    rec = reconcile(day.events, day.photos, room=day.room, date=day.date)
    return {p.file: p.number for p in rec.photos}


def measure(fn, day) -> tuple[float, float, dict]:
    times = []
    result = {}
    for _ in range(RUNS):
        started = time.perf_counter()
        result = fn(day)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    fn(day)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times) * 1000, peak / 2**20, result


def wrong(day, assigned: dict) -> int:
    return sum(1 for f, n in assigned.items() if n != day.truth[f])


def main() -> None:
    clean = simulate_day(STUDENTS, seed=42, anomalies=False, test_shots=0, offset_s=-185.0, drift_s=4.0,
                         shots=SHOTS)
    forgot = simulate_day(STUDENTS, seed=43, kinds=("forgotten",), corrected_after=None, test_shots=0,
                          offset_s=-185.0, drift_s=4.0, shots=SHOTS)
    where = [n for k, n in forgot.planted if k == "missing_press"][0]
    rows = []
    base = None
    for name, fn in (("reconcile (DP, offset and drift estimated)", dp), ("naive join by order", naive_order),
                     ("join by time window (true offset given)", time_window)):
        ms, mib, result = measure(fn, clean)
        _, _, after = measure(fn, forgot) if fn is not dp else (0, 0, dp(forgot))
        base = base or ms
        rows.append([name, ms, ms / base, mib, wrong(clean, result), wrong(forgot, after)])
    print(f"one room's day: {STUDENTS} students, {len(clean.photos)} photos (clean day), "
          f"{len(forgot.photos)} photos (one forgotten press at number {where}, never corrected); "
          f"median of {RUNS} runs\n")
    print(table(["method", "median ms", "× reconcile", "peak MiB", "wrong photos, clean day",
                 "wrong photos, one forgotten press"], rows))


if __name__ == "__main__":
    main()
