"""The camera's clock, read from the data: its offset from the station's clock and its drift over the day.

Cameras are often minutes, even an hour, off (set by hand, never synced) and drift, a badly kept one a few
seconds an hour. A clock *explains* a photo that falls where a photo can be (a second or more after its
number was called, before the press that ended it, not in a skip, a void or while nobody was called) and a
press with a photo at most PRESS_LAG_S before it (the photographer presses right after the last shot of each
student). The estimate is the clock that explains (nearly) the most of both:

1. Coarse: presses and photos, binned, correlate best (FFT cross-correlation) at the lag that puts photos a
   few seconds before presses: the offset to within a few seconds, however far off the camera is.
2. The offset, exactly: at a given drift each photo and each press is explained over a few intervals of
   offsets, so the count changes only where one begins or ends; the estimate is the middle of the band
   that explains within 1% of the most, around the widest band that explains the most.
3. The drift, over the whole day: every drift up to the largest allowed in 1 s steps, then in 0.25 s steps
   around the best, each with its best offset. Never from a part of the day: on a day of one frame a
   student, a clock one student off explains a third of the day about as well as the true one (the photo
   lands a second or two after the next call), though not its presses, and not the whole day.

Slips do not bend the clock: a photo taken under the wrong number is still taken while *a* number was called,
and a double or forgotten press leaves one press unexplained, whatever the clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from photoqueue.reconcile.model import OPEN, PRESS, Turn

BIN_S = 0.5
PRESS_LAG_S = 4.0  # the last shot comes at most this long before the press (the coarse step's window)
FINE_RANGE_S = 20.0  # the exact search for the offset, around the coarse step's
DRIFT_COARSE_S = 1.0  # the drift over the day: first in these steps over +-max_drift_s,
DRIFT_FINE_S = 0.25  # then in these around the best
DRIFT_OFFSET_RANGE_S = 20.0  # the offsets searched at each coarse drift, around the best without drift
MIN_UNCERTAINTY_S = 0.25
TOP_STEP_S = 0.02
SLACK = 0.01  # a clock that explains this share fewer than the best is as good


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
    """The turns as sorted arrays."""

    starts: np.ndarray
    ends: np.ndarray  # +inf while open
    photographable: np.ndarray  # press or open: a photo may belong here

    @classmethod
    def of(cls, turns: list[Turn]) -> Windows:
        return cls(np.array([t.start for t in turns], dtype=float),
                   np.array([np.inf if t.end is None else t.end for t in turns], dtype=float),
                   np.array([t.outcome in (PRESS, OPEN) for t in turns], dtype=bool))


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


def _pairs(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For row r repeated counts[r] times: (the row, the place within it), flattened."""
    rows = np.repeat(np.arange(len(counts)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.arange(len(rows)) - first


Raw = tuple[np.ndarray, np.ndarray]  # intervals of offsets (starts, ends), in no order


def _clip(starts: np.ndarray, ends: np.ndarray, lo_o: float, hi_o: float) -> Raw:
    """The intervals clipped to the search window, the empty ones left out."""
    starts, ends = np.clip(starts, lo_o, hi_o), np.clip(ends, lo_o, hi_o)
    keep = ends > starts
    return starts[keep], ends[keep]


@dataclass(frozen=True)
class Evidence:
    """What the day says about any clock: where each photo may be (``lo``..``hi``: the photographable turns,
    from a second after the call to the press) and the presses that ended a student's turn, each of which
    should have a photo at most ``PRESS_LAG_S`` before it."""

    lo: np.ndarray
    hi: np.ndarray
    presses: np.ndarray

    @classmethod
    def of(cls, turns: list[Turn], walk_in_s: float, press_after_s: float) -> Evidence:
        w = Windows.of(turns)
        # a turn lasts until the next call at the latest (a number called again reopens its turn)
        ends = np.minimum(w.ends, np.append(w.starts[1:], np.inf))
        lo, hi = w.starts + walk_in_s, ends - press_after_s
        keep = w.photographable & (hi > lo)
        presses = np.array([t.end for t in turns if t.outcome == PRESS and t.end is not None], dtype=float)
        return cls(lo[keep], hi[keep], np.sort(presses))

    def intervals(self, b: np.ndarray, lo_o: float, hi_o: float) -> tuple[Raw, Raw]:
        """The offsets in [lo_o, hi_o] at which each photo (camera times ``b``, drift applied, sorted) is
        possible, and those at which each press has a photo within PRESS_LAG_S before it, as intervals.
        Each photo's intervals are disjoint, and so are each press's: the number of intervals over an offset
        is the number of photos (presses) the clock explains there."""
        # photos: turn k holds photo i at offsets [lo_k - b_i, hi_k - b_i)
        first = np.searchsorted(self.hi, b + lo_o, side="right")
        counts = np.maximum(np.searchsorted(self.lo, b + hi_o, side="left") - first, 0)
        i, n = _pairs(counts)
        k = first[i] + n
        photos = _clip(self.lo[k] - b[i], self.hi[k] - b[i], lo_o, hi_o)
        starts, ends = [np.zeros(0)], [np.zeros(0)]
        if len(self.presses) and len(b):
            # press j, photo i: a photo within the window before it at offsets [p_j - L - b_i, p_j - b_i]; the
            # photos of one run (each within L of the next) give one interval, runs give disjoint ones
            run = np.concatenate([[0], np.cumsum(np.diff(b) > PRESS_LAG_S)])
            p = self.presses
            first = np.searchsorted(b, p - PRESS_LAG_S - hi_o, side="left")
            counts = np.maximum(np.searchsorted(b, p - lo_o, side="right") - first, 0)
            j, n = _pairs(counts)
            i = first[j] + n
            if len(i):
                new = np.ones(len(i), dtype=bool)
                new[1:] = (j[1:] != j[:-1]) | (run[i[1:]] != run[i[:-1]])
                head = np.flatnonzero(new)
                tail = np.append(head[1:], len(i)) - 1
                starts.append(p[j[head]] - PRESS_LAG_S - b[i[tail]])
                ends.append(p[j[head]] - b[i[head]])
        return photos, _clip(np.concatenate(starts), np.concatenate(ends), lo_o, hi_o)


@dataclass(frozen=True)
class Spans:
    """Intervals of offsets, clipped to the search window; starts and ends each sorted on its own."""

    starts: np.ndarray
    ends: np.ndarray
    lo_o: float
    hi_o: float

    @classmethod
    def of(cls, *raws: Raw, lo_o: float, hi_o: float) -> Spans:
        return cls(np.sort(np.concatenate([r[0] for r in raws])), np.sort(np.concatenate([r[1] for r in raws])),
                   lo_o, hi_o)

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(left, right, cover): the window cut where the count changes, zero-length pieces (ties) left out."""
        x = np.concatenate([self.starts, self.ends, [self.lo_o, self.hi_o]])
        d = np.concatenate([np.ones(len(self.starts), dtype=np.int64), -np.ones(len(self.ends), dtype=np.int64),
                            [0, 0]])
        order = np.argsort(x, kind="stable")
        x, cover = x[order], np.cumsum(d[order])
        keep = np.diff(x) > 0
        return x[:-1][keep], x[1:][keep], cover[:-1][keep]


def _top(photos: Raw, presses: Raw, lo_o: float, hi_o: float) -> int:
    """The most intervals over one offset of the window, looked at every TOP_STEP_S: counting into steps
    costs a pass, where the exact most costs a sort (the band itself is found exactly)."""
    size = int((hi_o - lo_o) / TOP_STEP_S) + 2
    counts = np.zeros(size, dtype=np.int64)
    for s, e in (photos, presses):
        # an interval [s, e) lies over the step edges from the one after s up to e
        counts += np.bincount(((s - lo_o) / TOP_STEP_S).astype(np.int64), minlength=size)[:size]
        counts -= np.bincount(((e - lo_o) / TOP_STEP_S).astype(np.int64), minlength=size)[:size]
    return int(np.cumsum(counts).max())


@dataclass(frozen=True)
class Row:
    """One drift: the offsets at which each photo is possible, and each press explained."""

    drift: float
    photos: Raw
    presses: Raw
    lo_o: float
    hi_o: float
    top: int  # the most photos and presses one offset explains (at a multiple of TOP_STEP_S)

    @classmethod
    def of(cls, drift: float, photos: Raw, presses: Raw, lo_o: float, hi_o: float) -> Row:
        return cls(drift, photos, presses, lo_o, hi_o, _top(photos, presses, lo_o, hi_o))

    def cover(self, at: float) -> int:
        return sum(int(((s <= at) & (e > at)).sum()) for s, e in (self.photos, self.presses))

    def band(self, least: int) -> tuple[float, float]:
        """The offsets where every photo that can be is possible, around the best place: the widest band
        where the most photos and presses are explained, or (``least``) nearly the most, next to it.

        The presses tell which band (a clock one student off explains the photos of a one-frame day about
        as well, not its presses); the photos tell where in it: a photographer who takes longer to press
        than PRESS_LAG_S would otherwise pull every photo up against the next press."""
        left, right, cover = Spans.of(self.photos, self.presses, lo_o=self.lo_o, hi_o=self.hi_o).segments()
        if not len(cover):
            return self.lo_o, self.hi_o
        a, b = _widest(left, right, cover >= cover.max())
        a, b = _grow(left, right, cover >= least, a, b)
        left, right, cover = Spans.of(self.photos, lo_o=self.lo_o, hi_o=self.hi_o).segments()
        if not len(cover):
            return a, b
        inside = np.flatnonzero((right > a) & (left < b))
        if not len(inside):
            return a, b
        most = int(cover[inside].max())
        at = inside[int(np.argmax(cover[inside]))]
        return _grow(left, right, cover >= most - _slack(most), float(left[at]), float(right[at]))


def _widest(left: np.ndarray, right: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """The widest run of consecutive segments [left, right) where ``mask`` holds (it holds somewhere)."""
    at = np.flatnonzero(mask)
    breaks = np.flatnonzero(np.diff(at) > 1)
    heads, tails = at[np.concatenate([[0], breaks + 1])], at[np.append(breaks, len(at) - 1)]
    w = int(np.argmax(right[tails] - left[heads]))
    return float(left[heads[w]]), float(right[tails[w]])


def _grow(left: np.ndarray, right: np.ndarray, ok: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi) (segment edges) grown over the neighbouring segments where ``ok`` holds."""
    a, b = int(np.searchsorted(left, lo)), int(np.searchsorted(right, hi))
    while a > 0 and ok[a - 1]:
        a -= 1
    while b < len(ok) - 1 and ok[b + 1]:
        b += 1
    return float(left[a]), float(right[b])


def _scan(evidence: Evidence, times: np.ndarray, drifts: np.ndarray, middle: float, span: float,
          lo_o: float, hi_o: float) -> list[Row]:
    return [Row.of(d, *evidence.intervals(times + d * (times - middle) / span, lo_o, hi_o), lo_o, hi_o)
            for d in drifts.tolist()]


def _slack(most: int) -> int:
    """How many fewer than the most explained still count as the best: a clock that explains one stray frame
    more at the very edge of the band is no better a clock (1%, at least 2)."""
    return max(2, int(SLACK * most))


def _pick(rows: list[Row], at: float | None = None, widest: bool = True) -> tuple[float, float, float]:
    """(drift, offset, half-width): of the drifts next to the best one that explain (nearly) the most, the
    one with the widest band of offsets (:meth:`Row.band`; ``widest`` False: the middle one), and the
    middle of its band; ``at`` given, the middle of those drifts, at that offset."""
    tops = np.array([r.top if at is None else r.cover(at) for r in rows])
    least = int(tops.max()) - _slack(max(r.top for r in rows))
    best = int(np.argmax(tops))
    first, last = best, best
    while first > 0 and tops[first - 1] >= least:
        first -= 1
    while last < len(rows) - 1 and tops[last + 1] >= least:
        last += 1
    if at is not None:
        return rows[(first + last) // 2].drift, at, MIN_UNCERTAINTY_S
    # off the true drift, the first and the last photos of the day each pull the band their own way
    near = rows[first:last + 1] if widest else [rows[(first + last) // 2]]
    (lo, hi), drift = max(((r.band(least), r.drift) for r in near), key=lambda b: b[0][1] - b[0][0])
    return drift, (lo + hi) / 2, max((hi - lo) / 2, MIN_UNCERTAINTY_S)


def estimate(turns: list[Turn], photo_times: np.ndarray, *, walk_in_s: float, press_after_s: float,
             max_drift_s: float, offset_s: float | None = None) -> tuple[Clock, float]:
    """The camera clock and the half-width (seconds) of the band of offsets it was chosen from (its
    uncertainty). ``offset_s`` given: only the drift is searched, at that offset.

    A clock explains a photo that falls where a photo can be, and a press with a photo at most PRESS_LAG_S
    before it; the estimate explains (nearly) the most of both. The offset is searched exactly (the counts
    change only where an interval begins or ends), the drift over the whole day, coarse then fine: never from
    part of the day, where a clock one student off can explain as much as the true one."""
    evidence = Evidence.of(turns, walk_in_s, press_after_s)
    times = np.sort(np.asarray(photo_times, dtype=float))
    middle = float((times.min() + times.max()) / 2)
    span = float(max(times.max() - times.min(), 1.0))
    zero = np.zeros(1)
    if offset_s is None:
        centre = (coarse_offset(evidence.presses, times) if len(evidence.presses)
                  else float(turns[0].start - middle))
        lo_o, hi_o = centre - FINE_RANGE_S, centre + FINE_RANGE_S
        _, offset, width = _pick(_scan(evidence, times, zero, middle, span, lo_o, hi_o))
    else:
        offset, width = offset_s, MIN_UNCERTAINTY_S
    # a drift matters only when the photos span a while; a handful of photos cannot show one
    if span < 600 or len(times) < 30 or max_drift_s < DRIFT_FINE_S:
        return Clock(offset, 0.0, middle, span), width
    drift = 0.0
    for step, half_d, half_o, widest in ((DRIFT_COARSE_S, max_drift_s, DRIFT_OFFSET_RANGE_S, False),
                                         (DRIFT_FINE_S, DRIFT_COARSE_S, DRIFT_COARSE_S * 2, True)):
        drifts = np.clip(drift + np.arange(-half_d, half_d + step / 2, step), -max_drift_s, max_drift_s)
        lo_o, hi_o = offset - half_o, offset + half_o
        drift, found, found_width = _pick(_scan(evidence, times, drifts, middle, span, lo_o, hi_o), offset_s,
                                          widest)
        if offset_s is None:
            offset, width = found, found_width
    return Clock(offset, drift, middle, span), width
