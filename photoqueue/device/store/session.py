"""A session (room, date) on a store: the queue core joined to the event log.

``Session.handle(command, now)`` is the one way to change a station's queue. Inside one
database transaction it reads what other writers appended, lets the core decide, and appends
the events; only after the commit does it fold them into memory and return the effects. So a
number is on disk before anything can print or show it, and a refused commit changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.core import queue
from photoqueue.core.digest import key_fingerprint
from photoqueue.core.events import Event
from photoqueue.core.state import Rules, SessionState
from photoqueue.core.targets import Targeted, refusal
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import EventStore
from photoqueue.timetable import RoomDay

log = logging.getLogger(__name__)


def plan_of(room_day: RoomDay) -> tuple[dict, ...]:
    """The timetable's classes for one room and date, as a LoadTimetable command carries them."""
    return tuple({"name": c.name, "headcount": c.headcount,
                  "start": c.start.strftime("%H:%M") if c.start else None,
                  "end": c.end.strftime("%H:%M") if c.end else None} for c in room_day.classes)


def resolve_date(store: EventStore | None, room: str, requested: str | None, today: dt.date,
                 planned: list[dt.date] | None = None) -> str:
    """The session date: the one asked for, else today's date by the clock, unless that looks wrong.

    A Pi without a clock battery can boot with a wrong date; a new (room, date) session would then
    number from 1 again and give codes that hold a number a second one. So with no date set, refuse
    when this station already numbered on a later day, or when the timetable does not have this room
    on the clock's date.
    """
    if requested:
        try:
            dt.date.fromisoformat(requested)
        except ValueError:
            raise StationError(f"日期 {requested!r} 格式错误，应为 YYYY-MM-DD，例如 2024-10-25 / "
                               f"date {requested!r} is not a date (YYYY-MM-DD)", exit_status=2) from None
        return requested
    day = today.isoformat()
    later = sorted(d for r, d in (store.sessions() if store else []) if r == room and d > day)
    if later:
        raise StationError(f"the clock says {day} but this station already numbered {room} on {later[-1]}: the "
                           "clock is wrong; set the date ([station] date, or --date) / 系统时钟早于已有记录，请设置日期",
                           exit_status=2)
    if planned and today not in planned:
        days = ", ".join(d.isoformat() for d in sorted(set(planned)))
        raise StationError(f"the timetable has no classes for {room} on {day} (its days: {days}); if the clock is "
                           "right, set the date ([station] date, or --date) / 时间表中今天没有该组的安排，请设置日期",
                           exit_status=2)
    return day


class Session:
    def __init__(self, store: EventStore, room: str, date: str, rules: Rules):
        self.store = store
        self.rules = rules
        # (session date) -> (zh, en) why not to number now, or None: the centre's date (see clock_check)
        self.date_guard: Callable[[str], tuple[str, str] | None] | None = None
        # the one door to a number (device/store/gate.py), set by NumberGate.attach: every Scan asks it first
        self.gate = None
        self.state = SessionState(room=room, date=date)
        store.claim(room, key_fingerprint(rules.digest_key))
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
        return self._handle(command, now)

    def handle_staff(self, command_id: int, targeted: Targeted, now: dt.datetime) -> tuple[list[fx.Effect],
                                                                                          tuple[str, str]]:
        """A staff command from the centre: its target checked against the state inside the write lock,
        its outcome (done, or refused with the reason) committed with its events, so the centre hears
        "done" only of what is on disk, and a command offered again is never applied twice."""
        outcome: list[tuple[str, str]] = []
        effects = self._handle(targeted.command, now, staff=(command_id, targeted, outcome))
        return effects, outcome[0]

    def _decide_staff(self, staff: tuple, now: dt.datetime) -> queue.Decision:
        command_id, targeted, outcome = staff
        prior = self.store.command_outcome(command_id)
        if prior is not None:
            outcome.append(prior)
            return queue.Decision()
        why = refusal(targeted, self.state)
        if why is not None:
            decision = queue.Decision(notices=[fx.StaffNotice("refused", why[0], why[1])])
        else:
            decision = queue.decide(self.state, targeted.command, now, self.rules)
        notices = [n for n in decision.notices if isinstance(n, fx.StaffNotice)]
        if not decision.events and notices:
            outcome.append(("refused", "; ".join(f"{n.message_zh} / {n.message_en}" for n in notices)))
        else:
            outcome.append(("done", ""))
        self.store.record_command(command_id, *outcome[0])
        return decision

    def _why_not(self) -> tuple[str, str, str] | None:
        """(zh, en, rule) why a scan must not number now: the gate's answer, else the date's guard alone."""
        if self.gate is not None:
            refusal = self.gate.check(self)
            if refusal is None:
                return None
            date = refusal.reason.value == "date_unconfirmed"
            return (refusal.zh if not date else self.date_guard(self.state.date)[0], refusal.message,
                    "date" if date else "gate")
        why = self.date_guard(self.state.date) if self.date_guard is not None else None
        return None if why is None else (why[0], why[1], "date")

    def _handle(self, command: cmd.Command, now: dt.datetime, staff: tuple | None = None) -> list[fx.Effect]:
        why = self._why_not() if isinstance(command, cmd.Scan) else None
        if why is not None:
            # an unconfirmed or contradicted date, or the gate closed: no number, nothing in the log
            return [fx.ScanFeedback(False, "rejected", None, why[2], why[0], why[1]),
                    fx.StaffNotice("clock" if why[2] == "date" else "gate", why[0], why[1])]
        called_at_start = self.state.called
        with self.store.transaction():
            others = self._catch_up()  # what other writers appended since we last looked
            if staff is None:
                decision = queue.decide(self.state, command, now, self.rules)
            else:
                decision = self._decide_staff(staff, now)
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
