"""The station's queue thread outlives a bug in handling one item: logged, shown, and on to the next."""

from __future__ import annotations

import datetime as dt

from polling import wait_for

from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.station.app import Station
from photoqueue.device.station.view import SimClock
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session
from photoqueue.scanner.reads import ScanEvent

DATE = "2024-06-20"
KEY = bytes(range(32))
PLAN = ({"name": "一班", "headcount": 30, "start": None, "end": None},)


def numbers(station: Station) -> list[int]:
    return sorted(station.call(lambda st: list(st.session.state.tickets)).result(10))


def test_an_item_whose_handling_raises_does_not_stop_the_queue(tmp_path, caplog):
    def session_factory():
        session = Session(EventStore(tmp_path / "station.db"), "A", DATE, Rules(digest_key=KEY))
        session.handle(cmd.LoadTimetable(PLAN), dt.datetime(2024, 6, 20, 9))
        return session

    station = Station(session_factory=session_factory, clock=SimClock(dt.datetime(2024, 6, 20, 9, 30)))
    station.start()
    try:
        station.submit(ScanEvent("code-0001", "manual", 0.0))
        assert wait_for(lambda: numbers(station) == [1])
        with caplog.at_level("ERROR", logger="photoqueue.device.station.app"):
            station.submit(cmd.Recall([1]))  # a malformed command: deciding it raises TypeError
            station.submit(ScanEvent("code-0002", "manual", 0.0))
            station.submit(ScanEvent("code-0003", "manual", 0.0))
            assert wait_for(lambda: numbers(station) == [1, 2, 3])
        assert station._thread.is_alive() and station.error is None
        assert "handling Recall failed" in caplog.text and "Traceback" in caplog.text
        assert any("internal error" in a for a in station.call(lambda st: st.alerts).result(10))
    finally:
        station.stop()
