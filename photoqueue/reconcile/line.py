"""The line's model: what a photo's place in time says about whose photo it is, and what each story costs.

The 2024 notice fixes the line: students queue in ticket order and "采集码扫描后，坚决不能插队和出走". So the
student in front of the camera is always the next present one in the line, and the photos follow the
line: the photographed tickets in call order, each with its photos, an absent one with none. A press moves
the screen, not the line; the presses are evidence of where the screen was when each photo was taken.

The screen's timeline is a list of *slots*: each turn (a number on the screen, :mod:`.timeline`), an
*idle* slot wherever nobody was called (between turns, and after the last press of a closed day), and,
after an open last turn, the next numbers (for photos running ahead). A photo falls in the slot on the
screen when it was taken; it belongs to the entry ``shift`` places later in the same list. The shift
moves only by the slips the notices fear:

- a **forgotten press**: two students photographed in one slot; the line gets one ahead of the screen
  (``shift`` +1), found where the slot's photos split at a pause as long as a change of students;
- an **extra press** (a double press, or staff pressing for a forgotten press): a press with no student;
  the screen gets one ahead of the line (``shift`` -1). Its slot is empty and short: a second press a
  second or two after the first, too soon for anyone to be called, walk in and be photographed;
- an **absent student** pressed past (a called no-show): the slot is empty and the line moves with the
  screen (``shift`` unchanged). A no-show is called and waited for, so its slot is long.

So the window's length tells a double press from a no-show, and what follows decides the rest: a screen
one ahead must be caught up again by a forgotten press, an idle room or the day's end (the last student
photographed after the last press), or the path pays for it. Two slips that cancel leave the photos between
each on the number before (or after) the screen's, and every photo after them on its own number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from photoqueue.reconcile.model import OPEN, PRESS, Turn

IDLE, FUTURE = "idle", "future"
INF = float("inf")
NEVER = 1e6  # a story that cannot be (finite, so the prefix sums stay sums)

# What each story costs (only their differences matter).
C_FORGET = 3.0  # a second student in one slot, after a pause as long as a change of students
C_FORGET_TIGHT = 12.0  # ... after a pause no longer than between retakes
C_FORGET_UNDO = 1.0  # ... across a press the photographer took back (the screen came back to the line)
C_PAUSE = 5.0  # one student, with a pause as long as a change of students between shots
C_EXTRA = 3.0  # a press with no student in a short slot (a double press), or one that makes good a forgotten one
C_EXTRA_LONG = 7.0  # a press with no student after a long slot: more likely an absent student
C_ABSENT = 4.0  # an absent student pressed past after a call and a wait (a called no-show)
C_ABSENT_SHORT = 10.0  # ... pressed past within a second or two of the call: nobody waits so little for a no-show
C_MID = 5.0  # a press in the middle of one student's photos, never taken back
C_REALIGN = 2.0  # the screen catches up with the line at an absent student (the screen was one ahead)
C_OFF_LINE = 1.5  # photos on a skipped or voided number, or while nobody was called (once per slot)
C_OPEN_SHIFT = 1.2  # live: the line and the screen apart right now (each place)
C_START_SHIFT = 5.0  # the first photo already off the screen's number (each place)


@dataclass
class Line:
    """The slots (see the module's text) as lists and the per-slot costs the alignment reads."""

    slots: list[Turn]
    real: int  # how many slots are real (turns and idle ones); the rest are future numbers
    open_at: int | None  # the open turn's slot (live), None on a closed day
    starts: np.ndarray
    photographable: list[bool]
    absent: list[float]  # the slot empty because its student was absent
    extra: list[float]  # the slot empty because the screen moved without a student (going ahead)
    correction: list[float]  # ... a press that makes good a forgotten one (the line was ahead)
    absent_sum: list[float]  # prefix sums of ``absent``
    extra_sum: list[float]
    correction_sum: list[float]
    turn_of: list[int]  # per slot: its index among the turns (-1 for idle and future slots)


def _prefix(values: list[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out


def build(turns: list[Turn], max_shift: int, double_press_s: float) -> Line:
    slots: list[Turn] = []
    turn_of: list[int] = []
    for i, turn in enumerate(turns):
        if slots and slots[-1].end is not None and turn.start > slots[-1].end:
            slots.append(Turn(-1, slots[-1].end, turn.start, IDLE))
            turn_of.append(-1)
        slots.append(turn)
        turn_of.append(i)
    open_at = len(slots) - 1 if turns[-1].outcome == OPEN else None
    if open_at is None:  # the day's end: photos after the last press are taken while nobody is called
        slots.append(Turn(-1, turns[-1].end or 0.0, None, IDLE))
        turn_of.append(-1)
    real = len(slots)
    if open_at is not None:
        slots += [Turn(turns[-1].number + m, INF, None, FUTURE) for m in range(1, max_shift + 1)]
        turn_of += [-1] * max_shift
    absent, extra, correction = [], [], []
    for s in slots:
        length = INF if s.end is None else s.end - s.start
        if s.outcome == PRESS:
            short = length < double_press_s
            absent.append(C_ABSENT_SHORT if short else C_ABSENT)
            extra.append(C_EXTRA if short else C_EXTRA_LONG)
            correction.append(C_EXTRA)
        elif s.outcome == IDLE:
            absent.append(0.0)
            extra.append(NEVER)  # the screen showed nobody: no press moved it
            correction.append(NEVER)
        else:  # skip, void (the screen moved by staff), open, future
            absent.append(0.0)
            extra.append(C_EXTRA_LONG)
            correction.append(C_EXTRA_LONG)
    return Line(slots, real, open_at, np.array([s.start for s in slots], dtype=float),
                [s.outcome in (PRESS, OPEN, FUTURE) for s in slots], absent, extra, correction,
                _prefix(absent), _prefix(extra), _prefix(correction), turn_of)


def screen_moves(line: Line, first: int, level: int, count: int) -> float:
    """``count`` empty slots from ``first`` on, each a press with no student, the shift starting at
    ``level`` and going down one a slot: a press that makes good a forgotten one while the line is ahead
    (``level`` > 0), else a press that puts the screen ahead."""
    if count <= 0:
        return 0.0
    fixes = max(0, min(count, level))
    cost = line.correction_sum[first + fixes] - line.correction_sum[first]
    return cost + line.extra_sum[first + count] - line.extra_sum[first + fixes]


def step_cost(line: Line, k0: int, k1: int, a: int, b: int, long: bool, undone: bool) -> float:
    """From shift ``a`` at a photo in slot ``k0`` to shift ``b`` at the next photo, in slot ``k1``."""
    i0, i1 = k0 + a, k1 + b
    if k1 == k0:
        if b == a:
            return C_PAUSE if long else 0.0
        if b != a + 1:
            return INF
        cost = C_FORGET_UNDO if undone else (C_FORGET if long else C_FORGET_TIGHT)
    elif i1 < i0:
        return INF
    elif i1 == i0:  # one student across presses: the first of them came in the middle of their photos
        mid = C_EXTRA if a > 0 else C_MID
        return mid + screen_moves(line, k0 + 1, a - 1, k1 - k0 - 1) + (C_PAUSE if long else 0.0)
    elif b <= a:
        moved = a - b  # the first ``moved`` empty slots were presses with no student; the rest absent students
        cost = screen_moves(line, k0 + 1, a, moved) + line.absent_sum[k1] - line.absent_sum[k0 + 1 + moved]
    elif b == a + 1:  # the screen caught up at an absent student (its slot held the one before)
        cost = C_REALIGN + line.absent_sum[k1] - line.absent_sum[k0 + 1]
        turn = line.slots[i0 + 1]
        cost += C_ABSENT if turn.outcome == PRESS else 0.0
    else:
        return INF
    return cost if line.photographable[i1] else cost + C_OFF_LINE


def start_cost(line: Line, k: int, s: int) -> float:
    """The first photo, in slot ``k`` with shift ``s``: the slots before it were absent students."""
    cost = line.absent_sum[max(k, 0)] + C_START_SHIFT * abs(s)
    return cost if line.photographable[k + s] else cost + C_OFF_LINE


def end(line: Line, k: int, s: int, max_shift: int) -> tuple[float, int]:
    """(cost, shift now) after the last photo, in slot ``k`` with shift ``s``.

    Live, the empty slots after it are presses with no student (the first ones: a double press just made,
    or staff making good a forgotten press) or absent students (the rest), and the line and the screen
    apart right now cost a little, so a slip is told as soon as the photos show it. On a closed day the
    screen's last place no longer matters: the slots the screen passed after the last photo are presses
    for students already photographed (the line was ahead) or absent ones; a student the line still owes
    (the screen was ahead and nobody was photographed after the last press) was never photographed."""
    if line.open_at is None:
        tail = line.real - 1
        if s >= 0:
            return (line.correction_sum[k + 1 + s] - line.correction_sum[k + 1]
                    + line.absent_sum[line.real] - line.absent_sum[min(k + 1 + s, line.real)]), 0
        owed = sum(1 for i in range(k + s + 1, min(k, tail - 1) + 1) if line.slots[i].outcome == PRESS)
        return C_ABSENT * owed + line.absent_sum[line.real] - line.absent_sum[min(k + 1, line.real)], 0
    if k >= line.open_at:
        return C_OPEN_SHIFT * abs(s), s
    empty, first = line.open_at - k - 1, k + 1
    best, now = INF, s
    for moved in range(0, min(empty, s + max_shift) + 1):
        cost = screen_moves(line, first, s, moved)
        cost += line.absent_sum[first + empty] - line.absent_sum[first + moved] + C_OPEN_SHIFT * abs(s - moved)
        if cost < best:
            best, now = cost, s - moved
    return best, now
