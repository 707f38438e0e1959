"""A station that has never reached the centre numbers only on a date staff confirm (issue 13, "The date").

The real station (``build_station`` from a config, its SQLite file, gpiozero's MockFactory for the
photographer's button, a real centre in a thread where the centre matters) on a two-day timetable. Its
clock is a real clock shifted by whole days, as a Pi's fake-hwclock after a power cut: "day 2" is today
(the centre's date), "day 1" yesterday.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import sqlite3
import subprocess
import sys
import time

import pytest
from centre_key import give_centre_key
from clocks import ShiftedClock
from gpiozero.pins.mock import MockFactory
from polling import wait_for

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.cli import main
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.station import diagnose
from photoqueue.device.station.build import build_station
from photoqueue.device.station.config import parse_config
from photoqueue.device.station.parts import Adapter
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session
from photoqueue.display import render_png
from photoqueue.scanner.reads import ScanEvent

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

ROOM = "第一组"
PIN = 17
KEY_HEX = "5a" * 32


class Room(Adapter):
    """The hall screen and the printer in one: what the station showed, flashed and printed."""

    healthy = True

    def __init__(self):
        self.states, self.flashes, self.tickets = [], [], []

    def show(self, state) -> None:
        self.states.append(state)

    def flash(self, kind: str, text: str = "", number: int | None = None) -> None:
        self.flashes.append((kind, text, number))

    def print_ticket(self, effect, location: str = "") -> None:  # noqa: ARG002 - the printer part's signature
        self.tickets.append(effect.number)


@pytest.fixture
def days():
    today = dt.date.today()
    return (today - dt.timedelta(days=1)).isoformat(), today.isoformat()


@pytest.fixture
def setup(tmp_path, days):
    day1, day2 = days
    timetable = tmp_path / "two-days.csv"
    timetable.write_text("date,room,location,start,end,college,class_name,headcount\n"
                         f"{day1},{ROOM},会议室,00:00,23:59,,第一天1班,40\n"
                         f"{day2},{ROOM},会议室,00:00,23:59,,第二天1班,40\n", encoding="utf-8")
    (tmp_path / "key").write_text(KEY_HEX)
    return tmp_path, timetable


def config(setup, station=None, central=None):
    tmp_path, timetable = setup
    table = {"station": {"room": ROOM, "data_dir": str(tmp_path / "data"), "timetable": str(timetable),
                         "key_file": str(tmp_path / "key"), "screen": False, "refresh_s": 0.05, **(station or {})},
             "printer": {"kind": "dummy"},
             "buttons": {"advance_pin": PIN, "pin_factory": "mock", "keyboard": False},
             "sound": {"scan_beeps": False, "call_chime": False}}
    if central:
        table["central"] = central
    return parse_config(table)


def numbered_yesterday(setup, day1: str, n: int) -> None:
    """Day 1 happened: ``n`` students numbered in day 1's session (the clock was right then)."""
    tmp_path, _ = setup
    session = Session(EventStore(tmp_path / "data" / "station.db"), ROOM, day1, Rules(digest_key=bytes.fromhex(KEY_HEX)))
    for i in range(n):
        session.scan(f"DAY1-STUDENT-{i:04d}", dt.datetime.fromisoformat(day1) + dt.timedelta(hours=9))
    session.store.close()


def start(cfg, days: int):
    pins = MockFactory()
    station = build_station(cfg, clock=ShiftedClock(days), pin_factory=pins, headless=True)
    room = Room()
    station.parts.display = room
    station.parts.printer = room
    station.start()
    return station, room, pins.pin(PIN)


def press(pin) -> None:
    """The photographer's button: to ground (pull-up), held a moment, released."""
    pin.drive_low()
    time.sleep(0.15)
    pin.drive_high()


def ask(station, fn):
    return station.call(fn).result(15)


def scan(station, code: str) -> None:
    station.submit(ScanEvent(code, "camera", time.monotonic()))
    ask(station, lambda _s: None)


def written(setup) -> tuple[int, int, int]:
    """(events, codes, outbox rows) in the station's file."""
    tmp_path, _ = setup
    with sqlite3.connect(tmp_path / "data" / "station.db") as db:
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("events", "codes", "outbox"))


def queue_cli(setup, *args) -> int:
    tmp_path, _ = setup
    saved = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        return main(["queue", "--data-dir", str(tmp_path / "data"), "--room", ROOM, *args])
    finally:
        sys.stdin = saved


