"""The alignment: whose photo each photo is, by dynamic programming over the line's model (:mod:`.line`).

With the camera clock mapped onto the station's (:mod:`.clock`), each photo falls in the slot that was on the
screen when it was taken; its student is the entry ``shift`` places later in the line. The DP runs over the
photos in time order with the shift in ``[-max_shift, max_shift]`` as its state, so it is O(photos x
shifts²), and its cheapest path is the most plausible story of the whole day: where two students were
photographed under one number (a forgotten press), where a press moved the screen with no student (a double
press, or staff making good a forgotten one), where a called student was absent and pressed past. Two
slips that cancel are found as a pair, with every photo between them on its student.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from photoqueue.reconcile import clock as clockmod
from photoqueue.reconcile import findings as fmod
from photoqueue.reconcile import line as linemod
from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import Photo, Reconciliation
from photoqueue.reconcile.timeline import build_turns, seconds_since_midnight

INF = float("inf")
FEW_PHOTOS = 10  # fewer photos than this cannot tell the camera's clock


@dataclass(frozen=True)
class Params:
    """What the alignment assumes about the room; the defaults fit the notices' pace (5-13 a minute)."""

    walk_in_s: float = 1.0  # a student's first photo comes at least this long after the call
    press_after_s: float = 0.0  # the press comes after the student's last photo
    # the camera clock's drift over the photos' span, searched both ways: this much, or on a long day this
    # much an hour
    max_drift_s: float = 12.0
    max_drift_per_hour_s: float = 6.0
    offset_s: float | None = None  # a known camera offset (station minus camera); None: estimate it
    burst_gap_s: float | None = None  # a pause that means another student; None: learnt from the day
    long_gap_s: float = 120.0  # a pause in the photos worth a finding
    max_shift: int = 3  # how many places the line and the screen may be apart before the path breaks
    default_burst_gap_s: float = 4.0  # with too few photos to learn from
    # a press this soon after the call (as the log's whole seconds measure it) had no student: a double press;
    # a called no-show is called and waited for
    double_press_s: float = 2.5


def burst_gap(u: np.ndarray, k: np.ndarray, windows: clockmod.Windows, params: Params) -> float:
    """The pause that separates two students: between the retakes' pauses (same turn) and the changes of
    students (next turn, called at the press: an idle room's wait says nothing), learnt from the day unless
    given."""
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


