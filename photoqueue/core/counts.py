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
    with not_seen == absent + not_started. ``now`` is the local wall-clock time: a class whose slot has ended
    by then (or that the station has already switched past) counts its never-scanned students as absent; the
    others as not_started. Without ``now`` only the switch tells."""
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
        valid = row["issued"] - row["voided"]
        row["not_seen"] = max(row["expected"] - valid, 0)
        passed = slot_passed(state, name, now)
        row["absent"] = row["not_seen"] if passed else 0
        row["not_started"] = 0 if passed else row["not_seen"]
        row["over"] = max(valid - row["expected"], 0)
        row["slot_end"] = slot_until(state, name)  # so a report made later can tell what has passed since
        rows.append(row)
    return rows


def slot_until(state: SessionState, name: str | None) -> str | None:
    """When a class's slot is over ("HH:MM"): its end, else the next class's start, else its own start."""
    names = [c["name"] for c in state.plan]
    if name not in names:
        return None
    i = names.index(name)
    following = state.plan[i + 1].get("start") if i + 1 < len(state.plan) else None
    return state.plan[i].get("end") or following or state.plan[i].get("start")


def slot_passed(state: SessionState, name: str | None, now: dt.datetime | None) -> bool:
    """Whether a class's slot is over: its end (else the next class's start, else its own start) is at or
    before ``now`` on the session's date, or the station has switched to a class after it in the plan."""
    names = [c["name"] for c in state.plan]
    if name in names and state.active_class in names and names.index(name) < names.index(state.active_class):
        return True
    if now is None or name not in names:
        return False
    return passed_at(state.date, slot_until(state, name), now)


def passed_at(date: str, until: str | None, now: dt.datetime) -> bool:
    """Whether a slot of ``date`` ending at ``until`` ("HH:MM") is over at local wall-clock ``now``."""
    today = now.date().isoformat()
    if date != today:
        return date < today
    return bool(until) and str(until) <= now.strftime("%H:%M")