def test_a_never_synced_station_a_day_behind_refuses_scans_and_keys_until_confirmed(setup, days, tmp_path):
    day1, _ = days
    numbered_yesterday(setup, day1, 5)
    station, room, _pin = start(config(setup), days=-1)
    try:
        before = written(setup)
        for i in range(4):
            scan(station, f"DAY2-STUDENT-{i:04d}")
        station.submit(cmd.Undo())  # the photographer's hold: a staff key, not the confirming press
        health = ask(station, lambda s: s.health())
        state = ask(station, lambda s: (s.session.date, s.session.state.called, len(s.session.state.tickets)))
        view = ask(station, lambda s: s.view())
    finally:
        station.stop()
    assert state == (day1, 1, 5), "day 1's session, as it was"
    assert written(setup) == before, "nothing written: no event, no number, nothing to sync"
    assert room.tickets == []
    assert [f[0] for f in room.flashes] == ["refused"] * 4
    assert all("日期未确认" in f[1] and day1 in f[1] for f in room.flashes)
    assert health["date_confirmed"] is None and health["date"] == day1
    assert any("请先按拍摄键确认日期" in a for a in health["alerts"])
    # the screen: the session's date large in place of the call, asking for the button
    assert view.date_check is not None and view.date_check.date.isoformat() == day1
    assert view.date_check.confirmed_by == "" and view.now_serving == 1
    png = render_png(view, (1280, 720), tmp_path / "unconfirmed.png")  # looked at: docs/img/date-unconfirmed.png
    assert png.stat().st_size > 10_000


def test_the_photographers_press_confirms_the_date_does_not_advance_and_is_logged(setup, days, caplog):
    day1, _ = days
    numbered_yesterday(setup, day1, 3)
    caplog.set_level(logging.INFO, logger="photoqueue.device.station.date_confirm")
    station, room, pin = start(config(setup), days=-1)
    try:
        before = written(setup)
        press(pin)
        assert wait_for(lambda: ask(station, lambda s: s.health()["date_confirmed"]) == "button")
        after_press = ask(station, lambda s: (s.session.state.called, [t.status for t in s.session.state.tickets.values()]))
        assert written(setup) == before, "the confirming press wrote no event"
        confirmed_view = ask(station, lambda s: s.view())
        scan(station, "DAY2-STUDENT-0000")  # the room checked the date: it is day 1 after all, numbering goes on
        press(pin)  # now a press is a press
        assert wait_for(lambda: ask(station, lambda s: s.session.state.called) == 2)
    finally:
        station.stop()
    assert after_press == (1, ["called", "waiting", "waiting"])
    assert room.tickets == [4]
    # a session with a student called: once confirmed, the screen is the queue's again (the call, not the date)
    assert confirmed_view.date_check is None and confirmed_view.now_serving == 1
    assert any(f"session date {day1}" in r.message and "the photographer's button" in r.message
               for r in caplog.records)


def test_a_date_set_in_the_config_is_confirmed_at_start(setup, days):
    day1, _ = days
    station, room, _pin = start(config(setup, station={"date": day1}), days=-1)
    try:
        view = ask(station, lambda s: s.view())
        scan(station, "DAY1-LATE-0001")
        health = ask(station, lambda s: s.health())
        after = ask(station, lambda s: s.view())
    finally:
        station.stop()
    assert view.date_check.confirmed_by == "config", "the date is shown before the first scan, confirmed"
    assert view.date_check.date.isoformat() == day1
    assert room.tickets == [1] and health["date_confirmed"] == "config"
    assert after.date_check is None and after.now_serving == 1, "after the first scan the screen is the queue's"


def test_confirm_date_off_trusts_the_clock(setup, days):
    day1, _ = days
    station, room, _pin = start(config(setup, station={"confirm_date": False}), days=-1)
    try:
        scan(station, "DAY1-LATE-0001")
        health = ask(station, lambda s: s.health())
    finally:
        station.stop()
    assert room.tickets == [1] and health["date_confirmed"] == "off"


@pytest.fixture
def centre(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0)
    give_centre_key(settings.db, bytes.fromhex(KEY_HEX))  # the stations' key is the centre's (issue 21)
    with CentralThread(settings) as server:
        yield server


def synced(setup, centre) -> dict:
    tmp_path, _ = setup
    token = tmp_path / "token"
    token.write_text(accounts.add_station(centre.store.db, ROOM)[1], encoding="utf-8")
    return {"url": centre.url, "token_file": str(token), "interval_s": 0.1}


def test_a_sync_whose_centre_date_matches_confirms_the_date(setup, days, centre):
    _, day2 = days
    station, room, _pin = start(config(setup, central=synced(setup, centre)), days=0)
    try:
        assert wait_for(lambda: ask(station, lambda s: s.health()["date_confirmed"]) == "centre")
        scan(station, "DAY2-STUDENT-0000")
        health = ask(station, lambda s: s.health())
    finally:
        station.stop()
    assert health["date"] == day2 and room.tickets == [1]
    tmp_path, _ = setup
    with EventStore(tmp_path / "data" / "station.db", create=False) as store:
        assert store.latest_run()["confirmed_by"] == "centre"


