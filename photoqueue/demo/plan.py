"""Who comes to a room on the demo's day, and when: a deterministic plan from the timetable and a seed.

Pure: no station, no clock. Each student has a code (stable across runs, so a resumed demo's
students get their old numbers), an arrival time and a behaviour: on time, late (comes during a
later class; staff correct the ticket's class), absent (never comes), twice (scans again and gets
a reprint of the same number), foreign (first shows a payment code or a web link), or leaves
(scans, then is not there when called: skipped; half of them come back and are recalled).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass

from photoqueue.demo.frames import FOREIGN_CODES, student_code
from photoqueue.timetable import RoomDay

BEHAVIOURS = {"late": 0.05, "absent": 0.05, "twice": 0.04, "foreign": 0.03, "leaves": 0.02}
MIN_SLOT = dt.timedelta(minutes=5)
BURST_LEAD = dt.timedelta(minutes=4)  # the crowd is at the door this long before the slot
BURST_GAP_S = (1.0, 3.5)  # seconds between two students of the crowd scanning


@dataclass(frozen=True)
class Student:
    code: str
    class_name: str
    index: int
    arrive_at: dt.datetime
    behaviour: str = "ok"
    foreign_code: str = ""
    comes_back: bool = False  # a student who leaves: returns to be recalled


def scale_room_day(room_day: RoomDay, cap: int | None) -> RoomDay:
    """The room's day with at most ``cap`` students: headcounts scaled down, later classes dropped
    when even one student each is too many. The station is given this scaled timetable, so its
    expected counts agree with who the demo sends."""
    if cap is None or cap >= room_day.expected or not room_day.classes:
        return room_day
    cap = max(cap, 1)
    factor = cap / room_day.expected
    classes = []
    left = cap
    for c in room_day.classes:
        if left <= 0:
            break
        n = min(max(1, round(c.headcount * factor)), left)
        classes.append(dataclasses.replace(c, headcount=n))
        left -= n
    return RoomDay(room_day.date, room_day.room, tuple(classes))


def _slot(c, date: dt.date) -> tuple[dt.datetime, dt.timedelta]:
    start = dt.datetime.combine(date, c.start or dt.time(8, 0))
    end = dt.datetime.combine(date, c.end) if c.end else start + MIN_SLOT
    # the published timetables have reversed and 2-minute slots; students still come over a few minutes
    return start, max(end - start, MIN_SLOT)


def plan_students(room_day: RoomDay, seed: int) -> list[Student]:
    """Every student of the room's day (absent ones included), in arrival order."""
    rng = random.Random(f"{seed}/{room_day.date}/{room_day.room}")
    students = []
    for k, c in enumerate(room_day.classes):
        start, length = _slot(c, room_day.date)
        # a class comes as a crowd, as on the real day: at the door a few minutes before its slot, scanning
        # one after another a few seconds apart, so the queue on the hall screen grows to 20-40
        arrive = start - BURST_LEAD
        for i in range(c.headcount):
            arrive += dt.timedelta(seconds=rng.uniform(*BURST_GAP_S))
            r = rng.random()
            behaviour, acc = "ok", 0.0
            for name, p in BEHAVIOURS.items():
                acc += p
                if r < acc:
                    behaviour = name
                    break
            comes = arrive
            if behaviour == "late" and k + 1 < len(room_day.classes):
                comes = start + length + dt.timedelta(seconds=rng.uniform(60, 300))
            elif behaviour == "late":
                behaviour = "ok"
            students.append(Student(
                code=student_code(seed, room_day.date, room_day.room, c.name, i), class_name=c.name, index=i,
                arrive_at=comes, behaviour=behaviour,
                foreign_code=FOREIGN_CODES[rng.randrange(len(FOREIGN_CODES))] if behaviour == "foreign" else "",
                comes_back=behaviour == "leaves" and rng.random() < 0.5))
    students.sort(key=lambda s: s.arrive_at)
    return students
