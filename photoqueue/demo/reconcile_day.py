"""A simulated room's day, as the station and the camera would record it, with planted slips and the truth:
for the reconcile tests, its benchmark and the demo. Not part of the station: nothing in the product imports it.

The day follows the 2024 notice's line: students queue in ticket order and "采集码扫描后，坚决不能插队和出走",
so the student in front of the camera is always the next present one in the line, whatever the screen says.
The photographer shoots 1-4 frames a student a second or two apart and presses after the last one; the next
student needs a few seconds to walk in. A press moves the screen, not the line:

- a double press (two presses a second apart) puts the screen one number ahead of the line: from there each
  student is photographed while the screen shows the number after theirs;
- a forgotten press puts the line one student ahead of the screen: two students are photographed under one
  number, and from there each while the screen shows the number before theirs;
- one of each, in either order, cancel: the photos between belong to the number before (or after) each.

Also planted: absences (skipped, some recalled later), voids, a press for a called no-show (a call, a wait,
a press), an undo (a press too early, a hold of the button, one more frame), a late student, test shots
before the first call. The camera's clock is off by ``offset_s`` and drifts by ``drift_s`` over the day.
Event times are truncated to the second, as the station writes them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from dataclasses import dataclass, field

from photoqueue.core.events import (
    Advanced,
    AdvanceUndone,
    Event,
    TicketIssued,
    TicketRecalled,
    TicketSkipped,
    TicketVoided,
)
from photoqueue.reconcile.model import Photo

SHOTS = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4)  # frames per student: mostly one or two, sometimes up to four
KINDS = ("noshow_press", "double_press", "undo", "forgotten", "void_called")
# compensating pairs: the first slip, then after ``distance`` numbers the one that cancels it
PAIRS = {"double_then_forgotten": ("double_press", "forgotten"),
         "forgotten_then_double": ("forgotten", "double_press")}


@dataclass
class SimDay:
    room: str
    date: str
    events: list[Event]
    photos: list[Photo]
    truth: dict[str, int | None]  # file -> the student's number (None: a test shot)
    planted: list[tuple[str, int]]  # (finding kind, number)
    offset_s: float  # station minus camera, at the day's middle
    shot_times: list[float] = field(default_factory=list)  # true station times of the photos
    # (first student, last student, shift): students photographed while the screen showed another number;
    # shift -1: the screen showed the number after theirs (their photos "belong to the number before")
    shifted: list[tuple[int, int, int]] = field(default_factory=list)


class _Sim:
    def __init__(self, rng: random.Random, room: str, date: str, start: dt.datetime):
        self.rng, self.room, self.date, self.start = rng, room, date, start
        self.t = 0.0
        self.events: list[Event] = []
        self.shots: list[tuple[float, int | None]] = []
        self.frames = SHOTS
        self.walk = (3.0, 8.0)  # from the call (or the last press) to the student's first frame
        self.screen: int | None = None  # the number the screen shows (the queue's called one)
        # students photographed while the screen showed another number: -1 the screen's was after theirs
        self.off_screen: dict[int, int] = {}

    def at(self, t: float) -> str:
        return (self.start + dt.timedelta(seconds=int(t))).isoformat(timespec="seconds")

    def emit(self, cls, **kw) -> None:
        self.events.append(cls(room=self.room, date=self.date, at=self.at(self.t), **kw))

    def wait(self, lo: float, hi: float) -> None:
        self.t += self.rng.uniform(lo, hi)

    def photograph(self, number: int | None, walk: tuple[float, float] | None = None, side: int = 0) -> None:
        """``side``: -1 while the screen is ahead of the line, +1 while the line is ahead of the screen."""
        self.wait(*(walk or self.walk))
        if number is not None and number != self.screen:
            self.off_screen[number] = side
        for i in range(self.rng.choice(self.frames)):
            if i:
                self.wait(0.7, 2.5)
            self.shots.append((self.t, number))
        self.wait(0.8, 2.5)  # the press follows the last frame


def simulate_day(n: int = 400, *, seed: int = 1, room: str = "A", date: str = "2024-06-12",
                 offset_s: float = -185.0, drift_s: float = 4.0, anomalies: bool = True,
                 corrected_after: int | None = 6, test_shots: int = 2, kinds: tuple[str, ...] = KINDS,
                 shots: tuple[int, ...] = SHOTS, pairs: tuple[tuple[str, int], ...] = (),
                 walk: tuple[float, float] = (3.0, 8.0)) -> SimDay:
    """A day of ``n`` students. ``anomalies`` False: a clean day (absences and voids stay, no slips).
    ``kinds``: single slips to plant, once each (and ``late``: a student who comes minutes after the call):
    a ``forgotten`` press is made good by staff's extra press ``corrected_after`` students later (None:
    never); a ``double_press`` is never made good (the last student is photographed after the last press).
    ``pairs``: (``double_then_forgotten`` | ``forgotten_then_double``, distance): two slips that cancel,
    the second ``distance`` numbers after the first. ``shots``: frames per student, drawn. ``walk``: seconds
    from the call (the press before) to the student's first frame, drawn."""
    rng = random.Random(seed)
    sim = _Sim(rng, room, date, dt.datetime.fromisoformat(date) + dt.timedelta(hours=8, minutes=30))
    sim.frames, sim.walk = shots, walk
    plan = _plan(rng, n, anomalies, kinds, pairs)
    for _ in range(max(0, test_shots)):
        sim.shots.append((sim.t, None))
        sim.wait(1.0, 3.0)
    sim.wait(40, 60)
    for number in range(1, n + 1):
        sim.emit(TicketIssued, number=number, code_digest=f"d{number}", class_name="c1", called=number == 1)
    q = _Queue(sim, n, corrected_after)
    while q.called is not None:
        sim.screen = q.called
        kind = plan.pop(q.called, "normal") if q.shift == 0 and q.pending is None else "normal"
        pair = None
        if isinstance(kind, tuple):  # a compensating pair: the first slip now, the second ``distance`` later
            first, second, distance = kind
            kind, pair = first, (second, distance)
        elif q.pending is not None and q.called + (q.pending[0] == "double_press") >= q.pending[1]:
            kind, q.pending = q.pending[0], None  # a double press's slip is the number after the called one
        q.step(kind)
        if pair is not None:
            q.pending = (pair[0], q.planted[-1][1] + pair[1])
        if q.shift == 0 and q.pending is None:  # a recalled student comes back into a line that is in step
            q.recalls()
        if q.ahead and not q.line:
            break  # the camera already photographed the last student: the last number stays called
    while q.due:  # the screen ran ahead to the end: the last students are photographed after the last press
        sim.screen = None
        sim.photograph(q.due.popleft(), side=-1)
    return _finish(sim, room, date, offset_s, drift_s, q.planted)