def test_a_centre_date_that_contradicts_is_refused_even_after_the_press(setup, days, centre):
    day1, _ = days
    numbered_yesterday(setup, day1, 2)
    station, room, pin = start(config(setup, central=synced(setup, centre)), days=-1)
    try:
        assert wait_for(lambda: ask(station, lambda s: s.parts.sync.status().get("centre_date")) is not None)
        press(pin)  # someone confirms at the room: the centre's date still wins
        assert wait_for(lambda: ask(station, lambda s: s.health()["date_confirmed"]) == "button")
        before = written(setup)[:2]
        for i in range(3):
            scan(station, f"DAY2-STUDENT-{i:04d}")
        numbers = ask(station, lambda s: len(s.session.state.tickets))
    finally:
        station.stop()
    assert numbers == 2 and written(setup)[:2] == before and room.tickets == []
    assert [f[0] for f in room.flashes] == ["refused"] * 3 and all("日期错误" in f[1] for f in room.flashes)


def test_cli_confirm_date_refuses_another_date_saying_both_and_confirms_the_stations(setup, days, capsys):
    day1, day2 = days
    numbered_yesterday(setup, day1, 1)
    station, room, _pin = start(config(setup), days=-1)
    try:
        capsys.readouterr()
        assert queue_cli(setup, "confirm-date", day2) == 1
        err = capsys.readouterr().err
        assert day1 in err and day2 in err and "[station] date" in err and "Traceback" not in err
        assert queue_cli(setup, "confirm-date", "25/10/2024") == 2
        assert "YYYY-MM-DD" in capsys.readouterr().err
        scan(station, "DAY1-LATE-0001")
        assert room.tickets == [], "still unconfirmed after the refusals"
        assert queue_cli(setup, "confirm-date", day1) == 0
        assert "日期已确认" in capsys.readouterr().out
        assert wait_for(lambda: ask(station, lambda s: s.health()["date_confirmed"]) == "cli")
        scan(station, "DAY1-LATE-0001")
        assert queue_cli(setup, "confirm-date", day1, "--json") == 0
        answer = json.loads(capsys.readouterr().out)
    finally:
        station.stop()
    assert room.tickets == [2]
    assert answer["confirmed_by"] == "cli" and answer["date"] == day1


def test_a_restart_asks_again(setup, days):
    day1, _ = days
    station, room, pin = start(config(setup), days=-1)
    try:
        press(pin)
        assert wait_for(lambda: ask(station, lambda s: s.health()["date_confirmed"]) == "button")
        scan(station, "STUDENT-0001")
    finally:
        station.stop()
    assert room.tickets == [1]
    # a power cut, the Pi boots again on the same saved time
    station, room, _pin = start(config(setup), days=-1)
    try:
        scan(station, "STUDENT-0002")
        unconfirmed = (ask(station, lambda s: s.health()["date_confirmed"]), list(room.tickets))
        check = diagnose.run_checks(config(setup), diagnose.Probes(ntp=lambda: True, now=ShiftedClock(-1).now),
                                    ("clock",))[0]
        assert queue_cli(setup, "confirm-date", day1) == 0  # the new process's row, not the old confirmed one
        assert wait_for(lambda: ask(station, lambda s: s.health()["date_confirmed"]) == "cli")
        confirmed = diagnose.run_checks(config(setup), diagnose.Probes(ntp=lambda: True, now=ShiftedClock(-1).now),
                                        ("clock",))[0]
        scan(station, "STUDENT-0002")
    finally:
        station.stop()
    assert unconfirmed == (None, [])
    assert check.status == "warn" and "NOT confirmed" in check.detail and f"confirm-date {day1}" in check.detail
    assert confirmed.status == "ok" and "confirmed by photoqueue queue confirm-date" in confirmed.detail
    assert room.tickets == [2]


def test_cli_confirm_date_refuses_when_no_station_runs(setup, days, capsys):
    day1, _ = days
    assert queue_cli(setup, "confirm-date", day1) == 1  # no station.db at all
    station, _room, _pin = start(config(setup), days=-1)
    station.stop()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    tmp_path, _ = setup
    with sqlite3.connect(tmp_path / "data" / "station.db") as db:  # the station's process has ended
        db.execute("UPDATE station_runs SET pid = ?", (gone.pid,))
    capsys.readouterr()
    assert queue_cli(setup, "confirm-date", day1) == 1
    err = capsys.readouterr().err
    assert "no station is running" in err and "nothing was confirmed" in err
