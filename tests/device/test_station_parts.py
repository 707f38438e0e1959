"""The station's parts: started and stopped from one list, null objects for what a room lacks, the
keyboard fallback driving the queue, and the location following the timetable actually in use."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from centre_key import give_centre_key
from polling import wait_for

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.core import commands as cmd
from photoqueue.device.station.app import Station
from photoqueue.device.station.build import build_station
from photoqueue.device.station.config import parse_config
from photoqueue.device.station.parts import (
    Adapter,
    NullButtons,
    NullCamera,
    NullDisplay,
    NullSync,
    StationParts,
)
from photoqueue.device.station.view import SimClock
from photoqueue.timetable import load_timetable

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

ROOM = "第一组"
DATE = "2023-10-25"
TIMETABLE = Path(__file__).resolve().parents[2] / "photoqueue" / "data" / "timetable-2024.csv"


class Recorder(Adapter):
    """Display and printer in one: keeps what the station showed and the location it printed."""

    healthy = True

    def __init__(self, log: list[str], name: str):
        self.log, self.name = log, name
        self.states, self.locations = [], []

    def start(self):
        self.log.append(f"start {self.name}")
        return self

    def stop(self):
        self.log.append(f"stop {self.name}")

    def show(self, state):
        self.states.append(state)

    def flash(self, kind, text="", number=None):
        pass

    def print_ticket(self, effect, location=""):
        self.locations.append((effect.number, location))


def _config(tmp_path, **sections):
    station = {"room": ROOM, "data_dir": str(tmp_path / "data"), "date": DATE, "screen": False,
               **sections.pop("station", {})}
    return parse_config({"station": station, "printer": {"kind": "dummy"},
                         "buttons": {"advance_pin": -1, "keyboard": False}, **sections})


def test_parts_start_in_order_and_stop_in_reverse_and_absent_parts_are_null_objects(tmp_path):
    log: list[str] = []
    config = _config(tmp_path, station={"timetable": str(TIMETABLE)})
    station = build_station(config, clock=SimClock(dt.datetime(2023, 10, 25, 14, 25), speed=0))
    assert isinstance(station.parts.camera, NullCamera) and isinstance(station.parts.sync, NullSync)
    assert isinstance(station.parts.display, NullDisplay) and isinstance(station.parts.buttons, NullButtons)
    station.parts.printer = Recorder(log, "printer")
    station.parts.display = Recorder(log, "display")
    station.start()
    station.submit(cmd.Scan("student-code-0001", "manual"))
    assert wait_for(lambda: station.parts.printer.locations)
    station.stop()
    assert log == ["start printer", "start display", "stop display", "stop printer"]
    health = station.health()
    assert health["camera"] == "none" and health["sync"] is None and health["printer"] == "ok"


def test_the_keyboard_fallback_moves_the_queue_through_the_running_station(tmp_path):
    master, slave = os.openpty()  # a real terminal: the fallback runs only where one is attached
    with os.fdopen(slave, "r", buffering=1, closefd=True) as terminal:
        config = _config(tmp_path, station={"timetable": str(TIMETABLE)},
                         buttons={"advance_pin": -1, "keyboard": True})
        station = build_station(config, clock=SimClock(dt.datetime(2023, 10, 25, 14, 25), speed=0),
                                keyboard_stream=terminal)
        assert type(station.parts.buttons).__name__ == "KeyboardButtons"
        station.start()
        try:
            for i in range(3):
                station.submit(cmd.Scan(f"student-code-{i:04d}", "manual"))

            def called():
                return station.call(lambda s: s.session.state.called).result(5)

            assert wait_for(lambda: called() == 1)
            os.write(master, b" ")  # space: the photographer's advance
            assert wait_for(lambda: called() == 2)
            os.write(master, b"s")  # s: number 2 did not come
            assert wait_for(lambda: called() == 3)
            statuses = station.call(lambda s: {n: t.status for n, t in s.session.state.tickets.items()}).result(5)
            assert statuses == {1: "photographed", 2: "skipped", 3: "called"}
        finally:
            station.stop()
            os.close(master)


@pytest.fixture
def central(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0)
    give_centre_key(settings.db, bytes(range(32)))  # the station's key is the centre's (issue 21)
    with CentralThread(settings) as server:
        yield server


def test_the_screen_and_ticket_show_the_location_of_the_timetable_from_the_centre(tmp_path, central):
    text = TIMETABLE.read_text(encoding="utf-8").replace("行政附楼1号会议室", "图书馆三楼报告厅")
    moved = tmp_path / "moved.csv"
    moved.write_text(text, encoding="utf-8")
    central.store.set_timetable(load_timetable(moved))
    token = tmp_path / "token"
    token.write_text(accounts.add_station(central.store.db, ROOM)[1], encoding="utf-8")
    # the station has the published file (the old place) but relies on the centre's copy
    config = _config(tmp_path, station={"timetable": str(TIMETABLE), "key_file": str(tmp_path / "key")},
                     central={"url": central.url, "token_file": str(token), "interval_s": 60})
    (tmp_path / "key").write_text(bytes(range(32)).hex(), encoding="ascii")
    log: list[str] = []
    recorder = Recorder(log, "both")
    station = build_station(config, clock=SimClock(dt.datetime(2023, 10, 25, 14, 25), speed=0), printer=recorder)
    station.parts.display = recorder
    assert station.location == "图书馆三楼报告厅"
    assert station.parts.sync.clock_check is None  # a simulated day is never refused for the centre's real date
    station.start()
    try:
        station.submit(cmd.Scan("student-code-0001", "manual"))
        assert wait_for(lambda: recorder.locations and recorder.states)
        assert recorder.locations[0] == (1, "图书馆三楼报告厅")
        assert wait_for(lambda: recorder.states[-1].location == "图书馆三楼报告厅")
    finally:
        station.stop()


def test_a_station_without_parts_runs_on_null_objects(tmp_path):
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore
    from photoqueue.device.store.session import Session

    station = Station(session_factory=lambda: Session(EventStore(tmp_path / "s.db"), "A", "2024-06-01",
                                                      Rules(digest_key=b"k" * 32)),
                      clock=SimClock(dt.datetime(2024, 6, 1, 9), speed=0))
    assert isinstance(station.parts, StationParts)
    station.start()
    station.submit(cmd.Scan("student-code-0001", "manual"))
    assert wait_for(lambda: station.call(lambda s: s.session.state.called).result(5) == 1)
    station.stop()
