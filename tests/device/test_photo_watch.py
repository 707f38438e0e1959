"""The live photo check under the running station: photos arrive in a folder as the camera takes them, a
forgotten press puts an alert on the hall screen (and in the health the dashboard shows), and it clears
when staff press for the missing press."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from polling import wait_for

from photoqueue.core import commands as cmd
from photoqueue.device.station.build import build_station
from photoqueue.device.station.config import parse_config
from photoqueue.device.station.parts import Adapter, NullPart, NullPrinter
from photoqueue.device.station.photo_watch import PhotoSettings, PhotoWatch
from photoqueue.device.station.view import SimClock
from photoqueue.reconcile.photos import write_jpeg
from photoqueue.settings import problems

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

DAY = dt.datetime(2024, 6, 12, 9, 0, 0)
CAMERA_AHEAD = dt.timedelta(seconds=97)  # the camera's clock runs 97 s ahead of the station's


class Screen(Adapter):
    def __init__(self):
        self.states = []

    def show(self, state):
        self.states.append(state)

    def flash(self, kind, text="", number=None):
        pass


class Room:
    """A photographer at work: photos into the folder with the camera's times, presses to the station."""

    def __init__(self, station, clock, folder):
        self.st, self.clock, self.folder = station, clock, folder
        self.t = DAY + dt.timedelta(seconds=20)
        self.frames = 0

    def do(self, command):
        self.clock.advance_to(self.t)
        self.st.submit(command)
        self.st.call(lambda _s: None).result(10)  # handled before the clock moves on

    def photograph(self, shots: int) -> None:
        self.t += dt.timedelta(seconds=5)  # the student walks in and sits down
        for i in range(shots):
            if i:
                self.t += dt.timedelta(seconds=1.5)
            self.frames += 1
            write_jpeg(self.folder / f"IMG_{self.frames:04d}.JPG", self.t + CAMERA_AHEAD)
        self.t += dt.timedelta(seconds=1.5)

    def press(self):
        self.do(cmd.Advance())

    def screen_alerts(self) -> list[str]:
        return list(self.st.display.states[-1].alerts) if self.st.display.states else []


def test_a_forgotten_press_alerts_the_screen_and_clears_when_staff_press_for_it(tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    config = parse_config({
        "station": {"room": "A组", "data_dir": str(tmp_path / "data"), "date": "2024-06-12", "screen": False},
        "printer": {},
        "buttons": {"advance_pin": -1, "keyboard": False},
        "photos": {"enabled": True, "folder": str(folder), "poll_s": 0.2, "min_photos": 10},
    })
    clock = SimClock(DAY, speed=0)
    st = build_station(config, clock=clock, printer=NullPrinter())
    assert isinstance(st.parts.photos, PhotoWatch)
    st.display = Screen()
    st.start()
    try:
        room = Room(st, clock, folder)
        for i in range(1, 31):
            room.do(cmd.Scan(f"CODE-{i:06d}"))
        for number in range(1, 15):
            room.photograph(1 + number % 3)
            room.press()
        watch = st.parts.photos
        assert wait_for(lambda: watch.checks > 0 and watch._seen[0] == room.frames)
        assert room.screen_alerts() == []  # fourteen students in line: nothing to say

        room.photograph(2)  # number 15
        room.photograph(2)  # the next student walks in; the photographer forgot to press for 15
        assert wait_for(lambda: any("15 号之后少了一次按键" in a for a in room.screen_alerts()))
        health = st.call(lambda s: s.health()).result(10)
        assert any("15 号之后少了一次按键" in a for a in health["alerts"])  # what the dashboard shows

        room.press()  # 15 photographed, 16 called: but 16 is already photographed; still one behind
        time.sleep(1.0)  # several looks at the folder
        assert any("少了一次按键" in a for a in room.screen_alerts())
        room.t += dt.timedelta(seconds=2)
        room.press()  # staff press once more for the missing press: 16 photographed, 17 called
        assert wait_for(lambda: not any("按键" in a for a in room.screen_alerts()))
        room.photograph(1)  # 17, and the day goes on in line
        room.press()
        time.sleep(1.0)
        assert room.screen_alerts() == []
    finally:
        st.stop()


def test_photos_off_by_default_and_settings_checked():
    config = parse_config({"station": {"room": "A", "data_dir": "/tmp/x"}, "printer": {}})
    assert config.photos.enabled is False
    assert PhotoSettings(enabled=True).validate() == [
        "folder: required when enabled = true (where the camera's photos arrive)"]
    assert problems(PhotoSettings(poll_s=0.0, min_photos=1)) == [
        "poll_s: expected 0.2 to 60 seconds, got 0.0", "min_photos: expected 3 to 10000, got 1"]


def test_the_watch_ignores_foreign_and_half_written_files(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "IMG_0001.JPG").write_bytes(b"\xff\xd8 still arriving")
    sent = []
    watch = PhotoWatch(PhotoSettings(enabled=True, folder=str(tmp_path)), tmp_path / "data", "A", "2024-06-12",
                       sent.append)
    assert watch.check() == [] and sent == []
    write_jpeg(tmp_path / "IMG_0001.JPG", DAY)  # the transfer finished: read again
    assert [p.file for p in watch.folder.photos()] == ["IMG_0001.JPG"]
    assert isinstance(NullPart(), NullPart)
