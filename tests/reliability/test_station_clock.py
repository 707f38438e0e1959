"""A Pi whose clock is a day behind on a two-day timetable (issue 13, reproduction 5).

The room is on the timetable on two days. The station numbered its first day; on the second day its
clock still says the first. The real station (built from a TOML config like ``photoqueue station``,
syncing with a real ``photoqueue central serve``) must not give anyone a number in the first day's
session: the centre's date, which comes back with every sync, contradicts it. Fixed clock, restarted:
numbering goes on in the second day's session, from 1.

Lost: a number issued in the session of a date the centre contradicts.

The same Pi that has never reached the centre (the network down since boot) has nothing to compare: its
date must be confirmed at the room before the first number. Every scan is refused (no number, nothing in
the event log) while the hall screen shows the session's date large; staff see day 1, set
``[station] date`` and restart: day 2's session, numbers from 1.

Lost: a number issued on a date nobody confirmed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest
from centre_key import give_centre_key
from clocks import ShiftedClock
from rel_helpers import KEY_HEX, ROOM, ScreenRecorder, record

from photoqueue.central.admin import add_station
from photoqueue.central.process import CentralProcess, bound_socket
from photoqueue.device.station.build import build_station
from photoqueue.device.station.config import load_config
from photoqueue.scanner.reads import ScanEvent


def config_file(tmp_path, url: str, token: str, date: str = ""):
    today = dt.date.today()
    yesterday = today - dt.timedelta(days=1)
    timetable = tmp_path / "two-days.csv"
    timetable.write_text("date,room,location,start,end,college,class_name,headcount\n"
                         f"{yesterday},{ROOM},会议室,00:00,23:59,,第一天1班,40\n"
                         f"{today},{ROOM},会议室,00:00,23:59,,第二天1班,40\n", encoding="utf-8")
    (tmp_path / "token").write_text(token)
    (tmp_path / "key").write_text(KEY_HEX)
    path = tmp_path / "station.toml"
    path.write_text(f"""
[station]
room = "{ROOM}"
data_dir = "{tmp_path / 'station'}"
key_file = "{tmp_path / 'key'}"
timetable = "{timetable}"
date = "{date}"
screen = false
refresh_s = 0.2

[printer]
kind = "dummy"

[buttons]
advance_pin = -1
keyboard = false

[sound]
scan_beeps = false
call_chime = false

