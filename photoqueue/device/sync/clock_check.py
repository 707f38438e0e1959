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
``centre_date`` equals it (device/station/date_confirm.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

ZONE_ALERT_KEY = "clock:zone"  # the hall screen's alert of a station whose time zone is not the deployment's


def _offset(d: dt.timedelta | None) -> str:
    minutes = round((d or dt.timedelta(0)).total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_mismatch(deployment_zone: str | None, at: float | None = None) -> str | None:
    """Why this machine's times differ from the deployment's (``[central] time_zone``, learned from the sync
    answer), with the fix; None when its local offset is the deployment zone's at ``at`` (or unknown).
    Tickets and the hall screen show the machine's local time: a Pi left in UTC prints 19:19 while the
    dashboard says 03:19."""
    if not deployment_zone:
        return None
    import zoneinfo

    try:
        zone = zoneinfo.ZoneInfo(deployment_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    t = time.time() if at is None else at
    local = dt.datetime.fromtimestamp(t).astimezone()
    theirs = dt.datetime.fromtimestamp(t, zone)
    if local.utcoffset() == theirs.utcoffset():
        return None
    hours = ((theirs.utcoffset() or dt.timedelta(0)) - (local.utcoffset() or dt.timedelta(0))).total_seconds() / 3600
    return (f"本机时区（{_offset(local.utcoffset())}）与部署时区 {deployment_zone}（{_offset(theirs.utcoffset())}）不同，"
            f"小票和屏幕上的时间相差 {abs(hours):g} 小时：请执行 sudo timedatectl set-timezone {deployment_zone} 后重启工作站 / "
            f"the station's time zone ({_offset(local.utcoffset())}) is not the deployment's {deployment_zone} "
            f"({_offset(theirs.utcoffset())}): times on tickets and the screen are {abs(hours):g} h off; run "
            f"`sudo timedatectl set-timezone {deployment_zone}` and restart the station")


class ClockCheck:
    def __init__(self, bound_s: float = 120.0, now: Callable[[], float] | None = None):
        self.bound_s = bound_s
        self._now = now  # the station's own clock (seconds since the epoch); else the caller's time
        self.skew_s: float | None = None
        self.centre_date: str | None = None
        self.time_zone: str | None = None  # the deployment's, from the sync answer
        self.zone_alert: str | None = None
        # (key, text or None) -> None: the hall screen's alert (device/station_alerts.Alert), set by the builder
        self.on_alert: Callable[[str, str | None], None] | None = None
        self._lock = threading.Lock()

    def observe_zone(self, time_zone: str | None, local_now: float | None = None) -> None:
        """The deployment's time zone from a sync answer: a station whose zone differs says so (health,
        hence the dashboard; the hall screen through ``on_alert``; the log)."""
        if not isinstance(time_zone, str) or not time_zone:
            return
        alert = zone_mismatch(time_zone, local_now)
        with self._lock:
            changed = alert != self.zone_alert
            self.time_zone, self.zone_alert = time_zone, alert
        if changed:
            if alert:
                log.error("%s", alert)
            if self.on_alert is not None:
                self.on_alert(ZONE_ALERT_KEY, alert)

    def observe(self, server_time: str, local_now: float, time_zone: str | None = None) -> None:
        """One sync answer's ``server_time`` (ISO 8601 with its offset) against the station's clock, and its
        ``time_zone`` (the deployment's) against the station's."""
        if self._now is not None:
            local_now = self._now()
        self.observe_zone(time_zone, local_now)
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
            alerts = [f"本机时钟与中心相差 {abs(skew):.0f} 秒 / the clock is {-skew:+.0f} s off the centre's"
                      ] if alert else []
            if self.zone_alert:
                alerts.append(self.zone_alert)
            return {"clock_skew_s": None if skew is None else round(skew, 1), "centre_date": self.centre_date,
                    "time_zone": self.time_zone, "zone_alert": self.zone_alert,
                    "clock_alert": "；".join(alerts) or None}
