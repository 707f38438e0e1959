"""The timetable model: plain, immutable data shared by the station and the central service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClassSlot:
    """One class's slot in one room: shot in student-ID order within [start, end)."""

    date: dt.date
    room: str
    name: str
    headcount: int
    start: dt.time | None = None
    end: dt.time | None = None
    college: str = ""
    location: str = ""
    row: int = 0  # the source file's row (header = row 1), for messages

    @property
    def start_at(self) -> dt.datetime | None:
        return dt.datetime.combine(self.date, self.start) if self.start else None

    @property
    def end_at(self) -> dt.datetime | None:
        return dt.datetime.combine(self.date, self.end) if self.end else None

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "room": self.room,
            "class": self.name,
            "headcount": self.headcount,
            "start": self.start.strftime("%H:%M") if self.start else None,
            "end": self.end.strftime("%H:%M") if self.end else None,
            "college": self.college,
            "location": self.location,
        }

    @classmethod
    def from_dict(cls, d: dict) -> ClassSlot:
        def t(v):
            return dt.time.fromisoformat(v) if v else None

        return cls(
            date=dt.date.fromisoformat(d["date"]),
            room=d["room"],
            name=d["class"],
            headcount=int(d["headcount"]),
            start=t(d.get("start")),
            end=t(d.get("end")),
            college=d.get("college", ""),
            location=d.get("location", ""),
        )


@dataclass(frozen=True)
class RoomDay:
    """One room's classes on one date, in shooting order."""

    date: dt.date
    room: str
    classes: tuple[ClassSlot, ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[ClassSlot]:
        return iter(self.classes)

    def __len__(self) -> int:
        return len(self.classes)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.classes]

    def get(self, name: str) -> ClassSlot | None:
        for c in self.classes:
            if c.name == name:
                return c
        return None

    def after(self, name: str | None) -> ClassSlot | None:
        """The class shot after ``name`` (the first class when ``name`` is None)."""
        if name is None:
            return self.classes[0] if self.classes else None
        names = self.names
        if name not in names:
            return None
        i = names.index(name)
        return self.classes[i + 1] if i + 1 < len(self.classes) else None

    @property
    def expected(self) -> int:
        return sum(c.headcount for c in self.classes)


@dataclass(frozen=True)
class Timetable:
    """All slots of a timetable, in file order."""

    slots: tuple[ClassSlot, ...]
    source: str = ""

    @classmethod
    def of(cls, slots: Iterable[ClassSlot], source: str = "") -> Timetable:
        return cls(tuple(slots), source)

    @property
    def dates(self) -> list[dt.date]:
        return sorted({s.date for s in self.slots})

    @property
    def rooms(self) -> list[str]:
        """Room names in order of first appearance."""
        return list(dict.fromkeys(s.room for s in self.slots))

    def rooms_on(self, date: dt.date) -> list[str]:
        return list(dict.fromkeys(s.room for s in self.slots if s.date == date))

    def room_day(self, room: str, date: dt.date) -> RoomDay:
        """The room's classes that day, ordered by start time (file order where times tie or are missing)."""
        picked = [s for s in self.slots if s.room == room and s.date == date]
        picked.sort(key=lambda s: (s.start or dt.time.min))
        return RoomDay(date, room, tuple(picked))

    def to_dicts(self) -> list[dict]:
        return [s.to_dict() for s in self.slots]

    @classmethod
    def from_dicts(cls, rows: Iterable[dict], source: str = "") -> Timetable:
        return cls(tuple(ClassSlot.from_dict(r) for r in rows), source)
