"""The alignment: which number each photo belongs to, by dynamic programming over the two timelines.

With the camera clock mapped onto the station's (:mod:`.clock`), each photo falls in the window of the
turn that was called when it was taken. On a clean day that turn is its number. The anomalies the
notices fear break that in two ways, and the alignment models both as a *shift* ``s``: the photo belongs
to the turn ``s`` places after the one whose window it fell in.

- a forgotten press: a second student is photographed in the same window; from there on every window
  holds the next number's photos (``s`` goes up by one, found where the window's photos split in two);
- a press with nobody photographed (a double press, a press for a no-show): a window with no photo.
  Either the number was not photographed (``s`` unchanged, the number is empty) or the student walked in
  anyway and the photos fall one window late (``s`` goes down by one, found at the empty window).

The DP runs over the photos in time order with ``s`` in ``[-max_shift, max_shift]`` as its state, so it
is O(photos x shifts²) and the cheapest path is the most plausible story for the whole day: a split
costs less when the gap inside the window is as long as a change of students, an empty press costs
something, and a shift that is never corrected must still fit the day's end. One forgotten press is
found at its number and changes nothing before it; after it, the shift keeps photos on their students.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from photoqueue.reconcile import clock as clockmod
from photoqueue.reconcile import findings as fmod
from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import OPEN, PRESS, Photo, Reconciliation, Turn
from photoqueue.reconcile.timeline import build_turns, seconds_since_midnight

# Costs of the stories the DP weighs (only their differences matter).
C_FORGET = 3.0  # a second student in one window, after a pause as long as a change of students
C_FORGET_TIGHT = 12.0  # ... after a pause no longer than between retakes
C_PAUSE = 5.0  # one student, with a pause as long as a change of students between shots
C_EMPTY = 4.0  # a press with no photo
C_EXTRA = 3.0  # a press that brings photos that ran ahead back by one (staff pressing for a missing press):
# cheaper than an empty press, since while photos run ahead an empty window is most likely that correction
C_BEHIND = 7.0  # a press that puts photos behind the numbers (a double press the student ignored): rarer
C_SKIPPED_PHOTO = 1.5  # photos on a number that was skipped or voided (once per number)
INF = float("inf")
FEW_PHOTOS = 10  # fewer photos than this cannot tell the camera's clock


@dataclass(frozen=True)
class Params:
    """What the alignment assumes about the room; the defaults fit the notices' pace (5-13 a minute)."""

    walk_in_s: float = 1.0  # a student's first photo comes at least this long after the call
    press_after_s: float = 0.0  # the press comes after the student's last photo
    max_drift_s: float = 12.0  # the camera clock's drift over the photos' span, searched both ways
    offset_s: float | None = None  # a known camera offset (station minus camera); None: estimate it
    burst_gap_s: float | None = None  # a pause that means another student; None: learnt from the day
    long_gap_s: float = 120.0  # a pause in the photos worth a finding
    max_shift: int = 3  # how many presses the photos may run ahead or behind before the path breaks
    default_burst_gap_s: float = 4.0  # with too few photos to learn from


@dataclass
class _Day:
    turns: list[Turn]
    press_before_list: list[int]  # [i]: press turns among turns[:i]
    photographable_list: list[bool]  # a photo may belong to this turn (press, open, a next number)
    future: int  # virtual turns after an open last one: the next numbers, for photos running ahead


def _day(turns: list[Turn], max_shift: int) -> _Day:
    future = max_shift if turns and turns[-1].outcome == OPEN else 0
    ext = turns + [Turn(turns[-1].number + m, INF, None, "future") for m in range(1, future + 1)]
    before = [0]
    for t in ext:
        before.append(before[-1] + (t.outcome == PRESS))
    return _Day(ext, before, [t.outcome in (PRESS, OPEN, "future") for t in ext], future)


def burst_gap(u: np.ndarray, k: np.ndarray, windows: clockmod.Windows, params: Params) -> float:
    """The pause that separates two students: between the retakes' pauses (same window) and the
    changes of students (next window, called at the press: an idle room's wait says nothing), learnt
    from the day unless given."""
    if params.burst_gap_s is not None:
        return params.burst_gap_s
    gaps, dk = np.diff(u), np.diff(k)
    called_at_press = windows.starts[k[1:]] <= windows.ends[np.maximum(k[1:] - 1, 0)] + 1.0
    within, change = gaps[dk == 0], gaps[(dk == 1) & called_at_press]
    if len(change) < 10:
        return params.default_burst_gap_s
    low = float(np.percentile(change, 10))
    high = float(np.percentile(within, 90)) if len(within) >= 5 else low / 2
    return float(np.clip(np.sqrt(max(high, 0.1) * low), 1.5, 60.0))


def _back_cost(a: int, b: int) -> float:
    """Cost of the shift going down from ``a`` to ``b``: each step to or above 0 a correction, each
    step below 0 photos falling behind."""
    if b >= a:
        return 0.0
    behind = max(max(-b, 0) - max(-a, 0), 0)
    return C_EXTRA * (a - b - behind) + C_BEHIND * behind


