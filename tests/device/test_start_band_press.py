"""The hall screen never asks for a press that advances (issue 23, item 2): the start band "…就绪，请摄影师按键
确认日期" goes the moment the date is confirmed by any means, and a press while it still shows only confirms
(it never marks the called student photographed). The real station from a config, gpiozero's MockFactory."""

import datetime as dt
from types import SimpleNamespace

import pytest
from polling import wait_for

from .test_date_confirm import KEY_HEX, ROOM, ask, config, numbered_yesterday, press, start

pytestmark = pytest.mark.pi

ASKS = "请摄影师按键确认日期"


@pytest.fixture
def room_day(tmp_path):
    """A room with classes today (test_date_confirm's setup: the data dir, the timetable, the key)."""
    timetable = tmp_path / "today.csv"
    timetable.write_text("date,room,location,start,end,college,class_name,headcount\n"
                         f"{dt.date.today().isoformat()},{ROOM},会议室,00:00,23:59,,今天1班,40\n", encoding="utf-8")
    (tmp_path / "key").write_text(KEY_HEX)
    return tmp_path, timetable


def band(station) -> list[str]:
    return ask(station, lambda s: list(s.alerts))


def test_the_band_goes_when_the_date_is_confirmed_by_other_means(room_day):
    today = dt.date.today().isoformat()
    numbered_yesterday(room_day, today, 3)  # a restart: three students already numbered today, 1 being called
    station, _room, _pin = start(config(room_day), days=0)
    try:
        assert any(ASKS in a for a in band(station))
        # a sync answer's date confirms it, as the centre did within a second of the restart
        ask(station, lambda s: setattr(s.date_check, "clock_check", SimpleNamespace(centre_date=today)))
        assert wait_for(lambda: not any(ASKS in a for a in band(station)), timeout=15)
        assert ask(station, lambda s: s.session.state.called) == 1
    finally:
        station.stop()


def test_a_press_while_the_band_asks_only_confirms(room_day):
    today = dt.date.today().isoformat()
    numbered_yesterday(room_day, today, 3)
    station, _room, pin = start(config(room_day), days=0)
    try:
        assert any(ASKS in a for a in band(station))
        ask(station, lambda s: s.date_check.confirm("centre"))  # confirmed, the band not yet redrawn
        press(pin)
        assert wait_for(lambda: not any(ASKS in a for a in band(station)), timeout=15)
        state = ask(station, lambda s: (s.session.state.called, [t.status for t in s.session.state.tickets.values()]))
        assert state[0] == 1 and "photographed" not in state[1]  # the called student was not marked photographed
        press(pin)  # the band gone, the next press is the photographer's ordinary press
        assert wait_for(lambda: ask(station, lambda s: s.session.state.called) == 2, timeout=15)
    finally:
        station.stop()
