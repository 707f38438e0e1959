"""The station's last copy of its room's timetable, as pulled from the centre.

Written to a temp file and renamed, so a power cut leaves the old copy or the new one, never half.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

from photoqueue.atomicfile import atomic_write
from photoqueue.device.errors import StationError
from photoqueue.timetable import ClassSlot, RoomDay

log = logging.getLogger(__name__)


def save_room_day(path: str | Path, room_day: RoomDay, fetched_at: str = "") -> None:
    doc = {"room": room_day.room, "date": room_day.date.isoformat(), "fetched_at": fetched_at,
           "slots": [c.to_dict() for c in room_day.classes]}
    atomic_write(path, json.dumps(doc, ensure_ascii=False, indent=1))


def load_room_day(path: str | Path, room: str, date: str) -> RoomDay | None:
    """The cached copy for (room, date), or None when there is none (or it is for another day)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StationError(f"{path}: unreadable timetable cache: {exc}") from None
    if doc.get("room") != room or doc.get("date") != date:
        return None
    try:
        slots = tuple(ClassSlot.from_dict(s) for s in doc.get("slots", []))
    except (KeyError, TypeError, ValueError) as exc:
        raise StationError(f"{path}: malformed timetable cache: {exc}") from None
    return RoomDay(dt.date.fromisoformat(date), room, slots)


def room_day_with_fallback(fetch: Callable[[], list[dict]], room: str, date: str, cache_path: str | Path,
                           fallback_file: str | Path | None = None, fetched_at: str = "") -> tuple[RoomDay, str]:
    """The room's classes that day and where they came from: ``fetch()`` (the centre's slots, cached
    on success), else the cached copy, else ``fallback_file`` (a timetable file), else an empty day.
    ``fetch`` raises (offline) or returns no slots (the centre holds none for that day) to fall back."""
    day = dt.date.fromisoformat(date)
    try:
        slots = tuple(ClassSlot.from_dict(s) for s in fetch())
        if slots:
            room_day = RoomDay(day, room, slots)
            save_room_day(cache_path, room_day, fetched_at)
            return room_day, "centre"
        log.warning("the centre holds no timetable for %s on %s", room, date)
    except Exception as exc:  # offline, an error answer, a malformed one: the last copy serves
        log.warning("timetable from the centre unavailable (%s); using the last copy", exc)
    cached = load_room_day(cache_path, room, date)
    if cached is not None:
        return cached, "cache"
    if fallback_file:
        from photoqueue.timetable import load_timetable

        return load_timetable(fallback_file).room_day(room, day), "file"
    return RoomDay(day, room, ()), ""