def _step_cost(day: _Day, k0: int, k1: int, a: int, b: int, long: bool) -> float:
    """From shift ``a`` at a photo in window ``k0`` to shift ``b`` at the next, in window ``k1``."""
    i0, i1 = k0 + a, k1 + b
    if i1 < i0 or b > a + 1:
        return INF
    if k1 == k0:
        if b == a:
            return C_PAUSE if long else 0.0
        cost = C_FORGET if long else C_FORGET_TIGHT
    elif i1 == i0:  # one student across a press
        return _back_cost(a, b) + (C_PAUSE if long else 0.0)
    else:
        p = day.press_before_list
        cost = C_EMPTY * (p[i1] - p[i0 + 1]) + _back_cost(a, b) + (C_FORGET if b > a else 0.0)
    return cost if day.photographable_list[i1] else cost + C_SKIPPED_PHOTO


def long_pauses(day: _Day, u: np.ndarray, gap_s: float) -> np.ndarray:
    """Per photo: the pause before it is as long as a change of students, and no undone press explains
    it (a press the photographer took back, then one more frame of the same student)."""
    long = np.concatenate([[False], np.diff(u) >= gap_s])
    undone = np.sort(np.array([t for turn in day.turns for t in turn.undone], dtype=float))
    if len(undone):
        between = np.searchsorted(undone, u[1:]) > np.searchsorted(undone, u[:-1])
        long[1:] &= ~between
    return long


def align(day: _Day, k: np.ndarray, long: np.ndarray, max_shift: int) -> np.ndarray:
    """The cheapest shift per photo (photos in time order, ``k`` their windows, ``long`` their pauses).
    Plain Python over a handful of states: numpy's per-call overhead on 7x7 arrays costs more than the
    arithmetic."""
    shifts = list(range(-max_shift, max_shift + 1))
    n, turns = len(shifts), len(day.turns)
    ks, longs = [int(x) for x in k], [bool(x) for x in long]
    cost = [INF] * n
    cost[max_shift] = C_EMPTY * day.press_before_list[ks[0]] + (
        0.0 if day.photographable_list[ks[0]] else C_SKIPPED_PHOTO)
    back = [[0] * n]
    for j in range(1, len(ks)):
        k0, k1, lg = ks[j - 1], ks[j], longs[j]
        new, came = [INF] * n, [0] * n
        for bi, b in enumerate(shifts):
            if not 0 <= k1 + b < turns:
                continue
            best, arg = INF, 0
            for ai, a in enumerate(shifts):
                if cost[ai] == INF:
                    continue
                v = cost[ai] + _step_cost(day, k0, k1, a, b, lg)
                if v < best:
                    best, arg = v, ai
            new[bi], came[bi] = best, arg
        cost = new
        back.append(came)
    real = turns - day.future
    p = day.press_before_list
    final = [c + C_EMPTY * (p[real] - p[min(max(ks[-1] + s, 0) + 1, real)]) if c < INF else INF
             for c, s in zip(cost, shifts, strict=True)]
    end = min(range(n), key=final.__getitem__)
    if final[end] == INF:
        raise ReconcileError("the photos cannot be aligned with the queue (more presses missing or extra "
                             "than the alignment allows; raise max_shift)")
    path = [end] * len(ks)
    for j in range(len(ks) - 1, 0, -1):
        path[j - 1] = back[j][path[j]]
    return np.array([shifts[i] for i in path], dtype=np.int64)


def reconcile(events, photos: list[Photo], *, room: str, date: str, params: Params | None = None,
              problems: list | None = None) -> Reconciliation:
    """Align ``photos`` (camera files) with the session's ``events``; ``problems``: file findings to keep."""
    params = params or Params()
    turns = build_turns(events, date)
    if not turns:
        raise ReconcileError(f"no number was ever called in room {room} on {date}: nothing to align with "
                             "/ 该组当天没有叫号记录")
    findings = list(problems or [])
    day = dt.date.fromisoformat(date)
    same_day = [p for p in photos if p.taken.date() == day]
    findings += fmod.other_day([p for p in photos if p.taken.date() != day], date)
    rec = Reconciliation(room=room, date=date, camera_offset_s=None)
    if not same_day:
        findings.append(fmod.no_photos(date))
        rec.findings = findings
        return rec
    same_day.sort(key=lambda p: (p.taken, p.file))
    if len(same_day) < FEW_PHOTOS and params.offset_s is None:
        findings.append(fmod.few_photos(len(same_day)))
    cam = np.array([seconds_since_midnight(p.taken, day) for p in same_day])
    clock, uncertainty = clockmod.estimate(turns, cam, walk_in_s=params.walk_in_s,
                                           press_after_s=params.press_after_s, max_drift_s=params.max_drift_s,
                                           offset_s=params.offset_s)
    u = clock.to_station(cam)
    rec.camera_offset_s, rec.drift_s = clock.offset_s, clock.drift_s
    windows = clockmod.Windows.of(turns)
    k = np.searchsorted(windows.starts, u, side="right") - 1
    inside = (k >= 0) & (u < windows.ends[np.maximum(k, 0)])
    idx = np.flatnonzero(inside)
    dayx = _day(turns, params.max_shift)
    shifts = np.zeros(0, dtype=np.int64)
    gap_s = params.default_burst_gap_s
    long = np.zeros(len(u), dtype=bool)
    if len(idx):
        gap_s = burst_gap(u[idx], k[idx], windows, params)
        long[idx] = long_pauses(dayx, u[idx], gap_s)
        shifts = align(dayx, k[idx], long[idx], params.max_shift)
    story = fmod.Story(turns=dayx.turns, real=len(turns), photos=same_day, u=u, k=k, inside=inside, idx=idx,
                       shifts=shifts, long=long, uncertainty=uncertainty, params=params)
    rec.photos, found, rec.shift, rec.live = fmod.tell(story)
    rec.findings = findings + found
    return rec
