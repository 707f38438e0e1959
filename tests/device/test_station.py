"""The station app: one thread owns the queue; camera, buttons and printer only feed it."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time

import cv2
import pytest
from polling import wait_for

from photoqueue.cli import main
from photoqueue.core import commands as cmd
from photoqueue.demo.frames import idle_frame, phone_frame, student_code
from photoqueue.device.errors import StationError
from photoqueue.device.station.app import sd_notify
from photoqueue.device.station.build import build_station
from photoqueue.device.station.camera import ReplayCamera
from photoqueue.device.station.config import parse_config
from photoqueue.device.station.parts import Adapter
from photoqueue.device.station.view import SimClock
from photoqueue.printer.virtual import VirtualPrinter

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

ROOM = "第一组"
DATE = "2023-10-25"
TIMETABLE = os.path.join(os.path.dirname(__file__), "..", "..", "photoqueue", "data", "timetable-2024.csv")


class Screen(Adapter):
    """A display adapter that keeps what it was asked to show."""

    def __init__(self):
        self.states = []
        self.flashes = []

    def show(self, state):
        self.states.append(state)

    def flash(self, kind, text="", number=None):  # noqa: ARG002 - the display's signature; only kinds are kept
        self.flashes.append((kind, number))


@pytest.fixture
def printer(tmp_path):
    with VirtualPrinter(out_dir=str(tmp_path / "tickets")) as vp:
        yield vp


def make(tmp_path, printer, **station):
    config = parse_config({
        "station": {"room": ROOM, "data_dir": str(tmp_path / "data"), "date": DATE, "timetable": TIMETABLE,
                    "screen": False, **station},
        "printer": {"kind": "network", "host": "127.0.0.1", "port": printer.port},
        "buttons": {"advance_pin": -1, "keyboard": False},
    })
    camera = ReplayCamera(fps=0, idle=idle_frame())
    st = build_station(config, clock=SimClock(dt.datetime(2023, 10, 25, 14, 25), speed=1), camera_source=camera)
    st.display = Screen()
    return st, camera


def show(camera, text, seed=1):
    camera.hold(phone_frame(text, seed))


def test_a_code_in_front_of_the_camera_gets_a_committed_number_a_ticket_and_the_screen(tmp_path, printer):
    st, camera = make(tmp_path, printer)
    st.start()
    try:
        code = student_code("t", 1)
        show(camera, code)
        assert printer.wait_for_tickets(1, timeout=20)
        camera.clear()
        assert wait_for(lambda: st.display.states and st.display.states[-1].now_serving == 1)
        state = st.display.states[-1]
        assert state.room == ROOM and state.current_class.name == "20财务管理1班"
        assert st.display.flashes[-1] == ("issued", 1)
        assert (tmp_path / "tickets" / "ticket-0001.png").exists()
        # the number was on disk before the ticket: the log holds it, and the print outcome after it
        from photoqueue.device.store.events import EventStore, db_path

        assert wait_for(lambda: st.call(lambda s: s.session.state.tickets[1].printed).result(5) is True)
        with EventStore(db_path(tmp_path / "data"), create=False) as store:
            types = [e.type for e in store.events()]
        assert types.index("ticket_issued") < types.index("ticket_printed")
    finally:
        st.stop()


def test_a_foreign_code_costs_no_number_and_is_explained(tmp_path, printer):
    st, camera = make(tmp_path, printer)
    st.start()
    try:
        show(camera, "wxp://f2f0ZxCvBnMaSdFgHjKl")
        assert wait_for(lambda: st.display.flashes and st.display.flashes[-1][0] == "refused")
        camera.clear()
        assert st.call(lambda s: len(s.session.state.tickets)).result(5) == 0
        assert printer.tickets == []
    finally:
        st.stop()


def test_scanning_twice_reprints_the_same_number(tmp_path, printer):
    st, camera = make(tmp_path, printer)
    st.start()
    try:
        code = student_code("t", 2)
        for seed in (1, 2):
            show(camera, code, seed)
            assert wait_for(lambda n=seed: len(st.display.flashes) >= n)
            camera.clear()
            camera.wait_empty()
            st.clock.advance_to(st.clock.now() + dt.timedelta(seconds=10))  # the student comes back later
        assert [f for f in st.display.flashes] == [("issued", 1), ("reprint", 1)]
        assert st.call(lambda s: len(s.session.state.tickets)).result(5) == 1
        assert printer.wait_for_tickets(2, timeout=20)
    finally:
        st.stop()


def test_a_printer_out_of_paper_is_shown_and_recorded(tmp_path, printer):
    printer.set_state(paper="out")
    st, camera = make(tmp_path, printer)
    st.start()
    try:
        st.submit(cmd.Scan(student_code("t", 3), "manual"))
        assert wait_for(lambda: st.call(lambda s: s.session.state.tickets[1].printed).result(5) is False, 30)
        assert any("未打印" in a for a in st.call(lambda s: s.alerts).result(5))
        assert st.call(lambda s: s.health()["printer"]).result(5) == "failing"
    finally:
        st.stop()


def test_changes_by_the_staff_cli_reach_the_running_station(tmp_path, printer):
    st, camera = make(tmp_path, printer, refresh_s=0.1)
    st.start()
    try:
        for i in range(3):
            st.submit(cmd.Scan(student_code("t", 10 + i), "manual"))
        assert wait_for(lambda: st.call(lambda s: s.session.state.called).result(5) == 1)
        key = str(tmp_path / "data" / "deployment.key")
        assert main(["queue", "--data-dir", str(tmp_path / "data"), "--room", ROOM, "--date", DATE,
                     "--key-file", key, "advance"]) == 0
        assert wait_for(lambda: st.display.states and st.display.states[-1].now_serving == 2)
    finally:
        st.stop()


def _notify_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    return sock, path


def _messages(sock, seconds):
    out = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            out.append(sock.recv(4096).decode())
        except TimeoutError:
            pass
    return out


def test_watchdog_is_pinged_only_while_healthy(tmp_path, printer, monkeypatch):
    sock, path = _notify_socket(tmp_path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    st, camera = make(tmp_path, printer)
    st.start()
    try:
        got = _messages(sock, 2.5)
        assert any(m.startswith("READY=1") for m in got)
        assert "WATCHDOG=1" in got
        # the database starts refusing commits: the station says so and stops the pings
        def refuse(_command, _now):
            raise StationError("disk I/O error")

        st.call(lambda s: setattr(s.session, "handle", refuse)).result(5)
        st.submit(cmd.Scan(student_code("t", 20), "manual"))
        assert wait_for(lambda: not st.call(lambda s: s.healthy).result(5))
        _messages(sock, 0.3)
        assert "WATCHDOG=1" not in _messages(sock, 2.5)
        health = st.call(lambda s: s.health()).result(5)
        assert health["healthy"] is False and "disk I/O error" in health["database"]
        assert json.loads((tmp_path / "data" / "health.json").read_text())["room"] == ROOM
    finally:
        st.stop()
        sock.close()


def test_a_camera_fault_makes_the_station_unhealthy_but_keeps_the_watchdog_fed(tmp_path, printer, monkeypatch):
    sock, path = _notify_socket(tmp_path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    st, camera = make(tmp_path, printer)
    st.start()
    try:
        assert wait_for(lambda: st.call(lambda s: s.healthy).result(5))

        real = st.parts.camera

        class NoCamera:  # what the camera supervisor says while picamera2 finds no camera
            fault = "camera_unavailable"

            def start(self):
                return self

            def stop(self):
                real.stop()

        st.call(lambda s: setattr(s.parts, "camera", NoCamera())).result(5)
        health = st.call(lambda s: s.health()).result(5)
        assert health["healthy"] is False and health["unhealthy"] == {"camera": "camera_unavailable"}
        _messages(sock, 0.3)
        assert "WATCHDOG=1" in _messages(sock, 2.5)  # numbering still works: no restart loop
        st.call(lambda s: s.part_faults.update(clock="not synchronised")).result(5)
        assert st.call(lambda s: s.health()).result(5)["unhealthy"]["clock"] == "not synchronised"
    finally:
        st.stop()
        sock.close()


def test_sd_notify_is_silent_without_systemd(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sd_notify("READY=1") is False


def test_photoqueue_station_runs_from_its_config_and_stops_on_sigterm(tmp_path, printer):
    frames = tmp_path / "frames"
    frames.mkdir()
    codes = [student_code("cli", i) for i in range(3)]
    for i, code in enumerate(codes):
        cv2.imwrite(str(frames / f"{i:02d}-a.png"), phone_frame(code, i))
        cv2.imwrite(str(frames / f"{i:02d}-b.png"), idle_frame(i))
    sock, notify = _notify_socket(tmp_path)
    config = tmp_path / "station.toml"
    config.write_text(f"""
