"""The station's clock against the centre's, on every sync.

A Pi whose clock still said day 1 on day 2 of a two-day timetable gave day-2 students numbers in
day 1's session and class: one student then held two numbers, and day 1's fees counted day-2
students. The centre's ``server_time`` comes back with every sync answer; this compares it:

- ``skew_s``: centre minus station, seconds. Beyond ``bound_s`` the station's health carries an
  alert (it reaches the dashboard with the next sync).
- ``centre_date``: the centre's date in the station's time zone. When it contradicts the session's
  date, the session refuses to number (``refusal``): a scan gets a clear message, never a number in
  the wrong day's session. Staff fix the clock (or set ``[station] date``) and restart.

A station that has not reached the centre yet knows nothing to compare: it numbers only once staff confirm
its date (``[station] date``, the photographer's button, ``queue confirm-date``), or a sync answer's
``centre_date`` equals it (device/date_confirm.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class ClockCheck:
    def __init__(self, bound_s: float = 120.0, now: Callable[[], float] | None = None):
        self.bound_s = bound_s
        self._now = now  # the station's own clock (seconds since the epoch); else the caller's time
        self.skew_s: float | None = None
        self.centre_date: str | None = None
        self._lock = threading.Lock()

    def observe(self, server_time: str, local_now: float) -> None:
        """One sync answer's ``server_time`` (ISO 8601 with its offset) against the station's clock."""
        if self._now is not None:
            local_now = self._now()
        try:
            centre = dt.datetime.fromisoformat(server_time)
        except (TypeError, ValueError):
            log.warning("sync: the centre's server_time %r is not a time", server_time)
            return
        if centre.tzinfo is None:
            return
        with self._lock:
            self.skew_s = centre.timestamp() - local_now
            self.centre_date = centre.astimezone().date().isoformat()
        if abs(self.skew_s) > self.bound_s:
            log.warning("the station's clock is %.0f s off the centre's", -self.skew_s)

    def refusal(self, session_date: str) -> tuple[str, str] | None:
        """(zh, en) why the session on ``session_date`` must not number now, or None."""
        with self._lock:
            centre_date = self.centre_date
        if centre_date is None or centre_date == session_date:
            return None
        return (f"日期错误：本机为 {session_date}，中心为 {centre_date}，暂停取号，请联系工作人员校正时钟",
                f"the session is {session_date} but the centre's date is {centre_date}: no numbers until the clock "
                "(or [station] date) is fixed and the station restarted")

    def status(self) -> dict:
        with self._lock:
            skew = self.skew_s
            alert = skew is not None and abs(skew) > self.bound_s
            return {"clock_skew_s": None if skew is None else round(skew, 1), "centre_date": self.centre_date,
                    "clock_alert": (f"本机时钟与中心相差 {abs(skew):.0f} 秒 / the clock is {-skew:+.0f} s off the "
                                    "centre's") if alert else None}
