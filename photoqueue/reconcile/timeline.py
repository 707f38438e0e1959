"""The screen's timeline: a room's events as turns, each number's time on the screen.

The events are folded with the core's own reducer (:func:`photoqueue.core.queue.apply`), the one the station
and the centre use, and the turns are read off the state it keeps: a turn starts when a number becomes the
called one and ends when it stops being called, with the status the queue then gives it (photographed:
a press; skipped; voided). When a ticket the queue had marked photographed is called again with nothing
in between (a hold of the button), its last turn is reopened and the undone press kept as ``undone``; a
called ticket sent back to waiting loses its turn. So an undo leaves the timeline as it leaves the queue,
and no event type is named here.

Events may be the core's event objects or their dict form (plain rows, as the log stores them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from photoqueue.core.errors import CoreError
from photoqueue.core.events import Event, event_from_dict
from photoqueue.core.queue import apply
from photoqueue.core.state import PHOTOGRAPHED, SKIPPED, VOIDED, WAITING, SessionState
from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import OPEN, PRESS, SKIP, VOID, Turn

# The station writes event times to the second, truncated: the middle of that second is nearer the truth.
HALF_SECOND = 0.5

_OUTCOME = {PHOTOGRAPHED: PRESS, SKIPPED: SKIP, VOIDED: VOID}


def seconds_since_midnight(at: dt.datetime, date: str | dt.date) -> float:
    day = dt.date.fromisoformat(date) if isinstance(date, str) else date
    return (at - dt.datetime.combine(day, dt.time())).total_seconds()


def _event(row: Any) -> Event:
    if isinstance(row, Event):
        return row
    try:
        return event_from_dict(row)
    except CoreError as exc:
        raise ReconcileError(f"an event the queue cannot read: {exc}") from None


class _Builder:
    def __init__(self) -> None:
        self.turns: list[list[Any]] = []  # [number, start, end, outcome, undone press times]
        self.current: list[Any] | None = None
        self.presses: list[list[Any]] = []  # press turns, newest last, for a hold of the button

    def last_pressed(self) -> int | None:
        """The only number a hold of the button can call again: the one the newest press ended."""
        return self.presses[-1][0] if self.presses else None

    def after(self, state: SessionState, before: int | None, was: dict[int, str], t: float) -> None:
        """Read what one folded event did to the called ticket."""
        now = state.called
        if before is not None and before != now and self.current is not None and self.current[0] == before:
            status = state.tickets[before].status
            if status == WAITING:  # sent back to the line by a hold of the button: its call never happened
                self.turns.remove(self.current)
            else:
                self.current[2], self.current[3] = t, _OUTCOME.get(status, SKIP)
                if self.current[3] == PRESS:
                    self.presses.append(self.current)
            self.current = None
        if now is None or now == before:
            return
        if self.current is not None:  # a call replaces a call that never ended: close it where it stands
            self.current[2], self.current[3] = t, SKIP
        if was.get(now) == PHOTOGRAPHED and self.presses and self.presses[-1][0] == now:
            turn = self.presses.pop()  # the press that ended it was taken back
            turn[2], turn[3], turn[4] = None, OPEN, turn[4] + (turn[2],)
            self.current = turn
            return
        self.current = [now, t, None, OPEN, ()]
        self.turns.append(self.current)


def build_turns(events: Iterable[Any], date: str) -> list[Turn]:
    """The session's turns in call order."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise ReconcileError(f"date {date!r} is not a date (YYYY-MM-DD)") from None
    state: SessionState | None = None
    b = _Builder()
    for row in events:
        event = _event(row)
        try:
            t = seconds_since_midnight(dt.datetime.fromisoformat(event.at), day) + HALF_SECOND
        except (TypeError, ValueError):
            raise ReconcileError(f"event {event.type!r} has no readable time ({event.at!r})") from None
        state = state or SessionState(room=event.room, date=event.date)
        before = state.called
        was = {n: state.tickets[n].status for n in (before, b.last_pressed()) if n in state.tickets}
        try:
            apply(state, event)
        except (KeyError, IndexError, ValueError) as exc:
            raise ReconcileError(f"the room's events do not fold into a queue at seq {event.seq} "
                                 f"({event.type}): {exc!r} / 该组的记录不完整") from None
        b.after(state, before, was, t)
    return [Turn(number, start, end, outcome, undone) for number, start, end, outcome, undone in b.turns]

