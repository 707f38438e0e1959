"""The queue's timeline: a room's events as turns, each number's time in front of the camera.

A turn starts when a number is called (issued into an idle room, the press that called it, a skip or
void that called the next, a recall) and ends with the press that marked it photographed, a skip or a
void. A hold of the button (undo) throws away the turn it had started and reopens the one it ended,
so the undone press leaves no trace in the timeline, as it leaves none in the queue.

Events may be the core's event objects or their dict form (plain rows): only ``type``, ``at`` and the
ticket fields are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import OPEN, PRESS, SKIP, VOID, Turn

# The station writes event times to the second, truncated: the middle of that second is nearer the truth.
HALF_SECOND = 0.5


def seconds_since_midnight(at: dt.datetime, date: dt.date) -> float:
    return (at - dt.datetime.combine(date, dt.time())).total_seconds()


def _field(event: Any, name: str, default: Any = None) -> Any:
    if isinstance(event, dict):
        return event.get(name, default)
    return getattr(event, name, default)


def _kind(event: Any) -> str:
    return str(_field(event, "type", "") or "")


class _Builder:
    def __init__(self) -> None:
        self.turns: list[list[Any]] = []  # [number, start, end, outcome, undone press times]
        self.current: list[Any] | None = None
        self.presses: list[list[Any]] = []  # press turns, newest last, for undo

    def call(self, number: int | None, t: float) -> None:
        if number is None:
            return
        if self.current is not None:  # a call replaces a call that never ended: close it where it stands
            self.current[2], self.current[3] = t, SKIP
        self.current = [number, t, None, OPEN, ()]
        self.turns.append(self.current)

    def leave(self, number: int, t: float, outcome: str) -> None:
        if self.current is not None and self.current[0] == number:
            self.current[2], self.current[3] = t, outcome
            if outcome == PRESS:
                self.presses.append(self.current)
            self.current = None

    def undo(self, photographed: int | None, called: int | None) -> None:
        if called is not None and self.current is not None and self.current[0] == called:
            self.turns.remove(self.current)
            self.current = None
        if photographed is not None and self.presses and self.presses[-1][0] == photographed:
            turn = self.presses.pop()
            turn[2], turn[3], turn[4] = None, OPEN, turn[4] + (turn[2],)
            self.current = turn


def build_turns(events: Iterable[Any], date: str) -> list[Turn]:
    """The session's turns in call order."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise ReconcileError(f"date {date!r} is not a date (YYYY-MM-DD)") from None
    b = _Builder()
    for event in events:
        kind = _kind(event)
        try:
            t = seconds_since_midnight(dt.datetime.fromisoformat(str(_field(event, "at"))), day) + HALF_SECOND
        except ValueError:
            raise ReconcileError(f"event {kind!r} has no readable time ({_field(event, 'at')!r})") from None
        if kind == "ticket_issued" and _field(event, "called"):
            b.call(_field(event, "number"), t)
        elif kind == "advanced":
            photographed = _field(event, "photographed")
            if photographed is not None:
                b.leave(photographed, t, PRESS)
            b.call(_field(event, "called"), t)
        elif kind == "advance_undone":
            b.undo(_field(event, "photographed"), _field(event, "called"))
        elif kind in ("ticket_skipped", "ticket_voided"):
            b.leave(_field(event, "number"), t, SKIP if kind == "ticket_skipped" else VOID)
            b.call(_field(event, "called"), t)
        elif kind == "ticket_recalled" and _field(event, "called"):
            b.call(_field(event, "number"), t)
    return [Turn(number, start, end, outcome, undone) for number, start, end, outcome, undone in b.turns]
