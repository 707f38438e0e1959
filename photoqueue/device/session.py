"""A session (room, date) on a store: the queue core joined to the event log.

``Session.handle(command, now)`` is the one way to change a station's queue. Inside one
database transaction it reads what other writers appended, lets the core decide, and appends
the events; only after the commit does it fold them into memory and return the effects. So a
number is on disk before anything can print or show it, and a refused commit changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from photoqueue.device import commands as cmd
from photoqueue.device import effects as fx
from photoqueue.device import queue
from photoqueue.device.events import Event
from photoqueue.device.store import EventStore
from photoqueue.device.timetable import RoomDay

log = logging.getLogger(__name__)


def plan_of(room_day: RoomDay) -> tuple[dict, ...]:
    """The timetable's classes for one room and date, as a LoadTimetable command carries them."""
    return tuple({"name": c.name, "headcount": c.headcount,
                  "start": c.start.strftime("%H:%M") if c.start else None,
                  "end": c.end.strftime("%H:%M") if c.end else None} for c in room_day.classes)


class Session:
    def __init__(self, store: EventStore, room: str, date: str, rules: queue.Rules):
        self.store = store
        self.rules = rules
        self.state = queue.SessionState(room=room, date=date)
        self._catch_up()  # replay the log

    @property
    def room(self) -> str:
        return self.state.room

    @property
    def date(self) -> str:
        return self.state.date

    def _catch_up(self) -> list[Event]:
        events = list(self.store.events(room=self.state.room, date=self.state.date, after=self.state.last_seq))
        for event in events:
            queue.apply(self.state, event)
        return events

    def refresh(self) -> list[fx.Effect]:
        """Read events other writers appended (the staff CLI's ``queue reprint``, a manual ``scan``)
        and return their effects, so a running station prints, calls and redraws for them too."""
        called_before = self.state.called
        events = self._catch_up()
        return queue.effects_after(self.state, events, called_before) if events else []

    def handle(self, command: cmd.Command, now: dt.datetime) -> list[fx.Effect]:
        called_at_start = self.state.called
        with self.store.transaction():
            others = self._catch_up()  # what other writers appended since we last looked
            decision = queue.decide(self.state, command, now, self.rules)
            stored = self.store.append(decision.events) if decision.events else []
        effects = queue.effects_after(self.state, others, called_at_start) if others else []
        called_before = self.state.called
        for event in stored:
            queue.apply(self.state, event)
        for notice in decision.notices:
            log.info("%s: %s", type(command).__name__, getattr(notice, "message_en", notice))
        return effects + decision.notices + queue.effects_after(self.state, stored, called_before)

    def scan(self, code: str, now: dt.datetime, source: str = "manual") -> list[fx.Effect]:
        return self.handle(cmd.Scan(code, source), now)

    def load_timetable(self, room_day: RoomDay, now: dt.datetime, auto_advance: bool = True) -> list[fx.Effect]:
        return self.handle(cmd.LoadTimetable(plan_of(room_day), auto_advance), now)