def _plan(rng: random.Random, n: int, anomalies: bool, kinds: tuple[str, ...],
          pairs: tuple[tuple[str, int], ...]) -> dict[int, object]:
    """number -> what happens when it is called (the slips once each, and a few absences and voids)."""
    plan: dict[int, object] = {}
    if anomalies:
        planned: list[object] = list(kinds)
        planned += [(*PAIRS[name], distance) for name, distance in pairs]
        rng.shuffle(planned)
        spots = _spots(rng, n, planned)
        for kind, spot in zip(planned, spots, strict=False):
            plan[spot] = kind
    for spot in rng.sample(range(5, n - 5), max(1, n // 60)):
        if not any(isinstance(k, tuple) and spot in range(s - 2, s + k[2] + 3) for s, k in plan.items()):
            plan.setdefault(spot, rng.choice(("absent", "absent", "void_called")))
    return plan


def _spots(rng: random.Random, n: int, planned: list[object]) -> list[int]:
    """Where each planned slip goes: apart from each other, a pair's whole stretch kept clear."""
    if n <= 60:
        return []
    taken: list[range] = []
    spots = []
    for kind in planned:
        length = (kind[2] if isinstance(kind, tuple) else 0) + 12
        for _ in range(1000):
            spot = rng.randrange(20, max(21, n - 30 - length))
            stretch = range(spot - 4, spot + length)
            if not any(set(stretch) & set(r) for r in taken):
                break
        taken.append(stretch)
        spots.append(spot)
    return spots


class _Queue:
    """The room's queue as the station keeps it, the line as the students stand in it, and the
    photographer's presses. ``shift`` is the line's position minus the screen's: +1 after a forgotten
    press (the student in front is the one after the screen's number), -1 after a double press (the
    student in front is the one before it; they are in ``due``)."""

    def __init__(self, sim: _Sim, n: int, corrected_after: int | None):
        self.sim, self.corrected_after = sim, corrected_after
        self.line = deque(range(2, n + 1))  # waiting, as the queue keeps them
        self.called: int | None = 1
        self.ahead = 0  # students the camera is ahead of the queue (a forgotten press not yet made good)
        self.due: deque[int] = deque()  # numbers the screen passed whose students are still to come
        self.recall: list[tuple[int, int]] = []  # (after how many more turns, number)
        self.since_forget: int | None = None
        self.pending: tuple[str, int] | None = None  # a pair's second slip: (kind, at number)
        self.planted: list[tuple[str, int]] = []

    @property
    def shift(self) -> int:
        return self.ahead - len(self.due)

    def front(self) -> int | None:
        if self.due:
            return self.due[0]
        if self.ahead:
            return self.line[self.ahead - 1] if len(self.line) >= self.ahead else None
        return self.called

    def press(self) -> None:
        nxt = self.line.popleft() if self.line else None
        self.sim.emit(Advanced, photographed=self.called, called=nxt)
        self.called = nxt
        self.sim.screen = nxt

    def step(self, kind: str) -> None:
        sim = self.sim
        if kind in ("absent", "void_called"):
            self.leave(kind)
        elif kind == "noshow_press":  # called, waited for, pressed past
            sim.wait(5, 10)
            self.planted.append(("empty_press", self.called))
            self.press()
        elif kind == "late":  # the student comes minutes after the call: a long gap, not a mistake
            self.planted.append(("long_gap", self.called))
            sim.photograph(self.front(), walk=(150.0, 170.0), side=self.shift)
            self.press()
        elif kind == "undo":
            self.undo(self.front())
        else:
            self.shoot(kind)

    def leave(self, kind: str) -> None:
        self.sim.wait(5, 15)
        nxt = self.line.popleft() if self.line else None
        cls = TicketSkipped if kind == "absent" else TicketVoided
        self.sim.emit(cls, number=self.called, called=nxt)
        if kind == "absent":
            self.recall.append((3, self.called))
        self.called = nxt

    def undo(self, front: int | None) -> None:
        sim = self.sim
        sim.photograph(front, side=self.shift)
        nxt = self.line.popleft() if self.line else None
        sim.emit(Advanced, photographed=self.called, called=nxt)
        sim.wait(1.0, 2.5)
        sim.emit(AdvanceUndone, photographed=self.called, called=nxt)
        if nxt is not None:
            self.line.appendleft(nxt)
        sim.photograph(front, walk=(0.5, 1.5), side=self.shift)  # one more frame, then the right press
        self.press()

    def shoot(self, kind: str) -> None:
        sim = self.sim
        if self.due:  # the screen is ahead: the student in front holds the number before the screen's
            sim.photograph(self.due.popleft(), side=-1)
            if kind == "forgotten":  # the screen's own student walks in too, no press between: aligned again
                self.planted.append(("missing_press", self.called))
                sim.photograph(self.called)
            else:
                self.due.append(self.called)  # the press marks the screen's number, whose student is next
            self.press()
            return
        sim.photograph(self.front(), side=self.shift)
        if kind == "forgotten" and self.ahead == 0 and self.line:
            self.planted.append(("missing_press", self.called))
            self.ahead, self.since_forget = 1, 0
            sim.photograph(self.line[0], side=1)  # the next student walks in; no press between
        self.press()
        if kind == "double_press" and self.called is not None and self.line:
            sim.wait(0.4, 1.2)
            self.planted.append(("extra_press", self.called))
            if self.ahead:  # it makes good a forgotten press: aligned again
                self.ahead, self.since_forget = 0, None
            else:
                self.due.append(self.called)  # the screen jumps past a student who is still to come
            self.press()
            return
        if self.since_forget is not None:
            self.since_forget += 1
            if (self.corrected_after is not None and self.since_forget > self.corrected_after
                    and self.called is not None and self.pending is None):
                sim.wait(1.0, 3.0)  # staff notice and press once more for the missing press
                self.planted.append(("extra_press", self.called))
                self.press()
                self.ahead, self.since_forget = 0, None

    def recalls(self) -> None:
        self.recall = [(left - 1, num) for left, num in self.recall]
        for _, num in [r for r in self.recall if r[0] <= 0]:
            self.sim.emit(TicketRecalled, number=num, called=self.called is None)
            if self.called is None:
                self.called = num
            else:
                self.line.appendleft(num)
        self.recall = [r for r in self.recall if r[0] > 0]


def _runs(shots: list[tuple[float, int | None]], shift_of: dict[int, int]) -> list[tuple[int, int, int]]:
    """Consecutive students (in shooting order) photographed off their number, as (first, last, shift)."""
    order = list(dict.fromkeys(n for _, n in sorted(shots, key=lambda s: s[0]) if n is not None))
    runs: list[tuple[int, int, int]] = []
    prev = None
    for number in order:
        s = shift_of.get(number, 0)
        if s and runs and prev is not None and shift_of.get(prev, 0) == s:
            runs[-1] = (runs[-1][0], number, s)
        elif s:
            runs.append((number, number, s))
        prev = number
    return runs


def _finish(sim: _Sim, room: str, date: str, offset_s: float, drift_s: float, planted) -> SimDay:
    span = max(t for t, _ in sim.shots) - min(t for t, _ in sim.shots) or 1.0
    mid = (max(t for t, _ in sim.shots) + min(t for t, _ in sim.shots)) / 2
    photos, truth = [], {}
    for i, (t, number) in enumerate(sorted(sim.shots, key=lambda s: s[0]), start=1):
        camera_t = t - offset_s - drift_s * (t - mid) / span
        taken = sim.start + dt.timedelta(seconds=round(camera_t, 2))
        name = f"IMG_{i:04d}.JPG"
        photos.append(Photo(name, taken))
        truth[name] = number
    return SimDay(room, date, sim.events, photos, truth, planted, offset_s,
                  [t for t, _ in sorted(sim.shots, key=lambda s: s[0])], _runs(sim.shots, sim.off_screen))
