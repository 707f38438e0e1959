"""The station's last copy of its room's timetable, as pulled from the centre.

Written to a temp file and renamed, so a power cut leaves the old copy or the new one, never half.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from photoqueue.device.errors import StationError
from photoqueue.device.timetable import ClassSlot, RoomDay


def save_room_day(path: str | Path, room_day: RoomDay, fetched_at: str = "") -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"room": room_day.room, "date": room_day.date.isoformat(), "fetched_at": fetched_at,
           "slots": [c.to_dict() for c in room_day.classes]}
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


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
