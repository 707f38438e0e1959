"""The live state of every room, as ``/api/v1/rooms`` and the dashboard's cards read it (no personal data).

One row per station stream, plus one per registered room that has not synced. A stream that holds no
room day while another stream of its room does (a second Pi whose events were refused, ``room_held``) is
not a row of its own: what it sent shows in its room's ``set_aside`` list (never counted), and so does such
a station that only says hello and reports its health (refused before its first number: 0 events).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from photoqueue.central import roomdays
from photoqueue.core.state import PHOTOGRAPHED


def rooms(store: Any, stale_s: float) -> list[dict[str, Any]]:
    store.catch_up()
    with store.db.connection() as conn:
        streams = conn.all("SELECT station_id, room, high_water, last_seen_at, pending, health FROM streams")
        registered = {r for (r,) in conn.all("SELECT DISTINCT room FROM stations WHERE revoked_at IS NULL")}
        held = roomdays.held_days(conn)
        aside = roomdays.set_aside_summary(conn)
    holding_rooms = {room for sid, room, *_ in streams if sid in held}
    for sid, room, _hw, last_seen, *_ in streams:
        if room in holding_rooms and sid not in held and not any(a["station_id"] == sid for a in aside.get(room, [])):
            days = sorted(d for hs, ds in held.items() for d in ds if d.startswith(room + " "))
            by = next((hs for hs, ds in held.items() if days and days[-1] in ds), None)
            aside.setdefault(room, []).append({"station_id": sid, "date": None, "holder": by, "events": 0,
                                               "tickets": 0, "first_at": last_seen, "last_at": last_seen})
    streams = [s for s in streams if s[0] in held or s[1] not in holding_rooms]
    latest: dict[str, tuple] = {}
    for (sid, _room, date), state in store.projection.sessions():  # frozen copies: safe beside ingest
        if sid not in latest or date > latest[sid][0]:
            latest[sid] = (date, state)
    now = dt.datetime.now(dt.UTC)
    errors = store.sync_errors
    out = []
    for sid, room, hw, last_seen, pending, health in sorted(streams, key=lambda r: (r[1], r[3] or "")):
        date, state = latest.get(sid, (None, None))
        age = (now - dt.datetime.fromisoformat(last_seen)).total_seconds()
        out.append({
            "sync_error": (errors.get(sid) or errors.get(f"room:{room}") or (None,))[0],
            "room": room, "station_id": sid, "date": date, "online": age <= stale_s,
            "last_seen_at": last_seen, "seconds_since_seen": round(age, 1), "high_water": int(hw),
            "outbox_pending": pending, "health": json.loads(health or "{}"),
            "now_serving": state.called if state else None,
            "waiting": len(state.waiting) if state else 0,
            "next": list(state.waiting[:5]) if state else [],
            "active_class": state.active_class if state else None,
            "issued": len(state.tickets) if state else 0,
            "photographed": sum(1 for t in state.tickets.values() if t.status == PHOTOGRAPHED) if state else 0,
            "set_aside": aside.get(room, []),
        })
    for room in sorted(registered - {r["room"] for r in out}):
        out.append({"room": room, "station_id": None, "date": None, "online": False, "last_seen_at": None,
                    "seconds_since_seen": None, "high_water": 0, "outbox_pending": None, "health": {},
                    "now_serving": None, "waiting": 0, "next": [], "active_class": None, "issued": 0,
                    "photographed": 0, "set_aside": aside.get(room, []), "sync_error": None})
    return out
