"""A simulated room's day, as the station and the camera would record it, with planted anomalies and the
truth: for the tests, the benchmark and the demo's photo folders.

The photographer shoots 1-4 frames a student a second or two apart and presses after the last one; the
next student needs a few seconds to walk in. Planted: absences (skipped, some recalled later), voids, an
undo, a press for a no-show, a double press, a forgotten press (corrected by staff some students later,
or never), test shots before the first call. The camera's clock is off by ``offset_s`` and drifts by
``drift_s`` over the day. Event times are truncated to the second, as the station writes them.
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


class _Sim:
    def __init__(self, rng: random.Random, room: str, date: str, start: dt.datetime):
        self.rng, self.room, self.date, self.start = rng, room, date, start
        self.t = 0.0
        self.events: list[Event] = []
        self.shots: list[tuple[float, int | None]] = []
        self.frames = SHOTS

    def at(self, t: float) -> str:
        return (self.start + dt.timedelta(seconds=int(t))).isoformat(timespec="seconds")

    def emit(self, cls, **kw) -> None:
        self.events.append(cls(room=self.room, date=self.date, at=self.at(self.t), **kw))

    def wait(self, lo: float, hi: float) -> None:
        self.t += self.rng.uniform(lo, hi)

    def photograph(self, number: int | None, walk: tuple[float, float] = (3.0, 8.0)) -> None:
        self.wait(*walk)
        for i in range(self.rng.choice(self.frames)):
            if i:
                self.wait(0.7, 2.5)
            self.shots.append((self.t, number))
        self.wait(0.8, 2.5)  # the press follows the last frame


def simulate_day(n: int = 400, *, seed: int = 1, room: str = "A", date: str = "2024-06-12",
                 offset_s: float = -185.0, drift_s: float = 4.0, anomalies: bool = True,
                 corrected_after: int | None = 6, test_shots: int = 2, kinds: tuple[str, ...] = KINDS,
                 shots: tuple[int, ...] = SHOTS) -> SimDay:
    """A day of ``n`` students. ``anomalies`` False: a clean day (absences and voids stay, no
    mistakes). ``corrected_after``: students after the forgotten press until staff press for it
    (None: never). ``kinds``: which mistakes to plant, once each
    (and ``late``: a student who comes minutes after the call). ``shots``: frames per student, drawn."""
    rng = random.Random(seed)
    sim = _Sim(rng, room, date, dt.datetime.fromisoformat(date) + dt.timedelta(hours=8, minutes=30))
    sim.frames = shots
    plan = _plan(rng, n, anomalies, kinds)
    for _ in range(max(0, test_shots)):
        sim.shots.append((sim.t, None))
        sim.wait(1.0, 3.0)
    sim.wait(40, 60)
    for number in range(1, n + 1):
        sim.emit(TicketIssued, number=number, code_digest=f"d{number}", class_name="c1", called=number == 1)
    q = _Queue(sim, n, corrected_after)
    while q.called is not None:
        kind = plan.pop(q.called, "normal") if q.ahead == 0 else "normal"
        front = q.called if q.ahead == 0 else q.line[q.ahead - 1]
        if kind in ("absent", "void_called"):
            q.leave(kind)
        elif kind == "noshow_press":
            sim.wait(5, 10)
            q.planted.append(("empty_press", q.called))
            q.press()
        elif kind == "late":  # the student comes minutes after the call: a long gap, not a mistake
            q.planted.append(("long_gap", q.called))
            sim.photograph(front, walk=(150.0, 170.0))
            q.press()
        elif kind == "undo":
            q.undo(front)
        else:
            q.shoot(kind, front)
        q.recalls()
        if q.ahead and q.called is not None and not q.line:
            break  # the camera already photographed the last student: the last number stays called
    return _finish(sim, room, date, offset_s, drift_s, q.planted)


def _plan(rng: random.Random, n: int, anomalies: bool, kinds: tuple[str, ...]) -> dict[int, str]:
    """number -> what happens when it is called (the mistakes once each, and a few absences and voids)."""
    plan: dict[int, str] = {}
    if anomalies:
        planned = list(kinds)
        rng.shuffle(planned)
        spots = rng.sample(range(20, n - 30), len(planned)) if n > 60 else []
        for kind, spot in zip(planned, spots, strict=False):
            plan[spot] = kind
    for spot in rng.sample(range(5, n - 5), max(1, n // 60)):
        plan.setdefault(spot, rng.choice(("absent", "absent", "void_called")))
    return plan


class _Queue:
    """The room's line as the station keeps it, and the photographer's presses on it."""

    def __init__(self, sim: _Sim, n: int, corrected_after: int | None):
        self.sim, self.corrected_after = sim, corrected_after
        self.line = deque(range(2, n + 1))
        self.called: int | None = 1
        self.ahead = 0  # students the camera is ahead of the queue (a forgotten press not yet pressed for)
        self.recall: list[tuple[int, int]] = []  # (after how many more turns, number)
        self.since_forget: int | None = None
        self.planted: list[tuple[str, int]] = []

    def press(self) -> None:
        nxt = self.line.popleft() if self.line else None
        self.sim.emit(Advanced, photographed=self.called, called=nxt)
        self.called = nxt

    def leave(self, kind: str) -> None:
        self.sim.wait(5, 15)
        nxt = self.line.popleft() if self.line else None
        cls = TicketSkipped if kind == "absent" else TicketVoided
        self.sim.emit(cls, number=self.called, called=nxt)
        if kind == "absent":
            self.recall.append((3, self.called))
        self.called = nxt

    def undo(self, front: int) -> None:
        sim = self.sim
        sim.photograph(front)
        nxt = self.line.popleft() if self.line else None
        sim.emit(Advanced, photographed=self.called, called=nxt)
        sim.wait(1.0, 2.5)
        sim.emit(AdvanceUndone, photographed=self.called, called=nxt)
        if nxt is not None:
            self.line.appendleft(nxt)
        sim.photograph(front, walk=(0.5, 1.5))  # one more frame, then the right press
        self.press()

    def shoot(self, kind: str, front: int) -> None:
        sim = self.sim
        sim.photograph(front)
        if kind == "forgotten" and self.line:
            self.planted.append(("missing_press", self.called))
            self.ahead, self.since_forget = 1, 0
            sim.photograph(self.line[0])  # the next student walks in; no press between
        if kind == "double_press" and len(self.line) >= 2:
            nxt = self.line.popleft()
            sim.emit(Advanced, photographed=self.called, called=nxt)
            sim.wait(0.4, 1.2)
            self.planted.append(("empty_press", nxt))
            self.called = nxt  # the screen jumps past this student, who is not photographed
        self.press()
        if self.since_forget is not None:
            self.since_forget += 1
            if (self.corrected_after is not None and self.since_forget > self.corrected_after
                    and self.called is not None):
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
                  [t for t, _ in sorted(sim.shots, key=lambda s: s[0])])
