"""Per-class counts of one session, the rows every export, the dashboard and ``GET /api/v1/counts`` share.

Split out of the reducer (:mod:`photoqueue.core.queue`): counting reads the folded state, it never
changes it. The keys are the glossary's (:mod:`photoqueue.core.glossary`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from photoqueue.core.state import PHOTOGRAPHED, SKIPPED, VOIDED, SessionState


def class_counts(state: SessionState, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per class, in plan order (then classes only tickets name, then tickets with no class):
    expected, issued, photographed, skipped, voided, waiting, not_seen, and (the office's split and overflow,
    photoqueue.core.glossary) absent, not_started, over.

    The sum every report keeps: expected + over == photographed + skipped + waiting + absent + not_started,
    with not_seen == absent + not_started, split by :func:`split_row` (the one rule) at ``now``, the
    deployment's wall-clock time."""
    names: list[str | None] = [c["name"] for c in state.plan]
    for t in state.tickets.values():
        if t.class_name not in names:
            names.append(t.class_name)
    rows = []
    for name in names:
        planned = state.plan_class(name)
        row = {"room": state.room, "date": state.date, "class": name,
               "expected": int(planned["headcount"]) if planned else 0,
               "issued": 0, "photographed": 0, "skipped": 0, "voided": 0, "waiting": 0}
        for t in state.tickets.values():
            if t.class_name != name:
                continue
            row["issued"] += 1
            if t.status == PHOTOGRAPHED:
                row["photographed"] += 1
            elif t.status == SKIPPED:
                row["skipped"] += 1
            elif t.status == VOIDED:
                row["voided"] += 1
            else:
                row["waiting"] += 1
        row["status"] = class_status(state, name, row)
        row["slot_end"] = slot_until(state, name)  # so a report made later can tell what has passed since
        rows.append(split_row(row, now))
    return rows


# --- the one split of 未取号 (absent / not started) every count shares --------------------------------------
#
# The page, every download, /api/v1/counts and the station export all split through split_row: a class is
# over (its never-scanned students are 未到, a make-up case) when its day has passed, or, on its day, when
# its room is done with it (staff moved past it, or every student is accounted for). A class a late room has
# not reached is not over even after its printed slot ended (its students have not been called yet); only a
# class without a room status (a room with no station on that day) falls back to its slot's end.


def class_status(state: SessionState, name: str | None, row: dict[str, Any]) -> str | None:
    """The room's status of a class: "done" (moved past, or every student accounted for), "shooting" (the
    active class) or "waiting"; None for tickets of no planned class."""
    names = [c["name"] for c in state.plan]
    if name not in names:
        return None
    if state.active_class in names and names.index(name) < names.index(state.active_class):
        return "done"
    accounted = row["photographed"] + row["skipped"] + row["voided"]
    if row["expected"] and accounted >= row["expected"] and not row["waiting"]:
        return "done"
    return "shooting" if name == state.active_class else "waiting"


def class_over(date: str, now: dt.datetime | None, *, status: str | None = None,
               slot_end: str | dt.datetime | None = None) -> bool:
    """Is a class of ``date`` over at ``now`` (naive deployment wall-clock time)? ``status``: its room's
    status ("done", "shooting", "waiting"), when a room is on that day; ``slot_end``: its slot's end
    ("HH:MM" or a datetime). Without ``now`` only the room's status tells."""
    if now is None:
        return status == "done"
    try:
        day = dt.date.fromisoformat(str(date))
    except ValueError:
        return False
    if day != now.date():
        return day < now.date()
    if status is not None:
        return status == "done"
    if isinstance(slot_end, dt.datetime):
        return slot_end <= now
    return bool(slot_end) and str(slot_end) <= now.strftime("%H:%M")


def split_row(row: dict[str, Any], now: dt.datetime | None, over: bool | None = None) -> dict[str, Any]:
    """``row`` (a class row with expected, issued, voided, and its ``status``/``slot_end``) with not_seen,
    absent, not_started, over and is_over set by :func:`class_over` at ``now`` (or by ``over`` when the
    caller knows). The sum every report keeps then holds:
    expected + over == photographed + skipped + waiting + absent + not_started."""
    if over is None:
        over = class_over(str(row.get("date") or ""), now, status=row.get("status"), slot_end=row.get("slot_end"))
    counted = int(row.get("issued") or 0) - int(row.get("voided") or 0)
    expected = int(row.get("expected") or 0)
    not_seen = max(expected - counted, 0)
    row["not_seen"] = not_seen
    row["absent"] = not_seen if over else 0
    row["not_started"] = 0 if over else not_seen
    row["over"] = max(counted - expected, 0)
    row["is_over"] = bool(over)
    return row


def split_rows(rows: list[dict[str, Any]], now: dt.datetime | None) -> list[dict[str, Any]]:
    """Every row split at ``now`` (copies): what ``GET /api/v1/counts``, the reports and the page serve."""
    return [split_row(dict(r), now) for r in rows]


def slot_until(state: SessionState, name: str | None) -> str | None:
    """When a class's slot is over ("HH:MM"): its end, else the next class's start, else its own start."""
    names = [c["name"] for c in state.plan]
    if name not in names:
        return None
    i = names.index(name)
    following = state.plan[i + 1].get("start") if i + 1 < len(state.plan) else None
    return state.plan[i].get("end") or following or state.plan[i].get("start")
