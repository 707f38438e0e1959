"""What a station has done so far, from its tickets: the measured pace and each class's progress.

Takes the tickets of ``photoqueue export --format json`` (:func:`photoqueue.device.store.export.collect`):
dicts with ``room``, ``date``, ``class``, ``status`` and ISO ``issued_at`` / ``photographed_at``.
Pure: the caller reads the data dir.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from photoqueue.timetable.model import RoomDay
from photoqueue.timetable.plan import ClassProgress

_ACCOUNTED = ("photographed", "skipped", "voided")


@dataclass
class RoomProgress:
    classes: dict[str, ClassProgress] = field(default_factory=dict)
    photographed_at: list[dt.datetime] = field(default_factory=list)  # every photo of the room, in order
    ready_at: list[dt.datetime | None] = field(default_factory=list)  # when each of those was in line
    latest: dt.datetime | None = None  # the last thing that happened (a ticket issued or a photo)


def timestamp(value: str | None) -> dt.datetime | None:
    """An ISO timestamp as local naive time, the way the timetable's slots are written."""
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.astimezone().replace(tzinfo=None) if t.tzinfo else t


def room_progress(tickets: Iterable[dict], room_day: RoomDay) -> RoomProgress:
    """Progress of ``room_day``'s classes from the tickets of that room and date (others are ignored)."""
    day = room_day.date.isoformat()
    mine = [t for t in tickets if t.get("room") == room_day.room and t.get("date") == day]
    out = RoomProgress()
    stamps = [timestamp(t.get("issued_at")) for t in mine] + [timestamp(t.get("photographed_at")) for t in mine]
    out.latest = max((s for s in stamps if s), default=None)
    shots = sorted((s, timestamp(t.get("issued_at"))) for t in mine if t.get("status") == "photographed"
                   for s in [timestamp(t.get("photographed_at"))] if s)
    out.photographed_at = [s for s, _ in shots]
    out.ready_at = [r for _, r in shots]
    shot_index = -1  # the furthest class in timetable order that has a photo
    names = room_day.names
    for i, name in enumerate(names):
        ts = [t for t in mine if t.get("class") == name]
        shots = sorted(s for s in (timestamp(t.get("photographed_at")) for t in ts
                                   if t.get("status") == "photographed") if s)
        if shots:
            shot_index = i
        out.classes[name] = ClassProgress(photographed=len(shots),
                                          accounted=sum(1 for t in ts if t.get("status") in _ACCOUNTED),
                                          first_at=shots[0] if shots else None,
                                          last_at=shots[-1] if shots else None)
    for name in names[:max(shot_index, 0)]:  # a later class is being shot: staff moved on
        p = out.classes[name]
        out.classes[name] = ClassProgress(p.photographed, p.accounted, p.first_at, p.last_at, finished=True)
    return out
