"""The live photo check (``device/station/photo_watch.py``) on the line's model, through a real station database and
real JPEGs: a double press puts "连按了两次" on the screen at once, the photos that follow stay on their
students, and a hold of the button clears it; a called no-show pressed past keeps today's alert."""

from __future__ import annotations

import datetime as dt

from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.station.photo_watch import PhotoSettings, PhotoWatch
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session
from photoqueue.reconcile import reconcile
from photoqueue.reconcile.photos import read_folder, write_jpeg

ROOM, DATE = "第一组", "2024-06-12"
START = dt.datetime(2024, 6, 12, 9, 0, 0)
CAMERA_AHEAD = dt.timedelta(seconds=75)


class Day:
    """A photographer at work on a real session: frames into the folder by the camera's clock, presses."""

    def __init__(self, tmp_path):
        self.data, self.folder = tmp_path / "station", tmp_path / "camera"
        self.folder.mkdir()
        self.session = Session(EventStore(db_path(self.data)), ROOM, DATE, Rules(digest_key=b"k" * 32))
        for i in range(1, 61):
            self.session.scan(f"CODE-{i:04d}", START)
        self.t = START + dt.timedelta(seconds=30)
        self.frames = 0
        self.truth: dict[str, int] = {}
        self.sent = []
        self.watch = PhotoWatch(PhotoSettings(enabled=True, folder=str(self.folder), min_photos=10), self.data,
                                ROOM, DATE, self.sent.append)

    def photograph(self, student: int, shots: int = 2) -> None:
        self.t += dt.timedelta(seconds=5)
        for i in range(shots):
            if i:
                self.t += dt.timedelta(seconds=1.5)
            self.frames += 1
            name = f"IMG_{self.frames:04d}.JPG"
            write_jpeg(self.folder / name, self.t + CAMERA_AHEAD)
            self.truth[name] = student
        self.t += dt.timedelta(seconds=1.5)

    def do(self, command, after_s: float = 0.0) -> None:
        self.t += dt.timedelta(seconds=after_s)
        self.session.handle(command, self.t)

    def alerts(self) -> list[str]:
        return self.watch.check()

    def assigned(self) -> dict[str, int | None]:
        photos, _ = read_folder(self.folder)
        events = list(self.session.store.events(room=ROOM, date=DATE))
        return {p.file: p.number for p in reconcile(events, photos, room=ROOM, date=DATE).photos}


def test_a_double_press_alerts_at_once_keeps_photos_on_students_and_a_hold_clears_it(tmp_path):
    day = Day(tmp_path)
    try:
        for student in range(1, 21):
            day.photograph(student, 1 + student % 3)
            day.do(cmd.Advance())
        assert day.alerts() == []
        day.do(cmd.Advance(), after_s=0.8)  # a double press: 21 marked photographed a second after its call
        (alert,) = day.alerts()
        assert "21 号连按了两次" in alert and "请按住按键撤销一次" in alert
        day.photograph(21)  # the line does not move: student 21 sits down while the screen shows 22
        assert any("21 号连按了两次" in a for a in day.alerts())
        assert day.assigned() == day.truth  # photographed under 22, still 21's photo
        day.do(cmd.Undo(), after_s=1.0)  # a hold of the button: 22 back in line, 21 called again
        assert day.alerts() == []
        day.do(cmd.Advance())
        day.photograph(22)
        day.do(cmd.Advance())
        assert day.alerts() == [] and day.assigned() == day.truth
    finally:
        day.watch.stop()
        day.session.store.close()


def test_a_called_no_show_pressed_past_keeps_todays_alert_and_no_shift(tmp_path):
    day = Day(tmp_path)
    try:
        for student in range(1, 21):
            day.photograph(student, 1 + student % 3)
            day.do(cmd.Advance())
        day.do(cmd.Advance(), after_s=8.0)  # 21 called, waited for, pressed past
        assert day.alerts() == []  # nothing to say until someone else is photographed
        day.photograph(22)
        (alert,) = day.alerts()
        assert "21 号按了键但没有照片" in alert
        assert day.assigned() == day.truth  # 22's photo on 22: the line moved with the screen
    finally:
        day.watch.stop()
        day.session.store.close()
