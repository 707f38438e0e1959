"""A station's batch as the centre reads it, before anything is stored: each event checked (a seq, a
known type, the token's room, no raw code), sorted by seq with repeats merged, kept as its canonical
JSON body; and the station's health, bounded."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from photoqueue.central.errors import CentralError
from photoqueue.core.errors import CoreError
from photoqueue.core.events import Event, event_from_dict

HEALTH_KEYS_MAX = 20


def parse_batch(raw_events: Any, room: str) -> tuple[list[Event], dict[int, str]]:
    """Validate a batch: a list of public event dicts, each with a seq; sorted by seq, repeats merged."""
    if not isinstance(raw_events, list):
        raise CentralError("events must be a list of event objects", http_status=422)
    events: dict[int, Event] = {}
    bodies: dict[int, str] = {}
    for i, d in enumerate(raw_events):
        if not isinstance(d, dict):
            raise CentralError(f"events[{i}]: an event must be an object", http_status=422)
        seq = d.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise CentralError(f"events[{i}]: seq must be a positive integer, not {seq!r}", http_status=422)
        if d.get("code"):
            raise CentralError(f"events[{i}]: carries a raw collection code, which never leaves the station",
                               http_status=422)
        try:
            event = event_from_dict(d)
            if not isinstance(event.room, str) or not isinstance(event.date, str):
                raise CoreError("room and date must be strings")
            dt.date.fromisoformat(event.date)
        except (CoreError, ValueError) as exc:
            raise CentralError(f"events[{i}] (seq {seq}): {exc}", http_status=422) from None
        if event.room != room:
            raise CentralError(f"events[{i}] (seq {seq}) is for room {event.room!r}; this station writes only "
                               f"for {room!r}", http_status=403)
        body = json.dumps({k: v for k, v in d.items() if k != "code"}, ensure_ascii=False, separators=(",", ":"))
        if seq in bodies and bodies[seq] != body:
            raise CentralError(f"events[{i}]: two different events with seq {seq}", http_status=422)
        events[seq], bodies[seq] = event, body
    return [events[s] for s in sorted(events)], bodies


def health_text(health: Any) -> str | None:
    if health is None:
        return None
    if not isinstance(health, dict) or len(health) > HEALTH_KEYS_MAX:
        raise CentralError(f"health must be an object of at most {HEALTH_KEYS_MAX} keys", http_status=422)
    text = json.dumps(health, ensure_ascii=False)
    if len(text) > 4000:
        raise CentralError("health is too large (at most 4000 characters of JSON)", http_status=422)
    return text
