"""Send a phone only what changes on its screen.

The public snapshot (every day, every room, every class: about 100 KB on a full day) is split in two:

- the **plan**: the days, the rooms of each day and their classes in order, each class's slot and
  "arrive by" time. It changes a few times a day (a timetable, a room's first sync). A phone fetches it
  once, as ``/status.json`` (gzip, with an ETag: a poll of an unchanged snapshot is a 304), and again only
  when told the plan changed.
- the **live** part: per room, what moves on the student's screen (the class being shot, the number
  called, how many wait, how late, the room's clock, online) and per class its status and expected times.
  A change is sent on the stream as a patch of only the fields that changed (usually one room: a few
  hundred bytes), from one snapshot version to the next.

Versions are a digest of the snapshot's text, so two workers holding the same data agree, and a phone that
missed a patch (or reconnected to another worker) sees that its version is not the patch's base and
fetches the plan again. Pure functions; :class:`LiveChannelState` keeps the last split for the hub.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

LIVE_ROOM = ("current_class", "now_serving", "waiting", "late_min", "clock", "online")
LIVE_CLASS = ("status", "status_zh", "expected_start", "expected_end", "start_late_min")


def version_of(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def split(snapshot: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(a digest of the plan, the live part: {"clock": ..., "rooms": {"DATE|ROOM": {field: value, "c": [[...]]}}})"""
    plan_days, rooms = [], {}
    for day in snapshot.get("days", []):
        plan_rooms = []
        for room in day.get("rooms", []):
            classes = room.get("classes", [])
            plan_rooms.append([room.get("room"), room.get("location"),
                               [[c.get("class"), c.get("scheduled_start"), c.get("arrive_by")] for c in classes]])
            live = {k: room.get(k) for k in LIVE_ROOM}
            live["c"] = [[c.get(k) for k in LIVE_CLASS] for c in classes]
            rooms[f"{day.get('date')}|{room.get('room')}"] = live
        plan_days.append([day.get("date"), day.get("label"), day.get("today"), plan_rooms])
    plan = [snapshot.get("date"), snapshot.get("today"), snapshot.get("arrive_early_min"), plan_days]
    plan_digest = hashlib.blake2b(json.dumps(plan, ensure_ascii=False, default=str).encode(), digest_size=8).hexdigest()
    return plan_digest, {"clock": snapshot.get("clock"), "rooms": rooms}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The patch from live part ``old`` to ``new`` (same plan): per changed room only its changed fields, and
    under "c" only its changed classes by index."""
    out: dict[str, Any] = {}
    if old.get("clock") != new.get("clock"):
        out["clock"] = new.get("clock")
    rooms = {}
    for key, room in new["rooms"].items():
        was = old["rooms"].get(key, {})
        change = {k: room[k] for k in LIVE_ROOM if room.get(k) != was.get(k)}
        old_classes = was.get("c", [])
        classes = {str(i): c for i, c in enumerate(room["c"]) if i >= len(old_classes) or old_classes[i] != c}
        if classes:
            change["c"] = classes
        if change:
            rooms[key] = change
    if rooms:
        out["rooms"] = rooms
    return out


def sse(event: str, doc: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(doc, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


class LiveChannelState:
    """What the public channel sends to phones, recomputed once per new snapshot (not per phone): the
    version, the gzip of the whole snapshot for /status.json, and the event that takes a phone from the
    previous version to this one (a patch, or "plan" when the plan changed)."""

    def __init__(self):
        self.version = ""
        self.gzipped = b""
        self.hello = b""
        self.step = b""  # the event from the previous version to this one
        self.resync = b""  # for a stream that missed a step: fetch /status.json again
        self._plan = ""
        self._live: dict[str, Any] | None = None

    def update(self, text: str) -> None:
        previous = self.version
        self.version = version_of(text)
        self.gzipped = gzip.compress(text.encode("utf-8"), 6)
        try:
            plan, live = split(json.loads(text))
        except (ValueError, AttributeError, TypeError):
            plan, live = "", None
        self.hello = sse("hello", {"v": self.version})
        self.resync = sse("plan", {"v": self.version})
        if live is not None and self._live is not None and plan == self._plan:
            self.step = sse("live", {"base": previous, "v": self.version, **diff(self._live, live)})
        else:
            self.step = self.resync
        self._plan, self._live = plan, live
