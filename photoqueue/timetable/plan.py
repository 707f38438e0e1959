"""The planner: when each class will really start and end at a given pace, and how late each room runs.

``plan_room(room_day, pace_s, now=None, measured=None)`` is pure and cheap: the station's display and the
central "when is my class" page call it with the pace measured so far and each class's progress.

The rules (docs/timetable.md explains the choices):

- Classes are shot in timetable order, each taking ``headcount × pace_s`` seconds.
- A class does not start before its slot (minus ``early``, 0 by default): students are told to come
  15 minutes early to queue, but the photographer shoots a class from its slot on, so a room ahead of
  time waits and a room behind runs late.
- With ``now``, nothing not yet shot starts before ``now``. With ``measured`` (class name ->
  :class:`ClassProgress`), finished classes keep their real times and the class being shot finishes
  its remaining students from its last photo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from photoqueue.core.pace import WORKING_PACE_S
from photoqueue.settings import setting
from photoqueue.timetable.model import RoomDay

DEFAULT_PACE_S = WORKING_PACE_S  # the one pace rule (core/pace.py): `check` calls a slot tight below it
MINUTE = dt.timedelta(minutes=1)


def to_minute(t: dt.datetime) -> dt.datetime:
    """The one rounding of a planned time for a person: to the nearest minute (half a minute up). Times
    and delays are both read off rounded times, so "14:50-14:56" is never "晚 2 分" of a 14:55 slot."""
    base = t.replace(second=0, microsecond=0)
    return base + MINUTE if t - base >= MINUTE / 2 else base


def minutes_between(a: dt.datetime | None, b: dt.datetime | None) -> int | None:
    """Whole minutes from ``b`` to ``a`` as a person reads them: the difference of the rounded times."""
    if a is None or b is None:
        return None
    return round((to_minute(a) - to_minute(b)).total_seconds() / 60)


@dataclass
class PlanSettings:
    pace_s: float = setting(DEFAULT_PACE_S, "seconds a student when no pace is measured yet", min=0.01, max=600)
    early_min: float = setting(0.0, "minutes a class may start before its slot when the room is free", min=0)
    max_gap_s: float = setting(120.0, "a longer pause between two photos is a break, not the pace", min=0.01)
    min_intervals: int = setting(10, "photo-to-photo intervals needed before the measured pace is used", min=1)


@dataclass(frozen=True)
class ClassProgress:
    """What a station has done for one class so far."""

    photographed: int = 0
    accounted: int = 0  # photographed + skipped + voided: students the line is done with
    first_at: dt.datetime | None = None  # the class's first photo
    last_at: dt.datetime | None = None  # its latest photo
    finished: bool = False  # staff moved on (a later class is being shot)


@dataclass(frozen=True)
class ClassPlan:
    name: str
    headcount: int
    scheduled_start: dt.datetime | None
    scheduled_end: dt.datetime | None
    start: dt.datetime | None
    end: dt.datetime | None
    status: str = "waiting"  # "done", "shooting" or "waiting"
    remaining: int = 0  # students still to photograph

    @property
    def start_delay(self) -> dt.timedelta | None:
        """How much later than its slot the class starts (negative: earlier)."""
        return _diff(self.start, self.scheduled_start)

    @property
    def end_delay(self) -> dt.timedelta | None:
        return _diff(self.end, self.scheduled_end)

    def to_dict(self) -> dict:
        return {"class": self.name, "headcount": self.headcount, "status": self.status,
                "remaining": self.remaining, "scheduled_start": _iso(self.scheduled_start),
                "scheduled_end": _iso(self.scheduled_end), "start": _iso(self.start), "end": _iso(self.end),
                "start_delay_s": _secs(self.start_delay), "end_delay_s": _secs(self.end_delay)}


@dataclass(frozen=True)
class RoomPlan:
    room: str
    date: dt.date
    pace_s: float
    classes: tuple[ClassPlan, ...]
    pace_source: str = "given"  # "given" (an option or the default) or "measured"
    location: str = ""
    now: dt.datetime | None = None

    @property
    def scheduled_finish(self) -> dt.datetime | None:
        return max((c.scheduled_end for c in self.classes if c.scheduled_end), default=None)

    @property
    def finish(self) -> dt.datetime | None:
        return max((c.end for c in self.classes if c.end), default=None)

    @property
    def late_by(self) -> dt.timedelta:
        """How much after its last slot's end the room finishes (zero or negative: on time)."""
        return _diff(self.finish, self.scheduled_finish) or dt.timedelta(0)

    @property
    def max_start_delay(self) -> dt.timedelta:
        """The longest a class waits past its slot's start."""
        return max((c.start_delay for c in self.classes if c.start_delay is not None), default=dt.timedelta(0))

    def find(self, name: str) -> ClassPlan | None:
        """The plan of one class: "when is my class"."""
        return next((c for c in self.classes if c.name == name), None)

    def to_dict(self) -> dict:
        return {"room": self.room, "date": self.date.isoformat(), "location": self.location,
                "pace_s": round(self.pace_s, 2), "pace_source": self.pace_source, "now": _iso(self.now),
                "scheduled_finish": _iso(self.scheduled_finish), "finish": _iso(self.finish),
                "late_s": _secs(self.late_by), "max_start_delay_s": _secs(self.max_start_delay),
                "classes": [c.to_dict() for c in self.classes]}


def plan_room(room_day: RoomDay, pace_s: float, now: dt.datetime | None = None,
              measured: Mapping[str, ClassProgress] | None = None,
              early: dt.timedelta = dt.timedelta(0)) -> RoomPlan:
    """When each class of ``room_day`` will start and end at ``pace_s`` seconds a student."""
    if pace_s <= 0:
        raise ValueError("pace_s must be above 0")
    measured = measured or {}
    per = dt.timedelta(seconds=pace_s)
    free: dt.datetime | None = None  # when the photographer is next free
    plans = []
    for slot in room_day.classes:
        p = measured.get(slot.name, ClassProgress())
        todo = max(slot.headcount - p.accounted, 0)
        if p.finished or (p.accounted and not todo):
            start, end, status, todo = p.first_at or slot.start_at, p.last_at or p.first_at or slot.start_at, "done", 0
        elif p.photographed:
            start, status = p.first_at, "shooting"
            end = _latest(p.last_at, now, free) + per * todo
        else:
            earliest = slot.start_at - early if slot.start_at else None
            start, status = _latest(free, earliest, now), "waiting"
            end = start + per * todo if start else None
        free = _latest(free, end)
        plans.append(ClassPlan(slot.name, slot.headcount, slot.start_at, slot.end_at, start, end, status, todo))
    location = next((c.location for c in room_day.classes if c.location), "")
    return RoomPlan(room_day.room, room_day.date, pace_s, tuple(plans), location=location, now=now)


def _latest(*times: dt.datetime | None) -> dt.datetime | None:
    return max((t for t in times if t is not None), default=None)


def _diff(a: dt.datetime | None, b: dt.datetime | None) -> dt.timedelta | None:
    return a - b if a is not None and b is not None else None


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None


def _secs(d: dt.timedelta | None) -> int | None:
    return round(d.total_seconds()) if d is not None else None