[central]
url = "{url}"
token_file = "{tmp_path / 'token'}"
interval_s = 0.1
""", encoding="utf-8")
    return path, yesterday, today


def run_day(config, clock, codes):
    station = build_station(load_config(config), clock=clock, headless=True, keyboard=False)
    station.display = ScreenRecorder()
    station.start()
    try:
        deadline = time.monotonic() + 30
        while station.sync.status().get("centre_date") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        for code in codes:
            station.submit(ScanEvent(code, "manual", time.monotonic()))
        station.call(lambda _s: None).result(30)
        date = station.call(lambda s: s.session.date).result(30)
        flashes = list(station.display.flashes)
        alerts = station.call(lambda s: s.alerts).result(30)
    finally:
        station.stop()
    return date, flashes, alerts


def numbers(data_dir, date):
    with sqlite3.connect(data_dir / "station.db") as db:
        return sorted(n for (n,) in db.execute("SELECT number FROM codes WHERE date = ?", (date,)))


def test_a_clock_a_day_behind_does_not_continue_yesterdays_session(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    token = add_station(url, ROOM)
    give_centre_key(url, bytes.fromhex(KEY_HEX))  # the station's key is the centre's (issue 21)
    with CentralProcess(url, settings={"rate_limit_per_s": "0"}) as centre:
        config, yesterday, today = config_file(tmp_path, centre.url, token)
        day1 = [f"DAY1-STUDENT-{i:04d}" for i in range(10)]
        day2 = [f"DAY2-STUDENT-{i:04d}" for i in range(10)]
        # day 1 happened yesterday: its clock was right then (the centre, today, contradicts it now, so the
        # numbering of day 1 is made without the centre)
        from photoqueue.core.state import Rules
        from photoqueue.device.store.events import EventStore
        from photoqueue.device.store.session import Session

        session = Session(EventStore(tmp_path / "station" / "station.db"), ROOM, yesterday.isoformat(),
                          Rules(digest_key=bytes.fromhex(KEY_HEX)))
        for code in day1:
            session.scan(code, dt.datetime.combine(yesterday, dt.time(9)))
        session.store.close()
        # day 2, the clock still on day 1
        wrong_date, flashes, alerts = run_day(config, ShiftedClock(-1), day2 + day1[:2])
        after_wrong = numbers(tmp_path / "station", yesterday.isoformat())
        # the clock fixed, restarted
        right_date, flashes2, _ = run_day(config, ShiftedClock(0), day2)
        today_numbers = numbers(tmp_path / "station", today.isoformat())
    refused = [f for f in flashes if f[0] == "refused"]
    lost = len(after_wrong) - len(day1)
    record("Pi clock a day behind on a two-day timetable (real station, real centre)", len(day2) + 2,
           len(refused), lost + (len(day2) + 2 - len(refused)), session_opened=wrong_date,
           numbered_in_wrong_session=lost, numbered_after_fix=len(today_numbers))
    assert wrong_date == yesterday.isoformat()
    assert after_wrong == list(range(1, len(day1) + 1)), "no day-2 student numbered in day 1's session"
    assert len(refused) == len(day2) + 2 and all("日期" in f[1] for f in refused)
    assert any("日期" in a for a in alerts)
    assert right_date == today.isoformat() and today_numbers == list(range(1, len(day2) + 1))


@pytest.fixture
def unreachable_url():
    """A port bound and never listened on: it refuses every connection, and no other test takes it meanwhile."""
    sock = bound_socket()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_a_never_synced_clock_a_day_behind_numbers_only_on_a_confirmed_date(tmp_path, unreachable_url):
    url = unreachable_url  # the centre is out of reach since boot: nothing to compare
    config, yesterday, today = config_file(tmp_path, url, "no-centre-token")
    day1 = [f"DAY1-STUDENT-{i:04d}" for i in range(10)]
    day2 = [f"DAY2-STUDENT-{i:04d}" for i in range(12)]
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore
    from photoqueue.device.store.session import Session

    session = Session(EventStore(tmp_path / "station" / "station.db"), ROOM, yesterday.isoformat(),
                      Rules(digest_key=bytes.fromhex(KEY_HEX)))
    for code in day1:
        session.scan(code, dt.datetime.combine(yesterday, dt.time(9)))
    session.store.close()
    # day 2, after a power cut: the clock still on day 1, no centre
    station = build_station(load_config(config), clock=ShiftedClock(-1), headless=True, keyboard=False)
    station.display = ScreenRecorder()
    station.start()
    try:
        with sqlite3.connect(tmp_path / "station" / "station.db") as db:
            events_before = db.execute("SELECT count(*) FROM events").fetchone()[0]
        for code in day2:
            station.submit(ScanEvent(code, "manual", time.monotonic()))
        station.call(lambda _s: None).result(30)
        wrong_date = station.call(lambda s: s.session.date).result(30)
        shown = station.call(lambda s: s.view().date_check).result(30)
        confirmed = station.call(lambda s: s.health()["date_confirmed"]).result(30)
        flashes = list(station.display.flashes)
    finally:
        station.stop()
    with sqlite3.connect(tmp_path / "station" / "station.db") as db:
        events_after = db.execute("SELECT count(*) FROM events").fetchone()[0]
    after_wrong = numbers(tmp_path / "station", yesterday.isoformat())
    # staff read day 1 on the screen, set [station] date to day 2 and restart (still no centre)
    config, _, _ = config_file(tmp_path, url, "no-centre-token", date=today.isoformat())
    station = build_station(load_config(config), clock=ShiftedClock(-1), headless=True, keyboard=False)
    station.display = ScreenRecorder()
    station.start()
    try:
        for code in day2:
            station.submit(ScanEvent(code, "manual", time.monotonic()))
        station.call(lambda _s: None).result(30)
        right_date = station.call(lambda s: s.session.date).result(30)
    finally:
        station.stop()
    today_numbers = numbers(tmp_path / "station", today.isoformat())
    refused = [f for f in flashes if f[0] == "refused"]
    lost = len(after_wrong) - len(day1)
    record("Pi clock a day behind, never synced: date confirmed before the first number (real station)",
           len(day2), len(refused), lost + (len(day2) - len(refused)), session_opened="yesterday",
           numbered_in_wrong_session=lost, events_written_unconfirmed=events_after - events_before,
           numbered_after_config_date=len(today_numbers))
    assert wrong_date == yesterday.isoformat() and confirmed is None
    assert shown is not None and shown.date == yesterday and shown.confirmed_by == ""
    assert after_wrong == list(range(1, len(day1) + 1)), "no day-2 student numbered in day 1's session"
    assert events_after == events_before, "nothing written while the date was unconfirmed"
    assert len(refused) == len(day2) and all("日期未确认" in f[1] for f in refused)
    assert right_date == today.isoformat() and today_numbers == list(range(1, len(day2) + 1))
