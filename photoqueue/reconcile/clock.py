"""The camera's clock, read from the data: its offset from the station's clock and its drift over the day.

Cameras are often minutes off (set by hand, never synced) and drift a few seconds a day. Two steps:

1. Coarse: the photographer presses right after the last shot of each student, so presses and photos,
   binned, correlate best (FFT cross-correlation) at the lag that puts photos a few seconds before
   presses. This finds the offset to within a few seconds, however far off the camera is.
2. Fine: over a grid of offsets and drifts near that, count photos the timeline says are impossible
   (before their number was called plus the time to walk in, after the press that ended it, in a
   skip, a void, or while nobody was called). The true clock makes none on a clean day; a forgotten
   or double press makes none either (the alignment finds those), so anomalies do not bend the clock.
   The estimate is the middle of the widest band of offsets with the fewest impossible photos.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from photoqueue.reconcile.model import OPEN, PRESS, Turn

BIN_S = 0.5
PRESS_LAG_S = 4.0  # the last shot comes at most this long before the press (the coarse step's window)
FINE_RANGE_S = 20.0
FINE_STEP_S = 0.25
DRIFT_STEP_S = 0.5


@dataclass(frozen=True)
class Clock:
    """station time = camera time + offset + drift * (camera time - middle) / span."""

    offset_s: float
    drift_s: float = 0.0
    middle: float = 0.0
    span: float = 1.0

    def to_station(self, camera_t: np.ndarray) -> np.ndarray:
        return camera_t + self.offset_s + self.drift_s * (camera_t - self.middle) / self.span


@dataclass(frozen=True)
class Windows:
    """The turns as sorted arrays, for counting impossible photos fast."""

    starts: np.ndarray
    ends: np.ndarray  # +inf while open
    photographable: np.ndarray  # press or open: a photo may belong here

    @classmethod
    def of(cls, turns: list[Turn]) -> Windows:
        return cls(np.array([t.start for t in turns], dtype=float),
                   np.array([np.inf if t.end is None else t.end for t in turns], dtype=float),
                   np.array([t.outcome in (PRESS, OPEN) for t in turns], dtype=bool))

    def impossible(self, u: np.ndarray, walk_in_s: float, press_after_s: float) -> np.ndarray:
        """Per station time in ``u`` (any shape): True where no photo can be."""
        k = np.searchsorted(self.starts, u, side="right") - 1
        inside = k >= 0
        kk = np.where(inside, k, 0)
        after_call = u - self.starts[kk]
        before_end = self.ends[kk] - u
        ok = inside & (after_call >= walk_in_s) & (before_end >= press_after_s) & self.photographable[kk]
        return ~ok


def coarse_offset(press_times: np.ndarray, photo_times: np.ndarray) -> float:
    """Station minus camera clock to within a few seconds, by cross-correlating presses and photos."""
    p0, t0 = press_times.min(), photo_times.min()
    a = np.bincount(((press_times - p0) / BIN_S).astype(np.int64))
    b = np.bincount(((photo_times - t0) / BIN_S).astype(np.int64))
    n = 1 << int(np.ceil(np.log2(len(a) + len(b) + 1)))
    corr = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    width = int(PRESS_LAG_S / BIN_S)
    # the sum over lags k..k+width: presses with photos up to PRESS_LAG_S before them
    window = np.convolve(np.concatenate([corr, corr[:width]]), np.ones(width), mode="valid")[:n]
    k = int(np.argmax(window))
    if k > n // 2:
        k -= n
    # lag k: press - photo = p0 - t0 + k*BIN; the window spans k..k+width, so the photos sit in its middle
    return float(p0 - t0 + (k + width / 2) * BIN_S - PRESS_LAG_S / 2)


def _widest_run(mask: np.ndarray) -> tuple[int, int]:
    """(start, length) of the longest run of True in a 1-d mask (which has one)."""
    best, start, i = (0, 0), None, 0
    for i, v in enumerate(np.append(mask, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start > best[1]:
                best = (start, i - start)
            start = None
    return best


def _counts(windows: Windows, times: np.ndarray, offsets: np.ndarray, drifts: np.ndarray, middle: float,
            span: float, walk_in_s: float, press_after_s: float) -> np.ndarray:
    """Impossible photos per (drift, offset)."""
    counts = np.empty((len(drifts), len(offsets)), dtype=np.int64)
    for i, d in enumerate(drifts):
        base = times + d * (times - middle) / span
        counts[i] = windows.impossible(base[None, :] + offsets[:, None], walk_in_s, press_after_s).sum(axis=1)
    return counts


def _best(counts: np.ndarray, offsets: np.ndarray) -> tuple[int, float, float]:
    """(drift row, offset, half-width): the middle row among the fewest-impossible ones, and the middle
    of its widest band of offsets."""
    best = counts == counts.min()
    rows = np.flatnonzero(best.any(axis=1))
    row = int(rows[len(rows) // 2])
    start, length = _widest_run(best[row])
    step = float(offsets[1] - offsets[0]) if len(offsets) > 1 else FINE_STEP_S
    return row, float(offsets[start] + (length - 1) * step / 2), max(length * step / 2, step)


def estimate(turns: list[Turn], photo_times: np.ndarray, *, walk_in_s: float, press_after_s: float,
             max_drift_s: float, offset_s: float | None = None) -> tuple[Clock, float]:
    """The camera clock and the half-width (seconds) of the band it was chosen from (its uncertainty).
    ``offset_s`` given: only the drift is searched, around it.

    The drift comes from the offsets of the day's first and last thirds, then both are refined
    together on a small grid: a full grid over offsets and drifts would cost ten times as much."""
    windows = Windows.of(turns)
    presses = np.array([t.end for t in turns if t.outcome == PRESS and t.end is not None], dtype=float)
    middle = float((photo_times.min() + photo_times.max()) / 2)
    span = float(max(photo_times.max() - photo_times.min(), 1.0))
    args = (middle, span, walk_in_s, press_after_s)
    if offset_s is not None:
        offsets = np.array([offset_s])
    else:
        centre = coarse_offset(presses, photo_times) if len(presses) else float(windows.starts[0] - middle)
        offsets = centre + np.arange(-FINE_RANGE_S, FINE_RANGE_S + FINE_STEP_S / 2, FINE_STEP_S)
    _, offset, width = _best(_counts(windows, photo_times, offsets, np.zeros(1), *args), offsets)
    # a drift matters only when the photos span hours; a handful of photos cannot show one
    if span < 600 or len(photo_times) < 30 or max_drift_s <= 0:
        return Clock(offset, 0.0, middle, span), width
    third = len(photo_times) // 3
    local = np.arange(-8.0, 8.0 + FINE_STEP_S / 2, FINE_STEP_S) + offset
    ends = []
    for part in (photo_times[:third], photo_times[-third:]):
        _, o, _ = _best(_counts(windows, part, local, np.zeros(1), *args), local)
        ends.append((o, float(part.mean())))
    (o1, t1), (o3, t3) = ends
    guess = float(np.clip((o3 - o1) * span / max(t3 - t1, 1.0), -max_drift_s, max_drift_s))
    drifts = np.clip(guess + np.arange(-3, 4) * DRIFT_STEP_S, -max_drift_s, max_drift_s)
    if offset_s is None:
        offsets = offset + np.arange(-3.0, 3.0 + FINE_STEP_S / 2, FINE_STEP_S)
    row, offset, width = _best(_counts(windows, photo_times, offsets, drifts, *args), offsets)
    return Clock(offset, float(drifts[row]), middle, span), width