[station]
room = "{ROOM}"
data_dir = "{tmp_path / 'data'}"
date = "{DATE}"
timetable = "{TIMETABLE}"
screen = false

[camera]
source = "replay"
device = "{frames}"
fps = 10.0

[printer]
kind = "network"
host = "127.0.0.1"
port = {printer.port}

[buttons]
advance_pin = -1
keyboard = false
""", encoding="utf-8")
    env = dict(os.environ, NOTIFY_SOCKET=notify, SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen([sys.executable, "-m", "photoqueue", "station", "--config", str(config)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert printer.wait_for_tickets(3, timeout=60), proc.stderr.read() if proc.poll() is not None else ""
        assert any(m.startswith("READY=1") for m in _messages(sock, 1.0))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    from photoqueue.device.store.export import collect

    tickets = collect(tmp_path / "data")["tickets"]
    assert [t["number"] for t in tickets] == [1, 2, 3]


def test_the_screen_shows_the_class_being_shot_not_the_one_issuing():
    from photoqueue.core.queue import step
    from photoqueue.core.state import Rules, SessionState
    from photoqueue.device.station.view import display_state

    state = SessionState(room="A", date=DATE)
    now = dt.datetime(2023, 10, 25, 14, 50)
    plan = ({"name": "一班", "headcount": 2, "start": "14:30", "end": "14:40"},
            {"name": "二班", "headcount": 5, "start": "14:40", "end": "14:50"})
    rules = Rules(digest_key=b"k" * 32)
    step(state, cmd.LoadTimetable(plan), now, rules)
    for i in range(3):
        step(state, cmd.Scan(f"code-{i:04d}"), now, rules)
    assert state.active_class == "二班" and state.called == 1  # issuing for 二班, shooting 一班
    view = display_state(state, now=now, alerts=["打印机缺纸"])
    assert view.current_class.name == "一班" and view.current_class.expected == 2
    assert view.next_class.name == "二班" and view.next_class.start == dt.time(14, 40)
    assert view.now_serving == 1 and view.next == (2, 3) and view.waiting == 2
    assert view.late_minutes == 10.0  # 一班 was to end at 14:40
    assert view.alerts == ("打印机缺纸",)


def test_a_stepped_clock_moves_only_when_people_wait():
    clock = SimClock(dt.datetime(2023, 10, 25, 14, 0), speed=1000, stepped=True)
    before = clock.now()
    time.sleep(0.05)
    assert clock.now() == before
    clock.sleep(60)  # 60 simulated seconds: 60 ms real
    assert clock.now() == before + dt.timedelta(seconds=60)
    clock.advance_to(before + dt.timedelta(minutes=5))
    assert clock.monotonic() == 300
