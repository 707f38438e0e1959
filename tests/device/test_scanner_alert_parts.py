"""Scanner alerts have identities (issue 23, items 3 and 12): one screen alert per part, so a recovered barcode
scanner clears its own alert and never the dead camera's; the seen-but-not-read band shows, for a few seconds.
The real station from a config (gpiozero's MockFactory, headless)."""

import datetime as dt

import pytest

from photoqueue.scanner.reads import alert

from .test_date_confirm import KEY_HEX, ROOM, ask, config, start

pytestmark = pytest.mark.pi


@pytest.fixture
def room_day(tmp_path):
    timetable = tmp_path / "today.csv"
    timetable.write_text("date,room,location,start,end,college,class_name,headcount\n"
                         f"{dt.date.today().isoformat()},{ROOM},会议室,00:00,23:59,,今天1班,40\n", encoding="utf-8")
    (tmp_path / "key").write_text(KEY_HEX)
    return tmp_path, timetable


def test_one_parts_recovery_clears_only_its_own_alert(room_day):
    station, _room, _pin = start(config(room_day), days=0)
    try:
        for code in ("camera_unavailable", "hid_unavailable", "hid_recovered", "seen_not_read"):
            station.submit(alert(code))
        alerts = ask(station, lambda s: list(s.alerts))
        assert any("摄像头无法打开" in a for a in alerts)  # the camera is still dead: its alert stays
        assert not any("扫码枪无法打开" in a for a in alerts)
        assert any("请将手机屏幕调亮、拿稳，对准摄像头" in a for a in alerts)
        station.submit(alert("camera_recovered"))
        assert not any("摄像头无法打开" in a for a in ask(station, lambda s: list(s.alerts)))
    finally:
        station.stop()
