"""Each room's live view, pure: from a session's folded queue state (and what its station last reported)
to what the staff dashboard and the public /status page show.

The plan ("when is each class expected") is the timetable planner's (:func:`plan_room`) at the pace
measured from the room's photos so far; the room's clock is the wall clock on the session's own day, and
the session's latest event on any other day (a replayed or past day still reads sensibly).

``public_view`` is built field by field from the staff view, never by copying it: it carries no code
digest and no ticket number tied to a class or a status, only the number now being served.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from photoqueue.core.counts import class_counts
from photoqueue.core.pace import measure_pace
from photoqueue.core.state import PHOTOGRAPHED, SessionState
from photoqueue.reports.agency import ticket_dict
from photoqueue.timetable.model import ClassSlot, RoomDay
from photoqueue.timetable.plan import ClassPlan, plan_room
from photoqueue.timetable.progress import room_progress

RECENT_TICKETS = 8
STATUS_ZH = {"done": "已完成", "shooting": "拍摄中", "waiting": "待拍"}


def hhmm(t: dt.datetime | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def _time(text: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat(text) if text else None
    except ValueError:
        return None


def room_day_of(state: SessionState, slots: Mapping[str, ClassSlot] | None = None) -> RoomDay:
    """The session's plan (as the station loaded it) as a RoomDay, with the centre's timetable adding
    colleges and locations by class name."""
    date = dt.date.fromisoformat(state.date)
    slots = slots or {}
    out = []
    for c in state.plan:
        known = slots.get(c["name"])
        out.append(ClassSlot(date=date, room=state.room, name=c["name"], headcount=int(c.get("headcount") or 0),
                             start=_time(c.get("start")), end=_time(c.get("end")),
                             college=known.college if known else "", location=known.location if known else ""))
    return RoomDay(date, state.room, tuple(out))


def _on_day(ticket: dict[str, Any], date: str) -> dict[str, Any]:
    """The ticket with its times moved onto the session's date. Stations stamp events with their wall
    clock, so the two differ only for a session numbered on another day (a rehearsal, a replay, a
    test with --date); the times of day still say how the room ran against its timetable."""
    for key in ("issued_at", "photographed_at"):
        value = ticket.get(key)
        if value and not value.startswith(date):
            ticket[key] = date + value[10:]
    return ticket


def room_clock(state_date: str, latest: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """The time the plan is made at: ``now`` on the session's day, else the session's last event."""
    return now if now.date().isoformat() == state_date else latest


def camera_state(health: Mapping[str, Any]) -> str:
    if "camera" in health:
        return str(health["camera"])
    frames = health.get("camera_frames")
    if frames is None:
        return "unknown"
    return "ok" if frames else "no_frames"


def room_view(state: SessionState, station: Mapping[str, Any] | None, now: dt.datetime, *,
              slots: Mapping[str, ClassSlot] | None = None, default_pace_s: float = 11.0,
              min_intervals: int = 10, max_gap_s: float = 120.0) -> dict[str, Any]:
    """Everything a staff card shows for one room's session. ``station``: the row of
    ``CentralStore.rooms()`` for the station holding this session (online, last seen, health), if any."""
    room_day = room_day_of(state, slots)
    tickets = [_on_day(ticket_dict(state, t), state.date) for t in state.tickets.values()]
    progress = room_progress(tickets, room_day)
    pace, intervals = measure_pace(progress.photographed_at, max_gap_s, ready_at=progress.ready_at)
    # a measured pace of 0 (photos stamped in the same second) is no pace: the planner refuses it
    measured = pace is not None and pace > 0 and intervals >= min_intervals
    pace_s = pace if measured else default_pace_s
    clock = room_clock(state.date, progress.latest, now)
    plan = plan_room(room_day, pace_s, now=clock, measured=progress.classes) if room_day.classes else None
    counts = {c["class"]: c for c in class_counts(state)}

    active = state.active_class
    following = state.class_after(active) if active in [c["name"] for c in state.plan] else None
    active_counts = counts.get(active, {})
    active_plan = plan.find(active) if plan and active else None
    next_plan = plan.find(following) if plan and following else None
    expected_total = sum(int(c.get("headcount") or 0) for c in state.plan)
    photographed = sum(1 for t in state.tickets.values() if t.status == PHOTOGRAPHED)
    station = station or {}
    health = dict(station.get("health") or {})
    seen = station.get("seconds_since_seen")
    return {
        "room": state.room, "date": state.date, "station_id": station.get("station_id"),
        "location": next((c.location for c in room_day.classes if c.location), ""),
        "online": bool(station.get("online")), "last_seen_at": station.get("last_seen_at"),
        "seen_ago_s": None if seen is None else int(seen // 5 * 5),  # in steps of 5 s: fewer pushes
        "outbox_pending": station.get("outbox_pending"),
        "printer": str(health.get("printer", "unknown")), "camera": camera_state(health),
        # the station's broken parts first (photoqueue diagnose's names and fixes), then its screen alerts
        "unhealthy": {str(k): str(v) for k, v in dict(health.get("unhealthy") or {}).items()},
        "alerts": ([f"{k}: {v}" for k, v in dict(health.get("unhealthy") or {}).items()]
                   + [str(a) for a in (health.get("alerts") or [])])[:5],
        "now_serving": state.called, "next": list(state.waiting[:5]), "waiting": len(state.waiting),
        "issued": len(state.tickets), "last_number": max(state.tickets, default=None),
        "current_class": {"name": active, "expected": active_counts.get("expected", 0),
                          "issued": active_counts.get("issued", 0),
                          "photographed": active_counts.get("photographed", 0),
                          "expected_end": hhmm(active_plan.end) if active_plan else None} if active else None,
        "next_class": _class_brief(next_plan) if next_plan else None,
        "progress": {"photographed": photographed, "expected": expected_total,
                     "percent": round(100 * photographed / expected_total) if expected_total else None},
        "late_min": _late_minutes(active_plan, next_plan),
        "pace_s": round(pace_s, 1), "pace_source": "measured" if measured else "default",
        "clock": hhmm(clock),
        "plan": [_class_brief(c) for c in plan.classes] if plan else [],
        "recent": [{"number": t.number, "class": t.class_name or "", "status": t.status}
                   for t in sorted(state.tickets.values(), key=lambda t: -t.number)[:RECENT_TICKETS]],
        "classes": [c["name"] for c in state.plan],
        # per class, for /status's class leader (已拍 N 人, 应交 …): counts only, nobody's number
        "class_counts": {str(name): {k: int(c.get(k) or 0) for k in ("expected", "issued", "photographed", "voided")}
                         for name, c in counts.items()},
        "latest": progress.latest.isoformat(timespec="seconds") if progress.latest else None,
        # every ticket's class and status, so the staff dialogs can say whose number was typed
        "tickets": {str(t.number): [t.class_name or "", t.status] for t in state.tickets.values()},
    }


def _class_brief(c: ClassPlan) -> dict[str, Any]:
    delay = c.start_delay
    return {"class": c.name, "headcount": c.headcount, "status": c.status, "status_zh": STATUS_ZH[c.status],
            "remaining": c.remaining, "scheduled_start": hhmm(c.scheduled_start),
            "scheduled_end": hhmm(c.scheduled_end), "expected_start": hhmm(c.start), "expected_end": hhmm(c.end),
            "start_late_min": round(delay.total_seconds() / 60) if delay is not None else None}


def _late_minutes(active: ClassPlan | None, following: ClassPlan | None) -> int | None:
    """How far behind (+) or ahead (-) of the timetable the room runs: the class being shot against its
    slot's end; a class not started yet against its slot's start."""
    c = active or following
    if c is None:
        return None
    delay = c.end_delay if c.status == "shooting" else c.start_delay
    if delay is None:
        return None
    return round(delay.total_seconds() / 60)


def arrive_by(scheduled_start: str | None, early: dt.timedelta) -> str | None:
    """"请于 HH:MM 前到场": the slot's start less the notice's early minutes (15 by default)."""
    start = _time(scheduled_start)
    if start is None:
        return None
    return hhmm(dt.datetime.combine(dt.date(2000, 1, 2), start) - early)


def public_view(view: Mapping[str, Any], early: dt.timedelta = dt.timedelta(minutes=15), *,
                now: dt.datetime | None = None, fee: tuple[float, str] | None = None,
                idle_over: dt.timedelta = dt.timedelta(minutes=30)) -> dict[str, Any]:
    """The /status card: the class being shot, the number being served, and when each remaining class is
    expected (and when its students should be at the door); per class what a class leader needs (已拍 N 人,
    应交 under ``fee`` = (yuan a student, rule)). No digests and no ticket numbers tied to people.

    The card never contradicts itself: once the room's day is over (:func:`room_over`) no class is
    "shooting" or "waiting" (each is 已拍完 or 未拍完), and a class expected later than its slot is asked to
    arrive before its expected start, not before a slot long gone."""
    current = view.get("current_class") or {}
    counts = view.get("class_counts") or {}
    over = room_over(view, now, idle_over)
    classes = []
    for c in view.get("plan", []):
        n = counts.get(c["class"], {})
        status = c["status"]
        if over and status != "done":
            status = "ended"
        classes.append({"class": c["class"], "status": status,
                        "status_zh": "已结束" if status == "ended" else c["status_zh"],
                        "scheduled_start": c["scheduled_start"], "expected_start": c["expected_start"],
                        "expected_end": c["expected_end"], "start_late_min": c["start_late_min"],
                        "arrive_by": arrive_by(later(c["scheduled_start"], c["expected_start"]), early),
                        **class_fee(n, c.get("headcount"), fee)})
    return {
        "room": view["room"], "date": view["date"], "location": view.get("location", ""),
        "current_class": None if over else current.get("name"),
        "now_serving": None if over else view.get("now_serving"),
        "waiting": 0 if over else view.get("waiting", 0), "late_min": None if over else view.get("late_min"),
        "clock": view.get("clock"), "online": view.get("online", False), "over": over,
        "classes": classes,
    }


def room_over(view: Mapping[str, Any], now: dt.datetime | None, idle: dt.timedelta) -> bool:
    """Is the room's day over at ``now``: its day has passed, or, on its day, its last slot has ended and
    nothing has happened for ``idle`` (the photographer has gone home; the absent are make-up cases)."""
    if now is None:
        return False
    try:
        day = dt.date.fromisoformat(str(view["date"]))
    except ValueError:
        return False
    if day != now.date():
        return day < now.date()
    plan = view.get("plan", [])
    if plan and all(c["status"] == "done" for c in plan):
        return True
    ends = [t for c in plan if (t := _time(c.get("scheduled_end")))]
    if not ends or now.time() < max(ends):
        return False
    latest = view.get("latest")
    try:
        last = dt.datetime.fromisoformat(latest).replace(tzinfo=None) if latest else None
    except ValueError:
        last = None
    return last is None or now - last >= idle


def later(a: str | None, b: str | None) -> str | None:
    """The later of two "HH:MM" (either may be missing)."""
    return max((t for t in (a, b) if t), default=None)


def class_fee(counts: Mapping[str, Any], headcount: object, fee: tuple[float, str] | None) -> dict[str, Any]:
    """已拍 N 人 and 应交 N × fee 元 under the deployment's fee rule (glossary.FEE_RULES)."""
    photographed = int(counts.get("photographed") or 0)
    out: dict[str, Any] = {"photographed": photographed}
    if fee is None:
        return out
    yuan_each, rule = fee
    base = {"photographed": photographed,
            "issued": max(int(counts.get("issued") or 0) - int(counts.get("voided") or 0), 0),
            "expected": int(counts.get("expected") or headcount or 0)}.get(rule, photographed)
    amount = round(base * yuan_each, 2)
    out.update({"fee_base": base, "fee": int(amount) if amount == int(amount) else amount})
    return out


def scheduled_view(room_day: RoomDay, early: dt.timedelta = dt.timedelta(minutes=15), *,
                   now: dt.datetime | None = None, fee: tuple[float, str] | None = None) -> dict[str, Any]:
    """A room in the centre's timetable that has no station data (yet): its classes at their slots (a day
    gone by without station data: every class 已结束, nothing photographed that the centre knows of)."""
    over = now is not None and room_day.date < now.date()
    status = "ended" if over else "waiting"
    classes = [{"class": c.name, "status": status, "status_zh": "已结束" if over else STATUS_ZH["waiting"],
                "scheduled_start": hhmm(c.start_at), "expected_start": hhmm(c.start_at),
                "expected_end": hhmm(c.end_at), "start_late_min": None,
                "arrive_by": arrive_by(hhmm(c.start_at), early),
                **class_fee({"expected": c.headcount}, c.headcount, fee)} for c in room_day.classes]
    return {"room": room_day.room, "date": room_day.date.isoformat(),
            "location": next((c.location for c in room_day.classes if c.location), ""), "current_class": None,
            "now_serving": None, "waiting": 0, "late_min": None, "clock": None, "online": False, "over": over,
            "classes": classes}
