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
from photoqueue.core import glossary
from photoqueue.reports import counts as reports
from photoqueue.timetable.model import ClassSlot

# the one vocabulary (core/glossary.py): the page's headings, chips and tooltips come from it
WORDS = {k: t.zh for k, t in glossary.TERMS.items()}
MEANINGS = {k: t.meaning_zh for k, t in glossary.TERMS.items()}


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
        view["set_aside"] = row.get("set_aside") or []  # a second station's refused events (roomview.py)
    return views


def sync_alert(row: dict[str, Any]) -> str | None:
    """Why the room cannot sync (the centre refused its last request), or its clock's alert."""
    if row.get("sync_error"):
        return f"无法同步 / cannot sync: {row['sync_error']}"
    sync = (row.get("health") or {}).get("sync")
    return sync.get("clock_alert") if isinstance(sync, dict) else None


def staff_snapshot(store: Any, settings: DashboardSettings, stale_s: float,
                   now: dt.datetime | None = None) -> dict[str, Any]:
    """``now``: naive deployment time (``settings.now()``), like the stations' event times."""
    now = now or settings.now()
    _by_day, colleges = _slots(store)
    # the one split (core.counts.split_row) at the deployment's time: the downloads and /api/v1/counts agree
    report = reports.build_report(store.counts(), settings.fee_yuan, colleges, now=now).to_dict()
    rooms = room_views(store, settings, stale_s, now)
    commands = store.commands()[-settings.recent_commands:][::-1] if settings.recent_commands else []
    return {"rooms": rooms, "report": report, "today": now.date().isoformat(),
            "time_zone": settings.time_zone, "clock": now.strftime("%H:%M"),
            "has_college": any(colleges.values()), "words": WORDS, "meanings": MEANINGS,
            "commands": [_command(c, settings) for c in commands]}


def _command(c: dict[str, Any], settings: DashboardSettings) -> dict[str, Any]:
    """A staff command with its times in the deployment's time zone (stored in UTC)."""
    out = {k: c.get(k) for k in ("id", "room", "kind", "args", "created_at", "created_by", "acked_at", "state",
                                 "reason", "expires_at")}
    created = settings.local(c["created_at"])
    out["time"] = created.strftime("%m-%d %H:%M:%S") if created else ""
    return out


WEEKDAYS = "一二三四五六日"


def public_snapshot(store: Any, settings: DashboardSettings, stale_s: float,
                    now: dt.datetime | None = None) -> dict[str, Any]:
    """Every day of the timetable and of the stations' sessions, each with its rooms (a station's session of
    that day, else the timetable's slots), so a class on another day is found on its day. ``date``: the day
    shown first: today when it has rooms, else the next day that has, else the latest."""
    now = now or settings.now()
    today = now.date().isoformat()
    early = dt.timedelta(minutes=settings.arrive_early_min)
    fee, idle = (settings.fee_yuan, settings.fee_rule), dt.timedelta(minutes=settings.idle_over_min)
    slots, _ = _slots(store)
    stations = {r["station_id"]: r for r in store.rooms(stale_s=stale_s) if r["station_id"]}
    days: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {}
    for (sid, room, date), state in store.projection.sessions():
        view = live.room_view(state, stations.get(sid), now, slots=slots.get((date, room)),
                              default_pace_s=settings.default_pace_s, min_intervals=settings.min_intervals,
                              max_gap_s=settings.max_gap_s)
        held = days.setdefault(date, {}).get(room)
        if held is None or view["issued"] > held[0]:  # two stations on one room-day: the one that numbered
            days[date][room] = (view["issued"], live.public_view(view, early, now=now, fee=fee, idle_over=idle))
    planned = store.timetable()
    for day in planned.dates:
        shown = days.setdefault(day.isoformat(), {})
        for room in planned.rooms_on(day):
            if room not in shown:
                shown[room] = (0, live.scheduled_view(planned.room_day(room, day), early, now=now, fee=fee))
    ordered = sorted(days)
    first = today if today in days else next((d for d in ordered if d > today), ordered[-1] if ordered else today)
    out_days = [{"date": d, "label": day_label(d), "today": d == today,
                 "rooms": [days[d][r][1] for r in sorted(days[d])]} for d in ordered]
    rooms = next((d["rooms"] for d in out_days if d["date"] == first), [])
    return {"date": first, "today": today, "clock": now.strftime("%H:%M"), "rooms": rooms, "days": out_days,
            "arrive_early_min": settings.arrive_early_min, "fee_yuan": settings.fee_yuan,
            "fee_rule": settings.fee_rule, "fee_rule_zh": glossary.FEE_RULES[settings.fee_rule][1]}


def day_label(date: str) -> str:
    """2024-06-12 -> 6月12日（周三）"""
    try:
        d = dt.date.fromisoformat(date)
    except ValueError:
        return date
    return f"{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"


def as_json(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"), default=str)


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
            text = as_json(compute())
            self._held[kind] = (time.monotonic(), text)
            return text
