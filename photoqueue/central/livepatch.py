"""Send a phone only what changes on its screen.

The public snapshot (every day, every room, every class: about 100 KB on a full day) is split in two:

- the **plan**: the days, the rooms of each day and their classes in order, each class's slot and
  "arrive by" time. It changes a few times a day (a timetable, a room's first sync). A phone fetches it
  once, as ``/status.json`` (gzip, with an ETag: a poll of an unchanged snapshot is a 304), and again only
  when told the plan changed.
- the **live** part: everything else (per room the class being shot, the number called, how late; per
  class its status, expected times, "arrive by"; the page's clock).
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

# The plan: what changes a few times a day. Every other field of the snapshot is live and goes out as a
# patch when it changes (field by field, so a field added to the public view later is carried too).
PLAN_TOP = ("date", "today", "arrive_early_min", "days", "rooms")
PLAN_ROOM = ("room", "date", "location", "classes")
PLAN_CLASS = ("class", "scheduled_start")
# Fields of the public view the /status page does not show (status.js): never worth a patch.
NOT_SHOWN = frozenset({"status_zh", "start_late_min", "waiting", "online", "clock"})


def version_of(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def split(snapshot: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(a digest of the plan, the live part: {"top": {...}, "rooms": {"D.R": {field: value, "c": [{...}]}}}),
    a room keyed by the index of its day in ``days`` and its own in that day's ``rooms``."""
    plan_days, rooms = [], {}
    for d, day in enumerate(snapshot.get("days", [])):
        plan_rooms = []
        for r, room in enumerate(day.get("rooms", [])):
            classes = room.get("classes", [])
            plan_rooms.append([room.get("room"), room.get("location"),
                               [[c.get(k) for k in PLAN_CLASS] for c in classes]])
            live = {k: v for k, v in room.items() if k not in PLAN_ROOM and k not in NOT_SHOWN}
            live["c"] = [{k: v for k, v in c.items() if k not in PLAN_CLASS and k not in NOT_SHOWN} for c in classes]
            rooms[f"{d}.{r}"] = live  # day and room by their place in the plan (the same while it holds)
        plan_days.append([day.get("date"), day.get("label"), day.get("today"), plan_rooms])
    plan = [snapshot.get("date"), snapshot.get("today"), snapshot.get("arrive_early_min"), plan_days]
    plan_digest = hashlib.blake2b(json.dumps(plan, ensure_ascii=False, default=str).encode(), digest_size=8).hexdigest()
    top = {k: v for k, v in snapshot.items() if k not in PLAN_TOP}
    return plan_digest, {"top": top, "rooms": rooms}


def _changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in new.items() if k not in old or old[k] != v}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The patch from live part ``old`` to ``new`` (same plan): the changed top fields, and per changed room
    only its changed fields, and under "c" only its changed classes' changed fields, by index."""
    out: dict[str, Any] = {}
    top = _changed(old.get("top", {}), new.get("top", {}))
    if top:
        out["top"] = top
    rooms = {}
    for key, room in new["rooms"].items():
        was = old["rooms"].get(key, {})
        change = _changed({k: v for k, v in was.items() if k != "c"}, {k: v for k, v in room.items() if k != "c"})
        old_classes = was.get("c", [])
        classes = {}
        for i, c in enumerate(room["c"]):
            moved = _changed(old_classes[i] if i < len(old_classes) else {}, c)
            if moved:
                classes[str(i)] = moved
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
