"""What the live pages show, read from the central store: the staff snapshot (every room, counts, fees,
totals, the make-up list, recent staff commands) and the public one (classes and expected times only).

A snapshot is computed at most once per ``push_interval_s`` whatever the number of open pages, and
served to all of them as the same JSON text, so a wall screen and a dozen phones cost one computation.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Any

from photoqueue.central.dashboard import live
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.reports import counts as reports
from photoqueue.timetable.model import ClassSlot


def latest_sessions(store: Any) -> dict[str, Any]:
    """station_id -> its latest session's folded state (the day it is working on)."""
    latest: dict[str, Any] = {}
    for (sid, _room, date), state in store.projection.sessions():
        if sid not in latest or date > latest[sid].date:
            latest[sid] = state
    return latest


def _slots(store: Any) -> tuple[dict[tuple[str, str], dict[str, ClassSlot]], dict[tuple[str, str, str], str]]:
    by_day: dict[tuple[str, str], dict[str, ClassSlot]] = {}
    colleges: dict[tuple[str, str, str], str] = {}
    for s in store.timetable().slots:
        by_day.setdefault((s.date.isoformat(), s.room), {})[s.name] = s
        if s.college:
            colleges[(s.date.isoformat(), s.room, s.name)] = s.college
    return by_day, colleges


def room_views(store: Any, settings: DashboardSettings, stale_s: float, now: dt.datetime) -> list[dict[str, Any]]:
    stations = store.rooms(stale_s=stale_s)
    states = latest_sessions(store)
    slots, _ = _slots(store)
    views = []
    for row in stations:
        state = states.get(row["station_id"]) if row["station_id"] else None
        if state is None:
            views.append({"room": row["room"], "date": None, "station_id": row["station_id"], "empty": True,
                          "online": bool(row["online"]), "last_seen_at": row["last_seen_at"],
                          "printer": str((row["health"] or {}).get("printer", "unknown")),
                          "camera": live.camera_state(row["health"] or {}), "plan": [], "recent": []})
            continue
        views.append(live.room_view(state, row, now, slots=slots.get((state.date, state.room)),
                                    default_pace_s=settings.default_pace_s, min_intervals=settings.min_intervals,
                                    max_gap_s=settings.max_gap_s))
    for view, row in zip(views, stations, strict=True):
        view["sync_alert"] = sync_alert(row)
    return views


def sync_alert(row: dict[str, Any]) -> str | None:
    """Why the room cannot sync (the centre refused its last request), or its clock's alert."""
    if row.get("sync_error"):
        return f"无法同步 / cannot sync: {row['sync_error']}"
    sync = (row.get("health") or {}).get("sync")
    return sync.get("clock_alert") if isinstance(sync, dict) else None


def staff_snapshot(store: Any, settings: DashboardSettings, stale_s: float,
                   now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or dt.datetime.now()
    _, colleges = _slots(store)
    report = reports.build_report(store.counts(), settings.fee_yuan, colleges)
    commands = store.commands()[-settings.recent_commands:][::-1] if settings.recent_commands else []
    return {"rooms": room_views(store, settings, stale_s, now), "report": report.to_dict(),
            "office_tz": settings.office_tz,
            "commands": [{k: c.get(k) for k in ("id", "room", "kind", "args", "created_at", "created_by", "acked_at",
                                                "state", "reason", "expires_at")} for c in commands]}


def public_snapshot(store: Any, settings: DashboardSettings, stale_s: float,
                    now: dt.datetime | None = None) -> dict[str, Any]:
    """Today's rooms (a station's session of today, or today's timetable); on a day with neither, the
    latest day any station worked, so a rehearsal or yesterday's end state still reads."""
    now = now or dt.datetime.now()
    today = now.date().isoformat()
    rooms = [live.public_view(v) for v in room_views(store, settings, stale_s, now) if not v.get("empty")]
    planned = store.timetable(date=today)
    shown = {r["room"] for r in rooms if r["date"] == today}
    rooms += [live.scheduled_view(planned.room_day(room, now.date())) for room in planned.rooms_on(now.date())
              if room not in shown]
    day = today if any(r["date"] == today for r in rooms) else max((r["date"] for r in rooms), default=today)
    rooms = sorted((r for r in rooms if r["date"] == day), key=lambda r: r["room"])
    return {"date": day, "rooms": rooms}


class SnapshotCache:
    """The last computed snapshot of each kind, as JSON text, reused while younger than ``max_age_s``."""

    def __init__(self, max_age_s: float):
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._held: dict[str, tuple[float, str]] = {}

    def get(self, kind: str, compute) -> str:
        with self._lock:  # one computation at a time; the others wait and take its result
            held = self._held.get(kind)
            if held and time.monotonic() - held[0] < self.max_age_s:
                return held[1]
            text = json.dumps(compute(), ensure_ascii=False, separators=(",", ":"), default=str)
            self._held[kind] = (time.monotonic(), text)
            return text
