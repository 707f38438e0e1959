"""What the station shows and prints, computed from the queue: pure functions, no hardware.

- ``display_state``: the hall screen's view model (photoqueue.display's DisplayState) from a session.
- ``printer_ticket``: the printer's Ticket from the core's PrintTicket effect.
- ``SimClock`` / ``WallClock``: the station's clock, injected everywhere (the demo compresses a day).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

from photoqueue.core import effects as fx
from photoqueue.core import queue
from photoqueue.core.state import PHOTOGRAPHED, SessionState


class WallClock:
    """Real time: ``now()`` local wall time, ``monotonic()`` seconds for intervals."""

    def now(self) -> dt.datetime:
        return dt.datetime.now()

    def monotonic(self) -> float:
        return time.monotonic()


class SimClock:
    """A simulated day.

    ``speed`` > 0: runs that many times real time from ``start``. ``stepped``: time moves only in
    :meth:`sleep` / :meth:`advance_to` (a real pause of ``seconds / speed``, then a jump), so work done
    between waits takes no simulated time and a busy machine does not make the simulated day run late.
    ``speed`` == 0: as fast as it can — every wait is a jump with no real pause.
    """

    # a simulated day's date is not today's: the centre's real clock must not refuse its numbers
    simulated = True

    def __init__(self, start: dt.datetime, speed: float = 1.0, *, stepped: bool = False):
        self.start = start
        self.speed = speed
        self.stepped = stepped or speed == 0
        self._lock = threading.Lock()
        self._real0 = time.monotonic()
        self._offset = 0.0  # simulated seconds since start (at _real0 when flowing)

    def _elapsed(self) -> float:
        if not self.stepped:
            return self._offset + (time.monotonic() - self._real0) * self.speed
        return self._offset

    def now(self) -> dt.datetime:
        with self._lock:
            return self.start + dt.timedelta(seconds=self._elapsed())

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed()

    def advance_to(self, when: dt.datetime) -> None:
        """Jump forward to ``when`` (never back), with no real pause."""
        with self._lock:
            target = (when - self.start).total_seconds()
            now = self._elapsed()
            if target > now:
                self._offset += target - now

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        if seconds <= 0:
            return
        if self.speed > 0:
            time.sleep(seconds / self.speed)
        if self.stepped:
            with self._lock:
                self._offset += seconds


def _class_info(state: SessionState, name: str | None) -> dict[str, Any] | None:
    return state.plan_class(name) if name is not None else None


def late_minutes(state: SessionState, now: dt.datetime, class_name: str | None = None) -> float | None:
    """How late the room runs: minutes past the scheduled end of the class being shot (<= 0: on time)."""
    planned = _class_info(state, class_name if class_name is not None else state.active_class)
    if not planned or not planned.get("end"):
        return None
    end = dt.datetime.combine(now.date(), dt.time.fromisoformat(planned["end"]))
    return round((now - end).total_seconds() / 60, 1)


def display_state(state: SessionState, *, now: dt.datetime, alerts: list[str], location: str = "",
                  flash: dict | None = None, next_count: int = 6, live_clock: bool = False,
                  date_check: tuple[str, str] | None = None):
    """The hall screen for this session now (``flash``: {"kind", "text", "number"} or None).

    ``live_clock``: the screen shows the wall clock and ticks by itself; otherwise it shows ``now``
    (a simulated day's time, or a snapshot's). ``date_check``: (session date, who confirmed it or "") shows
    the date large in place of the call (see device/station/date_confirm.py)."""
    from photoqueue.display.model import CurrentClass, DateCheck, DisplayState, Flash, NextClass

    # the class being shot: the called student's (tickets are issued ahead, to the active class)
    shooting = state.tickets[state.called].class_name if state.called is not None else state.active_class
    current = None
    if shooting is not None:
        planned = _class_info(state, shooting)
        done = sum(1 for t in state.tickets.values() if t.class_name == shooting and t.status == PHOTOGRAPHED)
        current = CurrentClass(shooting, done, int(planned["headcount"]) if planned else 0)
    following = state.class_after(shooting) if shooting is not None else None
    next_class = None
    if following is not None:
        planned = state.plan_class(following)
        start = dt.time.fromisoformat(planned["start"]) if planned and planned.get("start") else None
        next_class = NextClass(following, start, int(planned["headcount"]) if planned else 0)
    late = late_minutes(state, now, shooting)
    shown_flash = None
    if flash:
        shown_flash = Flash(kind=flash["kind"], text=flash.get("text", ""), number=flash.get("number"),
                            until=None)
    return DisplayState(room=state.room, now_serving=state.called, next=tuple(state.waiting[:next_count]),
                        current_class=current, next_class=next_class, waiting=len(state.waiting),
                        alerts=tuple(alerts[-3:]), location=location,
                        wait_minutes=round(len(state.waiting) * queue.pace_s(state) / 60, 1),
                        late_minutes=late,  # negative: running early, which the screen shows too
                        clock=None if live_clock else now.time().replace(microsecond=0), flash=shown_flash,
                        date_check=DateCheck(dt.date.fromisoformat(date_check[0]), date_check[1])
                        if date_check else None)


def printer_ticket(effect: fx.PrintTicket, location: str = ""):
    """The printer part's Ticket for a PrintTicket effect."""
    from photoqueue.printer.ticket import Ticket

    issued = dt.datetime.fromisoformat(effect.issued_at)
    wait = None if effect.ahead is None else round(effect.ahead * effect.pace_s / 60, 1)
    return Ticket(room=effect.room, number=effect.number, class_name=effect.class_name, issued_at=issued,
                  position=effect.ahead, wait_minutes=wait, check_code=effect.check_code,
                  reprint=effect.reprint, location=location)
