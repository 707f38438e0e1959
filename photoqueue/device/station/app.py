"""The station: the program that runs in each photo room.

ONE thread owns the queue (the :class:`Session`): it takes items off a ``queue.Queue`` — scans
from the camera thread, commands from the buttons, print results from the printer thread,
commands from the sync client — hands each to the session (which commits before it answers),
and dispatches the effects to the adapters (printer, screen, LED/buzzer, sounds, sync). No other
thread touches the session; they only ``submit``.

The loop also keeps a health status (``health()``, and DATA_DIR/health.json for operators) and
pings systemd's watchdog (``WATCHDOG=1`` on $NOTIFY_SOCKET) only while the station is healthy, so a
wedged loop or a database that refuses commits gets the service restarted.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue as queue_mod
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.core.state import SKIPPED
from photoqueue.device.errors import StationError
from photoqueue.device.station.alerts import Alert, AlertBand, gate_alerts
from photoqueue.device.station.buttons import ButtonAction
from photoqueue.device.station.health import sd_notify, write_health
from photoqueue.device.station.parts import Part, StationParts
from photoqueue.device.station.printer import PrintResult
from photoqueue.device.station.view import WallClock, display_state
from photoqueue.device.store.guard import DAMAGED
from photoqueue.scanner.reads import ScanEvent, ScannerAlert

log = logging.getLogger(__name__)

TICK_S = 0.05  # the loop wakes at least this often: button holds, refresh, watchdog
NOTICE_S = 30.0  # how long a staff notice stays in the screen's alert band (seconds of the station's clock)
HEALTH_WRITE_S = 2.0
FLASH_S = 4.0  # how long a scan's flash is part of the screen's state (seconds of the station's clock)


class _Call:
    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn
        self.future: Future = Future()


def _part(name: str) -> property:
    """``station.printer`` and the like: the part in ``station.parts`` (tests and the demo swap them)."""
    return property(lambda self: getattr(self.parts, name), lambda self, part: setattr(self.parts, name, part))


class Station:
    """A room's station. ``parts`` (:class:`StationParts`: printer, display, buttons, sounds, sync,
    camera, hid) are built by :mod:`photoqueue.device.station.build`, or given by tests, the demo and
    the benchmark; the parts a room lacks are null objects."""

    printer = _part("printer")
    display = _part("display")
    buttons = _part("buttons")
    sounds = _part("sounds")
    sync = _part("sync")
    camera = _part("camera")
    hid = _part("hid")

    def __init__(self, *, session_factory: Callable[[], Any], room_day=None, clock=None,
                 parts: StationParts | None = None, health_path: Path | None = None, refresh_s: float = 1.0,
                 health_stale_s: float = 10.0, auto_advance: bool = True, location: str = "",
                 beeps: tuple[bool, int, int] = (True, 120, 80), date_check=None, gate=None):
        self.session_factory = session_factory
        self.room_day = room_day
        self.clock = clock or WallClock()
        self.parts = parts or StationParts()
        self._health_copy: dict[str, Any] = {}
        self.health_path = health_path
        self.refresh_s = refresh_s
        self.health_stale_s = health_stale_s
        self.auto_advance = auto_advance
        self._location = location
        self.beeps = beeps
        # the session date's confirmation (device/station/date_confirm.py), None: not asked (tests, the benchmark)
        self.date_check = date_check
        # the one door to a number (device/store/gate.py); None: not kept (tests, the benchmark, the demo's rooms)
        self.gate = gate
        self._scanned = False  # a scan was handled on a confirmed date: the screen's date gives way to the queue
        self._press_prompt = False  # the start band asks the photographer to press (to confirm the date)
        self.inbox: queue_mod.Queue = queue_mod.Queue()
        self.session = None
        self.ready = threading.Event()
        self.stopped = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._alerts = AlertBand(lambda: self.clock.monotonic())  # the clock may be swapped after __init__
        self._flash: dict | None = None
        self._flash_until = 0.0
        self._db_error: str | None = None
        # Parts found broken by a check (photoqueue diagnose's, at start): part -> what is wrong and its fix.
        self.part_faults: dict[str, str] = {}
        self._last_turn = time.monotonic()
        self._last_ping = 0.0
        self._last_health_write = 0.0
        self.handled = 0
        self.redraws = 0
        self.last_redraw_at = 0.0  # time.perf_counter() of the last screen update handed to the display
        self.error: BaseException | None = None
        self.observers: list[Callable[[list[fx.Effect]], None]] = []  # see every effect (demo, bench)

    @property
    def location(self) -> str:
        """Where the room is, for the screen and the ticket: as configured, else the timetable in use (the
        centre's, once pulled, replaces the file's)."""
        if self._location:
            return self._location
        classes = self.room_day.classes if self.room_day is not None else ()
        return next((c.location for c in classes if c.location), "")

    # --- any thread ----------------------------------------------------------------------------------

    def submit(self, item: object) -> None:
        """Queue a command, a ScanEvent, a ScannerAlert, a PrintResult or a ButtonAction."""
        self.inbox.put(item)

    def call(self, fn: Callable[[Any], Any]) -> Future:
        """Run ``fn(station)`` on the queue thread (the only safe way to read the session from outside)."""
        c = _Call(fn)
        self.inbox.put(c)
        return c.future

    def start(self) -> Station:
        self._thread = threading.Thread(target=self.run, name="station", daemon=True)
        self._thread.start()
        self.ready.wait(30)
        if self.error is not None:
            raise self.error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.inbox.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    # --- the queue thread ----------------------------------------------------------------------------

    def run(self) -> None:
        """The loop; returns when stop() is called. Owns the session from start to end."""
        try:
            self._open()
        except BaseException as exc:
            # start() raises it in the caller; re-raising here too would print a thread traceback
            self.error = exc
            self.ready.set()
            self.stopped.set()
            return
        self.ready.set()
        sd_notify(f"READY=1\nSTATUS=room {self.session.room}: serving")
        next_refresh = time.monotonic() + self.refresh_s
        try:
            while not self._stop.is_set():
                try:
                    item = self.inbox.get(timeout=TICK_S)
                except queue_mod.Empty:
                    item = None
                if item is not None:
                    self._handle_item(item)
                    # take whatever else is queued before drawing once
                    while not self._stop.is_set():
                        try:
                            more = self.inbox.get_nowait()
                        except queue_mod.Empty:
                            break
                        if more is not None:
                            self._handle_item(more)
                self._tick()
                if time.monotonic() >= next_refresh:
                    next_refresh = time.monotonic() + self.refresh_s
                    self._refresh()
                if self._dirty:
                    self._redraw()
        finally:
            sd_notify("STOPPING=1")
            self._close()
            self.stopped.set()

    _dirty = False

    def _open(self) -> None:
        self.session = self.session_factory()
        if self.date_check is not None:
            self.date_check.attach(self.session)
        self._gate_alerts()
        if self.room_day is not None and self.room_day.classes:
            self._dispatch(self.session.load_timetable(self.room_day, self.clock.now(), self.auto_advance))
        elif self.room_day is not None:
            self._alert("timetable", f"时间表中没有 {self.session.room} 今天的班级 / no classes for this room today")
        self._started: list[tuple[str, Part]] = []
        for name, part in self.parts.in_order():
            part.start()
            self._started.append((name, part))
        self._dirty = True

    def _close(self) -> None:
        for name, part in reversed(getattr(self, "_started", [])):  # inputs first, outputs last
            try:
                part.stop()
            except Exception as exc:  # shutting down: log and go on with the rest
                log.warning("stopping the %s (%s): %s", name, type(part).__name__, exc)
        if self.session is not None:
            self.session.store.close()
        if self.gate is not None:
            self.gate.close()

    def _gate_alerts(self) -> None:
        """The gate's state on the hall screen (see station_alerts.gate_alerts)."""
        if self.gate is not None and gate_alerts(self._alerts, self.gate, self.parts.sync.status):
            self._dirty = True

    def _handle_item(self, item: object) -> None:
        """Handle one item; a surprise in it is logged and shown, and the queue goes on with the next."""
        try:
            self._handle_one(item)
        except Exception:  # StationError (a refused commit) is handled in _command; this is a bug's way out
            log.exception("station: handling %s failed", type(item).__name__)
            self._alert("internal", "内部错误，已跳过一项操作，请联系工作人员 / internal error: one action skipped",
                        NOTICE_S)
            if isinstance(item, ScanEvent):
                # replace the last student's flash: it must not look like this scan's number
                try:
                    self._feedback(fx.ScanFeedback(False, "rejected", None, "internal", "出错了，请联系工作人员",
                                                   "internal error"))
                except Exception:  # the failing part may be the flash itself
                    log.exception("station: cannot show the scan's refusal")

    def _handle_one(self, item: object) -> None:
        self._last_turn = time.monotonic()
        if isinstance(item, _Call):
            try:
                item.future.set_result(item.fn(self))
            except BaseException as exc:
                item.future.set_exception(exc)
            return
        starts = isinstance(item, (ScanEvent, ButtonAction)) or (isinstance(item, cmd.Command) and not isinstance(
            item, (cmd.RecordPrint, cmd.FlagDuplicate, cmd.LoadTimetable)))  # a scan or a staff key
        if (starts and self._end_start_band(item)) or self._key_on_unconfirmed_date(item):
            self.handled += 1
            return
        if isinstance(item, ScanEvent):
            self._command(cmd.Scan(item.text, item.source))
        elif isinstance(item, ScannerAlert):
            self._scanner_alert(item)
        elif isinstance(item, PrintResult):
            self._print_result(item)
        elif isinstance(item, ButtonAction):
            command = self._button_command(item.name)
            if command is not None:
                self._command(command)
        elif isinstance(item, cmd.Command):
            self._command(item)
        elif isinstance(item, Alert):
            if item.text:
                self._alert(item.key, item.text)
            elif self._alerts.clear(item.key):
                self._dirty = True
        else:
            log.warning("station: ignored an item of type %s", type(item).__name__)
        if isinstance(item, (ScanEvent, cmd.Scan)) and self.date_check is not None and self.date_check.confirmed:
            self._scanned = True
        self.handled += 1

    def _end_start_band(self, item: object) -> bool:
        """The first scan or staff key ends the start checklist. True when the key is taken here: the band
        asked for a press to confirm the date, which the centre (or the CLI) confirmed in the meantime; the
        press does what the band said and no more (it never marks the called student photographed)."""
        asked, self._press_prompt = self._press_prompt, False
        self._end_self_check()
        if asked and isinstance(item, cmd.Advance) and self.date_check is not None and self.date_check.confirmed:
            on, good_ms, bad_ms = self.beeps
            self.parts.buttons.feedback(True, good_ms, bad_ms, beep=on)
            return True
        return False

    def _key_on_unconfirmed_date(self, item: object) -> bool:
        """While the session's date waits for confirmation, a staff key is the date's (see
        ``DateConfirmation.take_key``): the press beeps, any other key is refused. True when taken here."""
        taken = self.date_check.take_key(item) if self.date_check is not None else None
        if taken == "confirmed":
            on, good_ms, bad_ms = self.beeps
            self.parts.buttons.feedback(True, good_ms, bad_ms, beep=on)  # the photographer hears it was taken
        elif taken == "refused":
            self._notice(fx.StaffNotice("refused", *self.date_check.key_refusal()))
        else:
            return False
        self._dirty = True
        return True

    def _button_command(self, name: str) -> cmd.Command | None:
        state = self.session.state
        if name == "recall":
            skipped = [t for t in state.tickets.values() if t.status == SKIPPED]
            if not skipped:
                self._notice(fx.StaffNotice("refused", "没有过号的号可召回", "no skipped ticket to recall"))
                return None
            return cmd.Recall(max(skipped, key=lambda t: t.shot_seq or 0).number)
        if name == "reprint":
            if state.called is None:
                self._notice(fx.StaffNotice("refused", "没有正在拍摄的号", "no ticket is being called"))
                return None
            return cmd.Reprint(state.called)
        log.warning("unknown button action %r", name)
        return None

    def _command(self, command: cmd.Command, command_id: int | None = None) -> tuple[str, str] | None:
        """Apply one command; a staff command from the centre (``command_id``) returns its committed outcome."""
        outcome = None
        try:
            if command_id is None:
                effects = self.session.handle(command, self.clock.now())
            else:
                effects, outcome = self.session.handle_staff(command_id, command, self.clock.now())
        except StationError as exc:
            # The commit was refused: nothing changed. Show it, log it, stop the watchdog's pings.
            self._db_error = str(exc)
            log.error("station: %s refused: %s", type(command).__name__, exc)
            damaged = exc.exit_status == DAMAGED  # not a full disk: the file is not the whole history
            self._alert("db", "数据库不完整或已损坏，已停止取号，请联系技术人员 / station database damaged: numbering "
                        "stopped" if damaged else "数据库写入失败，请联系工作人员 / database write failed")
            if isinstance(command, cmd.Scan):
                # replace the last student's flash: it must not look like this scan's number
                self._feedback(fx.ScanFeedback(False, "rejected", None, "database", "数据库写入失败，请联系工作人员",
                                               "database write failed"))
            return None
        if self._db_error is not None:
            self._db_error = None
            self._alerts.clear("db")
        self._dispatch(effects)
        return outcome

    def staff_command(self, command_id: int, targeted) -> tuple[str, str] | None:
        """Queue thread (through ``call``): a staff command from the centre, its target checked and its
        outcome committed with it; None when the commit was refused (the centre offers it again)."""
        return self._command(targeted, command_id)

    def _dispatch(self, effects: list[fx.Effect]) -> None:
        for observe in self.observers:
            observe(effects)
        for e in effects:
            if isinstance(e, fx.PrintTicket):
                self.parts.printer.print_ticket(e, self.location)
            elif isinstance(e, fx.ScanFeedback):
                self._feedback(e)
            elif isinstance(e, fx.StaffNotice):
                self._notice(e)
            elif isinstance(e, fx.CallNumber):
                self.parts.sounds.call(e.number)
            elif isinstance(e, fx.Redraw):
                self._dirty = True
            elif isinstance(e, fx.SyncOutbox):
                self.parts.sync.wake()

    def _feedback(self, e: fx.ScanFeedback) -> None:
        kind = {"issued": "issued", "reprint": "reprint"}.get(e.kind, "refused")
        text = e.message_zh if kind == "refused" else ""
        self._flash = {"kind": kind, "text": text, "number": e.number}
        self._flash_until = self.clock.monotonic() + FLASH_S
        self.parts.display.flash(kind, text, e.number)
        on, good_ms, bad_ms = self.beeps
        self.parts.buttons.feedback(e.ok, good_ms, bad_ms, beep=on)
        log.info("scan: %s %s %s", e.kind, e.number if e.number is not None else "-", e.message_en)
        self._dirty = True

    def _notice(self, e: fx.StaffNotice) -> None:
        level = logging.INFO if e.kind in ("class_full", "idle") else logging.WARNING
        log.log(level, "staff notice (%s): %s", e.kind, e.message_en)
        if e.kind not in ("idle",):
            self._alert(f"notice:{e.kind}", e.message_zh, NOTICE_S)

    def _scanner_alert(self, a: ScannerAlert) -> None:
        """One screen alert per part (scanner.reads.ALERT_PARTS): a part's recovery clears its own alert only."""
        from photoqueue.scanner.reads import ALERT_PARTS

        log.warning("scanner: %s", a.message_en)
        part, recovered = ALERT_PARTS.get(a.code, (a.code, False))
        if recovered:
            if self._alerts.clear(f"scanner:{part}"):
                self._dirty = True
            return
        self._alert(f"scanner:{part}", a.message_zh, None if part in ("camera", "hid") else 5.0)
        if a.code == "seen_not_read":  # a soft beep: the student hears the code was seen, not taken
            on, _good_ms, bad_ms = self.beeps
            self.parts.buttons.feedback(True, 40, bad_ms, beep=on)

    def _print_result(self, r: PrintResult) -> None:
        if r.ok:
            self._alerts.clear("printer")
        else:
            self._alert("printer", f"{r.number} 号小票未打印：{r.message_zh}")
        self._command(cmd.RecordPrint(r.number, r.ok, r.reason_code or r.message_en, r.reprint))

    def show_self_check(self, line: str) -> None:
        """The start checklist (photoqueue diagnose's quick checks) in the screen's alert band until the first
        scan or staff key, so staff see a ready room (or what to fix) before the first student. While the date
        waits for confirmation the line asks for the photographer's press; it goes the moment the date is
        confirmed by any means, and a press while it shows only confirms."""
        self._press_prompt = self.date_check is not None and not self.date_check.confirmed
        self._alert("selfcheck", line)

    def _end_self_check(self) -> None:
        if self._alerts.clear("selfcheck"):
            self._dirty = True

    def _alert(self, key: str, text: str, seconds: float | None = None) -> None:
        self._alerts.set(key, text, seconds)
        self._dirty = True

    def _tick(self) -> None:
        self._last_turn = time.monotonic()
        self.parts.buttons.tick(self.clock.monotonic())
        if self._alerts.expire():
            self._dirty = True
        if self.alive and time.monotonic() - self._last_ping >= 1.0:
            self._last_ping = time.monotonic()
            sd_notify("WATCHDOG=1")
        if time.monotonic() - self._last_health_write >= HEALTH_WRITE_S:
            self._last_health_write = time.monotonic()
            self._write_health()

    def _refresh(self) -> None:
        self._gate_alerts()
        if self.date_check is not None and self.date_check.poll():
            self._dirty = True  # the centre's date or `queue confirm-date` confirmed it
            if self._press_prompt:  # the band must not go on asking for a press that would now advance
                self._press_prompt = False
                self._end_self_check()
        try:
            effects = self.session.refresh()  # the staff CLI (or a manual scan) changed the queue
            if effects:
                self._dispatch(effects)
        except StationError as exc:
            self._db_error = str(exc)

    def view(self, with_flash: bool = True):
        """The hall screen's state now (queue thread only). ``with_flash``: the last scan's flash while it
        lasts (for snapshots; the live display times its flashes itself, see ``_feedback``)."""
        flash = self._flash if with_flash and self.clock.monotonic() < self._flash_until else None
        return display_state(self.session.state, now=self.clock.now(), alerts=self.alerts,
                             location=self.location, flash=flash, live_clock=isinstance(self.clock, WallClock),
                             date_check=self.date_check.shown(self._scanned, self.session.state.called)
                             if self.date_check is not None else None)

    @property
    def alerts(self) -> list[str]:
        return self._alerts.texts

    def _redraw(self) -> None:
        self._dirty = False
        if not self.parts.present("display"):
            return
        try:
            self.parts.display.show(self.view(with_flash=False))
        except Exception as exc:  # the screen must never take the queue down
            log.error("display: %s", exc)
        self.redraws += 1
        self.last_redraw_at = time.perf_counter()

    # --- health ----------------------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        """The queue loop turns and the database takes commits: what systemd's watchdog is fed on. A broken
        camera or printer must not restart the station (it still numbers from the HID scanner or by hand)."""
        return self._db_error is None and time.monotonic() - self._last_turn < self.health_stale_s

    def unhealthy_parts(self) -> dict[str, str]:
        """Each part that is not working, with what is wrong: shown on the screen and the dashboard."""
        parts = dict(self.part_faults)
        if self._db_error is not None:
            parts["database"] = self._db_error
        refusal = self.gate.refusal if self.gate is not None else None
        if refusal is not None:
            parts["numbering"] = f"{refusal.reason.value}: {refusal.detail} (fix: {refusal.fix})"
        if time.monotonic() - self._last_turn >= self.health_stale_s:
            parts["queue"] = "the queue loop is not turning"
        if self.parts.camera.fault:
            parts["camera"] = str(self.parts.camera.fault)
        if not self.parts.printer.healthy:
            parts["printer"] = "failing"
        return parts

    @property
    def healthy(self) -> bool:
        return self.alive and not self.unhealthy_parts()

    def health(self) -> dict[str, Any]:
        """The station's status (queue thread, or a copy through ``call``)."""
        s = self.session.state if self.session else None
        return {
            "healthy": self.healthy, "unhealthy": self.unhealthy_parts(),
            "room": s.room if s else None, "date": s.date if s else None,
            "called": s.called if s else None, "waiting": len(s.waiting) if s else 0,
            "issued": len(s.tickets) if s else 0, "active_class": s.active_class if s else None,
            "database": self._db_error or "ok",
            "printer": "ok" if self.parts.printer.healthy else "failing",
            "camera": self.parts.camera.fault or ("ok" if self.parts.present("camera") else "none"),
            "alerts": self.alerts,
            "sync": self.parts.sync.status(),
            **(self.date_check.status() if self.date_check is not None else {"date_confirmed": "off"}),
            **(self.gate.status() if self.gate is not None else {"numbering": "ok", "centre_hello": "off"}),
            "at": self.clock.now().isoformat(timespec="seconds"),
        }

    def health_snapshot(self) -> dict[str, Any]:
        """The last health status written by the queue thread (safe from any thread: the sync client)."""
        return dict(self._health_copy)

    def _write_health(self) -> None:
        self._health_copy = self.health()
        if self.health_path is not None:
            write_health(self.health_path, self._health_copy)

    def now(self) -> dt.datetime:
        return self.clock.now()
