"""Assemble a Station from a checked Config: the session, the timetable, and every adapter.

Adapters whose hardware is absent degrade instead of failing: no GPIO -> keyboard keys (when a
terminal is attached); no screen -> none; no central token -> offline. Each choice is logged.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from pathlib import Path

from photoqueue.device.errors import StationError
from photoqueue.device.station.app import Station
from photoqueue.device.station.config import Config, read_token
from photoqueue.device.station.day import load_room_day, session_date
from photoqueue.device.station.parts import (
    NullButtons,
    NullCamera,
    NullDisplay,
    NullPart,
    NullSounds,
    NullSync,
    StationParts,
)
from photoqueue.device.station.photo_watch import make_photo_watch

log = logging.getLogger(__name__)


def make_gate(config: Config, date: str, key: bytes, clock_check=None):
    """The station's NumberGate (device/store/gate.py): the data dir's lock, both witnesses, and the centre's hello
    when [central] url and a token are there."""
    from photoqueue.core.digest import key_fingerprint
    from photoqueue.device.store.gate import NumberGate
    from photoqueue.device.store.outer_witness import default_dir
    from photoqueue.device.sync.hello import CentreLink

    link = None
    token = read_token(config.central) if config.central.url else None
    if token:
        from photoqueue.device.store.keyfile import save_received_key

        link = CentreLink(config.central.url, token, timeout_s=config.central.hello_timeout_s,
                          fingerprint=key_fingerprint(key), clock_check=clock_check,
                          on_key=lambda received: save_received_key(config.station, received))
    return NumberGate(config.station.data_dir, config.station.room, date,
                      default_dir(config.station.witness_dir, config.station.data_dir),
                      centre=link)


def session_factory(config: Config, date: str, key: bytes, clock_check=None, gate=None):
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.session import Session

    policy = config.values.get("codes")
    rules = Rules(digest_key=key, code_policy=policy) if policy is not None else Rules(digest_key=key)
    data_dir = Path(config.station.data_dir)

    def make():
        nonlocal rules
        if gate is not None:  # the lock, then the centre's hello (a takeover rebuilds), before the store opens
            gate.lock()
            gate.meet_centre(db_path(data_dir))
            received = gate.centre.received_key if gate.centre is not None else None
            if received is not None:  # a station that never numbered digests with the centre's key from now on
                rules = dataclasses.replace(rules, digest_key=received)
        session = Session(EventStore(db_path(data_dir)), config.station.room, date, rules)
        if clock_check is not None:
            session.date_guard = clock_check.refusal
        if gate is not None:
            gate.attach(session)
        return session

    return make


def make_camera(config: Config, submit, clock, source=None):
    """The camera thread: ``source`` given (demo, bench) or the one [camera] names (none: NullCamera)."""
    from photoqueue.device.station.camera import CameraScanner
    from photoqueue.scanner.sources import make_source

    if source is None:
        source = make_source(config.camera)
        if source is None:
            return NullCamera()
    return CameraScanner(source, submit, clock.monotonic, config.camera)


def make_hid(config: Config, submit):
    if not config.camera.hid_device:
        return NullPart()
    from photoqueue.device.station.camera import HidReader

    return HidReader(config.camera, submit)


def make_buttons(config: Config, submit, clock, pin_factory=None, keyboard: bool | None = None,
                 keyboard_stream=None):
    from photoqueue.device.station.buttons import Buttons, KeyboardButtons, make_pin_factory

    b = config.buttons
    if b.any_gpio or b.led_pin >= 0 or b.buzzer_pin >= 0:
        try:
            factory = pin_factory if pin_factory is not None else make_pin_factory(b.pin_factory)
            return Buttons(b, submit, clock.monotonic, factory)
        except Exception as exc:  # gpiozero raises many kinds when there is no GPIO at all
            log.warning("buttons: no GPIO here (%s)", exc)
    use_keys = b.keyboard if keyboard is None else keyboard
    stream = keyboard_stream or sys.stdin
    if use_keys and stream is not None and stream.isatty():
        log.warning("buttons: using the keyboard: space/enter advance, u undo, s skip, r recall, n next class, "
                    "p reprint")
        return KeyboardButtons(submit, stream)
    return NullButtons()


def make_display(config: Config, headless: bool = False):
    if headless or not config.station.screen:
        return NullDisplay()
    from photoqueue.display.hall import HallDisplay

    return HallDisplay(config.display)


def make_sounds(config: Config):
    if not config.sound.call_chime or os.environ.get("SDL_AUDIODRIVER") == "dummy":
        return NullSounds()
    from photoqueue.display.sound import Sounds

    return Sounds(config.display)


def make_sync(config: Config, submit, health=None, session_date=None, staff=None, clock_check=None,
              on_refusal=None, key_fingerprint=None):
    """The sync client when [central] url is set and a token is there; else NullSync (offline)."""
    central = config.central
    if not central.url:
        return NullSync()
    token = read_token(central)
    if token is None:
        log.warning("central: %s is set but there is no token; running offline", central.url)
        return NullSync()
    from photoqueue.device.store.events import db_path
    from photoqueue.device.sync.client import SyncClient

    return SyncClient(db_path(config.station.data_dir), central.url, token, room=config.station.room,
                      on_command=submit, on_staff_command=staff, health=health, session_date=session_date,
                      clock_check=clock_check, on_refusal=on_refusal, key_fingerprint=key_fingerprint,
                      batch_size=central.batch_size, interval_s=central.interval_s, timeout_s=central.timeout_s,
                      backoff_initial_s=central.backoff_initial_s, backoff_max_s=central.backoff_max_s)


def build_station(config: Config, *, clock=None, pin_factory=None, headless: bool = False,
                  camera_source=None, printer=None, keyboard: bool | None = None, keyboard_stream=None) -> Station:
    """A ready-to-run Station (not started). Reads the key and the timetable; touches nothing else."""
    from photoqueue.device.station.printer import PrinterAdapter
    from photoqueue.device.station.view import WallClock
    from photoqueue.device.store.keyfile import ensure_key

    clock = clock or WallClock()
    date = session_date(config, clock)
    data_dir = Path(config.station.data_dir)
    try:  # before the key: a key made in the data dir needs the directory
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StationError(f"{data_dir}: cannot make the data directory: {exc.strerror or exc}; make it "
                           "writable by this user or choose another data_dir / 无法创建数据目录") from None
    # one resolution for the service, --check, diagnose and the staff CLI (device/store/keyfile.py); a station with a
    # centre that has none yet makes one here until its hello hands over the centre's (save_received_key)
    key_source = ensure_key(config.station, make=True)
    log.info("deployment key: %s", key_source.describe())
    key = key_source.key
    room_day = load_room_day(config, date)
    beeps = (config.sound.scan_beeps, config.sound.good_beep_ms, config.sound.bad_beep_ms)
    from photoqueue.device.station.date_confirm import DateConfirmation, confirmed_by_start
    from photoqueue.device.sync.clock_check import ClockCheck

    # on a simulated clock (the demo) the centre's real date says nothing about the session's
    clock_check = None if getattr(clock, "simulated", False) else ClockCheck(
        config.central.clock_bound_s, now=lambda: clock.now().timestamp())
    # no number until the date is confirmed (config, centre, button, CLI): a clock a day behind on a two-day
    # timetable would otherwise number day 2's students in day 1's session
    date_check = DateConfirmation(date, by=confirmed_by_start(config, clock), clock_check=clock_check, now=clock.now)
    gate = make_gate(config, date, key, clock_check)
    station = Station(session_factory=session_factory(config, date, key, clock_check, gate), room_day=room_day,
                      clock=clock, gate=gate,
                      health_path=data_dir / "health.json", refresh_s=config.station.refresh_s,
                      health_stale_s=config.station.health_stale_s, auto_advance=config.station.auto_advance,
                      beeps=beeps, date_check=date_check)
    submit = station.submit
    if clock_check is not None:  # a station whose time zone is not the deployment's says so on the screen
        from photoqueue.device.station.alerts import Alert

        clock_check.on_alert = lambda key, text: submit(Alert(key, text))
    station.parts = StationParts(
        printer=printer or PrinterAdapter(config.printer, submit),
        display=make_display(config, headless),
        buttons=make_buttons(config, submit, clock, pin_factory, keyboard, keyboard_stream),
        sounds=make_sounds(config),
        sync=make_sync(config, submit, health=station.health_snapshot, session_date=lambda: date,
                       staff=lambda cid, t: station.call(lambda st: st.staff_command(cid, t)),
                       clock_check=clock_check, on_refusal=gate.stop_from_centre,
                       key_fingerprint=lambda: gate.centre.fingerprint if gate.centre is not None else None),
        camera=make_camera(config, submit, clock, camera_source),
        hid=make_hid(config, submit),
        photos=make_photo_watch(getattr(config, "photos", None), data_dir, config.station.room, date, submit),
    )
    from photoqueue.device.station.diagnose import start_checks

    start_checks(config, clock.now, station)
    if station.parts.present("sync"):
        # the centre's timetable for this room and day (cached for offline starts; the file as a fallback)
        try:
            station.room_day = station.sync.pull_timetable(config.station.room, date,
                                                           config.central.timetable_cache or None,
                                                           config.station.timetable or None)
        except Exception as exc:  # the station must start offline whatever the centre does
            log.warning("central: no timetable from the centre (%s); using %s", exc,
                        config.station.timetable or "none")
    return station
