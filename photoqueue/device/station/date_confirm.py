"""The session's date, confirmed before the first number (issue 13: "The date").

A Pi has no clock battery: after a power cut it boots with the last saved time (fake-hwclock), possibly
yesterday's. On a two-day timetable with the room on both days, ``resolve_date`` cannot refuse day 1 (it IS
in the timetable), and a station that has not reached the centre has no ``centre_date`` to compare; day-2
students would get numbers in day 1's session. So a station process numbers only once its date is
confirmed, by one of:

- ``config``: ``[station] date`` is set (staff typed it);
- ``centre``: a sync answer's date (``ClockCheck.centre_date``) equals the session's;
- ``button``: the photographer pressed the button while the hall screen showed the date large;
- ``cli``: ``photoqueue queue confirm-date YYYY-MM-DD`` with the session's date;
- ``simulation``: the clock is simulated (the demo), so there is no real day to check against;
- ``off``: ``[station] confirm_date = false``.

A confirmation lasts for the process: a restart (after a power cut) asks again unless the config or the
centre confirms. Until then a scan is refused like the centre's contradiction (``Session.date_guard``):
no ticket, no number, nothing in the event log.

The staff CLI reaches the running station the way its other actions do, through ``station.db``: each start
records a row in ``station_runs`` (room, date, pid, boot); ``confirm-date`` marks the running station's row
and the station reads it at its next refresh (``refresh_s``) or scan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from photoqueue.core import commands as cmd
from photoqueue.device.errors import StationError
from photoqueue.device.station.buttons import ButtonAction

log = logging.getLogger(__name__)

BY = {"config": "[station] date", "centre": "the centre's date in a sync answer",
      "button": "the photographer's button", "cli": "photoqueue queue confirm-date",
      "simulation": "a simulated clock (the demo)", "off": "[station] confirm_date = false"}
BY_ZH = {"config": "配置文件", "centre": "中心服务器", "button": "摄影师按键", "cli": "工作人员命令",
         "simulation": "模拟", "off": "无需确认"}
WEEKDAYS = "一二三四五六日"
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
# what the station's inbox carries that is not a staff key: a scan, a print's outcome, the centre's data
_NOT_KEYS = (cmd.Scan, cmd.RecordPrint, cmd.FlagDuplicate, cmd.LoadTimetable)


def weekday(date: str) -> str:
    return "星期" + WEEKDAYS[dt.date.fromisoformat(date).weekday()]


def boot_id() -> str:
    """This boot of the machine: a pid recorded in an earlier boot names nothing now."""
    try:
        return BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def run_alive(run: dict) -> bool:
    """Is the station process that recorded ``run`` still running (same boot, pid there)?"""
    if run["boot_id"] and boot_id() and run["boot_id"] != boot_id():
        return False
    try:
        os.kill(run["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the station runs as its own user: the pid is there
        return True
    return True


def confirmed_by_start(config, clock) -> str | None:
    """Who confirms the date before the station starts: the simulation, the config, or nobody yet."""
    if getattr(clock, "simulated", False):
        return "simulation"
    if config.station.date:
        return "config"
    if not config.station.confirm_date:
        return "off"
    return None


class DateConfirmation:
    """Whether this station process may number on its session's date. Used on the queue thread (the
    session's guard, the buttons, the refresh); ``status`` may be read from any thread."""

    def __init__(self, date: str, *, by: str | None = None, clock_check=None,
                 now: Callable[[], dt.datetime] = dt.datetime.now):
        self.date = date
        self.clock_check = clock_check
        self._now = now
        self._lock = threading.Lock()
        self.by = by
        self.at = now() if by else None
        self._store = None
        self._run_id: int | None = None

    @property
    def confirmed(self) -> bool:
        return self.by is not None

    def attach(self, session) -> None:
        """Once the session is open (queue thread): guard its scans and record this start for the staff CLI."""
        inner = session.date_guard  # the centre's contradiction comes first: no button overrides it
        session.date_guard = lambda date: (inner(date) if inner is not None else None) or self.refusal(date)
        self._store = session.store
        try:
            self._run_id = session.store.begin_run(session.room, self.date, os.getpid(), boot_id(),
                                                   self._now().isoformat(timespec="seconds"), self.by)
        except StationError as exc:  # the button and the centre still confirm; only the CLI cannot
            log.warning("cannot record this start in the station database (%s): `photoqueue queue confirm-date` "
                        "cannot reach this station; the photographer's button still confirms the date", exc)
        if self.by is None:
            log.warning("the session date %s (%s) is not confirmed: no numbers until the photographer presses the "
                        "button, staff run `photoqueue queue confirm-date %s`, or the centre's date confirms it",
                        self.date, weekday(self.date), self.date)
        else:
            log.info("the session date %s is confirmed by %s", self.date, BY.get(self.by, self.by))

    def confirm(self, by: str) -> bool:
        """Confirm the date (``by``: see BY); False when it already was. Logged and recorded in the run's row."""
        with self._lock:
            if self.by is not None:
                return False
            self.by, self.at = by, self._now()
        log.warning("the session date %s (%s) confirmed by %s: numbering", self.date, weekday(self.date),
                    BY.get(by, by))
        if by != "cli" and self._store is not None and self._run_id is not None:
            try:
                self._store.confirm_run(self._run_id, by, self.at.isoformat(timespec="seconds"))
            except StationError as exc:  # the confirmation stands in memory; the row only tells the CLI
                log.warning("cannot record the date's confirmation in the station database: %s", exc)
        return True

    def poll(self) -> bool:
        """While unconfirmed: has the centre's date, or ``queue confirm-date``, confirmed it since? True when
        it just was (the screen is redrawn)."""
        if self.by is not None:
            return False
        if self.clock_check is not None and self.clock_check.centre_date == self.date:
            return self.confirm("centre")
        if self._store is not None and self._run_id is not None:
            try:
                run = self._store.run(self._run_id)
            except StationError as exc:
                log.debug("reading this start's row: %s", exc)
                return False
            if run is not None and run["confirmed_by"]:
                return self.confirm(run["confirmed_by"])
        return False

    def refusal(self, session_date: str) -> tuple[str, str] | None:
        """(zh, en) why a scan must not number now, or None: the session's ``date_guard``."""
        self.poll()
        if self.by is not None:
            return None
        return (f"日期未确认（{session_date} {weekday(session_date)}）：请摄影师按键确认日期后再扫码",
                f"the session date {session_date} is not confirmed: the photographer presses the button (or staff "
                f"run `photoqueue queue confirm-date {session_date}`), then scan again")

    def take_key(self, item: object) -> str | None:
        """While unconfirmed a staff key changes nothing in the session: the photographer's press (the screen
        shows the date large, asking for it) confirms the date and does not advance ("confirmed"); any other
        key is "refused". None: not a key, or the date is confirmed."""
        if self.confirmed or not isinstance(item, (ButtonAction, cmd.Command)) or isinstance(item, _NOT_KEYS):
            return None
        if isinstance(item, cmd.Advance):
            self.confirm("button")
            return "confirmed"
        return "refused"

    def shown(self, scanned: bool, called: int | None) -> tuple[str, str] | None:
        """(date, who confirmed it or "") for the hall screen: the date large while unconfirmed, and once
        confirmed until the first scan (or a call); nothing where confirmation is off or simulated."""
        if self.by in ("simulation", "off"):
            return None
        if self.confirmed and (scanned or called is not None):
            return None
        return self.date, self.by or ""

    def key_refusal(self) -> tuple[str, str]:
        """(zh, en) for a staff key other than the photographer's press while unconfirmed."""
        return ("请先按拍摄键确认日期", f"confirm the session date {self.date} first: press the photographer's button")

    def status(self) -> dict:
        with self._lock:
            return {"date_confirmed": self.by,
                    "date_confirmed_at": self.at.isoformat(timespec="seconds") if self.at else None}