def pauses(line: linemod.Line, u: np.ndarray, gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Per photo: whether a press the photographer took back lies between it and the one before (then one
    more frame of the same student is as plausible as the next student, whom the screen came back for), and
    whether the pause before it is as long as a change of students (not counted across a taken-back press)."""
    undone = np.sort(np.array([t for s in line.slots for t in s.undone], dtype=float))
    between = np.zeros(len(u), dtype=bool)
    if len(undone):
        between[1:] = np.searchsorted(undone, u[1:]) > np.searchsorted(undone, u[:-1])
    long = np.concatenate([[False], np.diff(u) >= gap_s]) & ~between
    return long, between


def late_frames(line: linemod.Line, u: np.ndarray, k: np.ndarray, params: Params) -> np.ndarray:
    """The slots with a photo taken less than half ``walk_in_s`` after a press (the next number called at it)
    moved back to the press's turn. Nobody is called, walks in and is photographed that fast; the station
    writes the press to the second (read as its middle: up to half a second off) and the clock is known to a
    few tenths, so such a photo is the last frame of the student the press was for. Left in the next turn,
    it looked like that turn's student, and the path paid for it with a forgotten press there and, to put
    the line back, a real one told as one student's pause (every photo between on the next student). A
    short turn too: a quick student photographed and pressed
    within two seconds of the call, or a double press, whose second press comes at least half a second
    after the first and so a second or more after the student's last frame."""
    slots = line.slots
    # per slot: the time of the press that called it (the turn before ended at its start), else NaN
    called_at = np.array([np.nan] + [p.end if p.outcome == linemod.PRESS and p.end == s.start else np.nan
                                     for p, s in zip(slots, slots[1:], strict=False)], dtype=float)
    inside = k >= 1
    since = np.full(len(k), np.inf)
    since[inside] = u[inside] - called_at[k[inside]]  # NaN where no press called the slot
    return np.where(since < params.walk_in_s / 2, k - 1, k)


def align(line: linemod.Line, k: np.ndarray, long: np.ndarray, undone: np.ndarray,
          max_shift: int) -> tuple[np.ndarray, int]:
    """The cheapest shift per photo (photos in time order, ``k`` their slots), and the shift now (live: the
    line's place minus the screen's after the last photo and the presses since). Plain Python over a handful
    of states: numpy's per-call overhead on 7x7 arrays costs more than the arithmetic."""
    shifts = list(range(-max_shift, max_shift + 1))
    n, size = len(shifts), len(line.slots)
    ks, longs, undos = [int(x) for x in k], [bool(x) for x in long], [bool(x) for x in undone]
    cost = [linemod.start_cost(line, ks[0], s) if 0 <= ks[0] + s < size else INF for s in shifts]
    back = [[0] * n]
    step = linemod.step_cost
    photographable = line.photographable
    for j in range(1, len(ks)):
        k0, k1, lg, ud = ks[j - 1], ks[j], longs[j], undos[j]
        new, came = [INF] * n, [0] * n
        if k1 == k0:  # most steps: another frame in the same slot, the same student or (a forgotten press) the next
            same = linemod.C_PAUSE if lg else 0.0
            split = linemod.C_FORGET_UNDO if ud else (linemod.C_FORGET if lg else linemod.C_FORGET_TIGHT)
            for bi in range(n):
                if not 0 <= k1 + shifts[bi] < size:
                    continue
                best, arg = cost[bi] + same, bi
                if bi and cost[bi - 1] < INF:
                    v = cost[bi - 1] + split + (0.0 if photographable[k1 + shifts[bi]] else linemod.C_OFF_LINE)
                    if v < best:
                        best, arg = v, bi - 1
                new[bi], came[bi] = best, arg
            cost = new
            back.append(came)
            continue
        # only shifts that keep the student in order can lead here: a at most b + the slots crossed, at least b - 1
        for bi, b in enumerate(shifts):
            if not 0 <= k1 + b < size:
                continue
            best, arg = INF, 0
            for ai in range(max(bi - 1, 0), min(bi + (k1 - k0) + 1, n - 1) + 1):
                c = cost[ai]
                if c == INF:
                    continue
                v = c + step(line, k0, k1, shifts[ai], b, lg, ud)
                if v < best:
                    best, arg = v, ai
            new[bi], came[bi] = best, arg
        cost = new
        back.append(came)
    finals = [(c + linemod.end(line, ks[-1], s, max_shift)[0]) if c < INF else INF
              for c, s in zip(cost, shifts, strict=True)]
    last = min(range(n), key=finals.__getitem__)
    if finals[last] >= linemod.NEVER:
        raise ReconcileError("the photos cannot be aligned with the queue (the line and the screen further apart "
                             "than the alignment allows; raise max_shift) / 照片与拍摄号错位过多，无法对齐")
    path = [last] * len(ks)
    for j in range(len(ks) - 1, 0, -1):
        path[j - 1] = back[j][path[j]]
    now = linemod.end(line, ks[-1], shifts[last], max_shift)[1]
    return np.array([shifts[i] for i in path], dtype=np.int64), now


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
                                           press_after_s=params.press_after_s,
                                           max_drift_s=max(params.max_drift_s, params.max_drift_per_hour_s
                                                           * float(np.ptp(cam)) / 3600),
                                           offset_s=params.offset_s)
    u = clock.to_station(cam)
    rec.camera_offset_s, rec.drift_s = clock.offset_s, clock.drift_s
    line = linemod.build(turns, params.max_shift, params.double_press_s)
    k = late_frames(line, u, np.searchsorted(line.starts[:line.real], u, side="right") - 1, params)
    idx = np.flatnonzero(k >= 0)  # photos before the first call are no student's
    shifts = np.zeros(0, dtype=np.int64)
    long = np.zeros(len(u), dtype=bool)
    undone = np.zeros(len(u), dtype=bool)
    now = 0
    if len(idx):
        windows = clockmod.Windows.of(turns)
        kt = np.searchsorted(windows.starts, u[idx], side="right") - 1
        gap_s = burst_gap(u[idx], np.maximum(kt, 0), windows, params)
        long[idx], undone[idx] = pauses(line, u[idx], gap_s)
        shifts, now = align(line, k[idx], long[idx], undone[idx], params.max_shift)
    story = fmod.Story(line=line, photos=same_day, u=u, k=k, idx=idx, shifts=shifts, long=long, now=now,
                       uncertainty=uncertainty, params=params)
    rec.photos, found, rec.shift, rec.live = fmod.tell(story)
    rec.findings = findings + found
    return rec