# --- `photoqueue queue confirm-date YYYY-MM-DD` ---------------------------------------------------------------

def run_confirm_date(args: argparse.Namespace, date_text: str, now: dt.datetime) -> int:
    """Confirm the running station's date if it is ``date_text``; else refuse, saying both dates."""
    from photoqueue.device.store.events import EventStore, db_path

    try:
        date = dt.date.fromisoformat(date_text).isoformat()
    except ValueError:
        raise StationError(f"{date_text!r} 不是日期 / confirm-date needs a date YYYY-MM-DD, not {date_text!r}",
                           exit_status=2) from None
    if args.date and args.date != date:
        raise StationError(f"--date {args.date} 与 {date} 不一致（什么都没有确认） / --date {args.date} and "
                           f"confirm-date {date} differ: nothing was confirmed", exit_status=2)
    with EventStore(db_path(args.data_dir), create=False) as store:
        run = store.latest_run()
        if run is None:
            raise StationError("此数据目录上还没有工作站启动过，什么都没有确认 / no station has started on this data "
                               "dir: nothing was confirmed", exit_status=1)
        if run["room"] != args.room:
            raise StationError(f"此工作站属于 {run['room']}，不是 {args.room}（什么都没有确认） / this is room "
                               f"{run['room']}'s station, not {args.room}: nothing was confirmed", exit_status=2)
        if not run_alive(run):
            raise StationError(f"工作站没有在运行（上次启动于 {run['started_at']}），什么都没有确认；工作站每次启动都会重新询问日期 / "
                               f"no station is running (the last one started {run['started_at']}, pid {run['pid']}): "
                               "nothing was confirmed; a station asks for its date each time it starts",
                               exit_status=1)
        if run["date"] != date:
            raise StationError(
                f"工作站的日期是 {run['date']}（{weekday(run['date'])}），不是 {date}（{weekday(date)}）：未确认。"
                f"如确需在 {date} 取号，请在配置中设置 [station] date = \"{date}\" 并重启工作站 / "
                f"the running station's session date is {run['date']}, not {date}: nothing was confirmed; to number "
                f"on {date}, set [station] date = \"{date}\" in its config and restart it", exit_status=1)
        already = run["confirmed_by"]
        if not already:
            store.confirm_run(run["id"], "cli", now.isoformat(timespec="seconds"))
            log.warning("the session date %s of the station (pid %s) confirmed by photoqueue queue confirm-date",
                        date, run["pid"])
    if args.json:
        print(json.dumps({"room": run["room"], "date": date, "confirmed_by": already or "cli", "pid": run["pid"]},
                         ensure_ascii=False))
    elif already:
        print(f"{run['room']} · {date} {weekday(date)} · 日期已确认（{BY_ZH.get(already, already)}） / already "
              f"confirmed by {BY.get(already, already)}")
    else:
        print(f"{run['room']} · {date} {weekday(date)} · 日期已确认，工作站即将开始取号 / date confirmed: the station "
              "numbers from its next refresh")
    return 0


def live_status(data_dir: str | Path, room: str) -> dict | None:
    """The running station's run (its date and who confirmed it), for ``photoqueue diagnose``; None when no
    station of this room runs on ``data_dir``."""
    from photoqueue.device.store.events import EventStore, db_path

    path = db_path(data_dir)
    if not path.exists():
        return None
    try:
        with EventStore(path, create=False) as store:
            run = store.latest_run()
    except StationError as exc:
        log.debug("diagnose: cannot read %s: %s", path, exc)
        return None
    return run if run is not None and run["room"] == room and run_alive(run) else None
