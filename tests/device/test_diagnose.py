"""photoqueue diagnose: each part checked live against a working fake of it, each failure named with its fix."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import types

import pytest
from gpiozero.pins.mock import MockFactory
from polling import wait_for

from photoqueue.cli import main
from photoqueue.demo.frames import idle_frame, phone_frame, student_code
from photoqueue.device.station import diagnose
from photoqueue.device.station.config import parse_config
from photoqueue.printer.virtual import VirtualPrinter
from photoqueue.scanner.picam import Picamera2Source
from photoqueue.scanner.settings import ScannerSettings
from photoqueue.scanner.sources import ImageFileSource

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

ROOM = "第一组"
DATE = "2023-10-25"
NOW = dt.datetime(2023, 10, 25, 13, 50)
TIMETABLE = os.path.join(os.path.dirname(__file__), "..", "..", "photoqueue", "data", "timetable-2024.csv")
KEY = "ab" * 32


def config(tmp_path, **sections):
    table = {"station": {"room": ROOM, "data_dir": str(tmp_path / "data"), "date": DATE, "screen": False},
             "printer": {"kind": "dummy"}, "buttons": {"keyboard": False}}
    for name, values in sections.items():
        table.setdefault(name, {}).update(values)
    return parse_config(table)


def probes(**kw):
    kw.setdefault("ntp", lambda: True)
    kw.setdefault("now", lambda: NOW)
    return diagnose.Probes(**kw)


def one(cfg, part, **kw):
    [check] = diagnose.run_checks(cfg, probes(**kw), (part,))
    return check


# --- camera ---------------------------------------------------------------------------------------------


def test_camera_frames_arriving_and_the_code_shown_to_it_are_reported(tmp_path):
    code = student_code("diag", 1)
    source = ImageFileSource([idle_frame(), phone_frame(code)], loop=True)
    check = one(config(tmp_path, camera={"source": "replay", "device": "x"}), "camera", camera_source=source,
                camera_seconds=0.5)
    assert check.status == "ok" and "frames" in check.detail and code[:40] in check.detail


def test_a_pi_camera_that_is_not_there_is_a_failure_with_its_fix(tmp_path):
    def no_camera(_num):
        raise IndexError("list index out of range")  # what picamera2 says with no camera attached

    fake = types.SimpleNamespace(Picamera2=no_camera)
    source = Picamera2Source(ScannerSettings(source="picamera2"), module=fake)
    check = one(config(tmp_path, camera={"source": "picamera2"}), "camera", camera_source=source)
    assert check.status == "fail" and "cannot open the Pi camera" in check.detail
    assert "rpicam-hello --list-cameras" in check.fix_en and check.fix_zh


def test_no_camera_configured_is_skipped_not_failed(tmp_path):
    assert one(config(tmp_path), "camera").status == "skip"


# --- printer --------------------------------------------------------------------------------------------


def test_a_ready_printer_and_a_test_ticket(tmp_path):
    with VirtualPrinter(out_dir=str(tmp_path / "tickets")) as vp:
        cfg = config(tmp_path, printer={"kind": "network", "host": "127.0.0.1", "port": vp.port})
        check = one(cfg, "printer", test_ticket=True)
        assert check.status == "ok" and "test ticket printed" in check.detail
        assert wait_for(lambda: list((tmp_path / "tickets").glob("*.png")))


@pytest.mark.parametrize("state, fix", [({"paper": "out"}, "load paper"), ({"cover_open": True}, "close the cover")])
def test_a_printer_out_of_paper_or_open_is_named_with_its_fix(tmp_path, state, fix):
    with VirtualPrinter() as vp:
        vp.set_state(**state)
        cfg = config(tmp_path, printer={"kind": "network", "host": "127.0.0.1", "port": vp.port})
        check = one(cfg, "printer", test_ticket=True)
    assert check.status == "fail" and check.fix_en == fix


def test_a_printer_that_is_not_there(tmp_path):
    port = _closed_port()
    cfg = config(tmp_path, printer={"kind": "network", "host": "127.0.0.1", "port": port, "timeout_s": 1.0})
    check = one(cfg, "printer")
    assert check.status == "fail" and check.fix_en


# --- buttons --------------------------------------------------------------------------------------------


def test_each_button_pressed_within_its_time_is_seen(tmp_path):
    factory = MockFactory()
    cfg = config(tmp_path, buttons={"advance_pin": 17, "undo_hold_s": 1.0, "skip_pin": 27, "pin_factory": "mock"})
    prompts = []

    def press(text):  # the person at the Pi presses the button the prompt names
        prompts.append(text)
        pin = factory.pin(17 if "advance" in text else 27)

        def go():
            time.sleep(0.05)
            pin.drive_low()
            time.sleep(0.05)
            pin.drive_high()
        threading.Thread(target=go, daemon=True).start()

    check = one(cfg, "buttons", pin_factory=factory, press_wait_s=3.0, say=press)
    assert check.status == "ok" and "GPIO 17" in check.detail and "GPIO 27" in check.detail
    assert len(prompts) == 2 and "press the advance button" in prompts[0]


def test_a_button_never_pressed_is_a_wiring_failure(tmp_path):
    cfg = config(tmp_path, buttons={"advance_pin": 17, "pin_factory": "mock"})
    check = one(cfg, "buttons", pin_factory=MockFactory(), press_wait_s=0.2)
    assert check.status == "fail" and "advance (GPIO 17)" in check.detail and "GND" in check.fix_en


# --- clock, key, disk, timetable ------------------------------------------------------------------------


def test_the_clock_not_synchronised_fails_and_synchronised_passes(tmp_path):
    assert one(config(tmp_path), "clock", ntp=lambda: False).status == "fail"
    check = one(config(tmp_path), "clock")
    assert check.status == "ok" and f"session {DATE}" in check.detail


def test_a_clock_far_from_the_session_date_fails(tmp_path):
    check = one(config(tmp_path), "clock", now=lambda: dt.datetime(2031, 1, 1, 9))
    assert check.status == "fail" and check.fix_en


def test_the_deployment_key_is_read_and_a_bad_one_named(tmp_path):
    key = tmp_path / "deployment.key"
    key.write_text(KEY + "\n")
    assert one(config(tmp_path, station={"key_file": str(key)}), "key").status == "ok"
    key.write_text("not a key\n")
    check = one(config(tmp_path, station={"key_file": str(key)}), "key")
    assert check.status == "fail" and "hex" in check.detail and "install-pi.sh --key" in check.fix_en


def test_a_nearly_full_disk_fails(tmp_path, monkeypatch):
    assert one(config(tmp_path), "disk").status == "ok"
    monkeypatch.setattr(diagnose.shutil, "disk_usage", lambda _p: types.SimpleNamespace(free=10 * 2**20))
    check = one(config(tmp_path), "disk")
    assert check.status == "fail" and "0.0 GiB" in check.detail and "journalctl" in check.fix_en


def test_todays_timetable_for_this_room(tmp_path):
    check = one(config(tmp_path, station={"timetable": TIMETABLE}), "timetable")
    assert check.status == "ok" and f"for {ROOM} on {DATE}" in check.detail and "classes" in check.detail
    wrong = one(config(tmp_path, station={"timetable": TIMETABLE, "room": "no such room"}), "timetable")
    assert wrong.status == "fail" and "check [station] room" in wrong.fix_en


# --- the centre -----------------------------------------------------------------------------------------


@pytest.fixture
def central(tmp_path):
    import datetime as dt

    from photoqueue.central.process import CentralThread
    from photoqueue.central.settings import CentralSettings

    # the deployment's zone is this machine's (else the check warns that the station's zone differs, issue 23)
    hours = round(dt.datetime.now().astimezone().utcoffset().total_seconds() / 3600)
    zone = "UTC" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    with CentralThread(CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0,
                                       time_zone=zone)) as server:
        yield server


def test_the_centre_reachable_and_the_token_accepted_or_refused(tmp_path, central):
    from photoqueue.central import accounts

    token = accounts.add_station(central.store.db, ROOM)[1]
    (tmp_path / "token").write_text(token)
    cfg = config(tmp_path, central={"url": central.url, "token_file": str(tmp_path / "token")})
    check = one(cfg, "central")
    assert check.status == "ok" and "token accepted" in check.detail, check
    (tmp_path / "token").write_text("a-revoked-token")
    check = one(cfg, "central")
    assert check.status == "fail" and "refused the token" in check.detail and "add-station" in check.fix_en


def test_a_centre_that_does_not_answer(tmp_path):
    (tmp_path / "token").write_text("t")
    cfg = config(tmp_path, central={"url": f"http://127.0.0.1:{_closed_port()}", "token_file": str(tmp_path / "token")})
    check = one(cfg, "central")
    assert check.status == "fail" and "unreachable" in check.detail and "[central] url" in check.fix_en


# --- the command and the station ------------------------------------------------------------------------


def test_the_command_prints_the_checklist_and_fails_on_a_broken_part(tmp_path, capsys):
    path = tmp_path / "station.toml"
    path.write_text(f'[station]\nroom = "{ROOM}"\ndata_dir = "{tmp_path}/data"\nkey_file = "{tmp_path}/nokey"\n'
                    '[printer]\nkind = "dummy"\n', encoding="utf-8")
    status = main(["diagnose", "--config", str(path), "--only", "key,disk,printer"])
    out = capsys.readouterr().out
    assert status == 1
    assert "✗ 部署密钥 deployment key" in out and "→ " in out and "✓ 磁盘 disk" in out and "✓ 打印机 printer" in out
    assert main(["diagnose", "--config", str(path), "--only", "camera,nothing"]) == 2
    assert "unknown part(s) nothing" in capsys.readouterr().err


def test_a_check_that_raises_is_a_failure_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setitem(diagnose.CHECKS, "disk", lambda _c, _p: 1 / 0)
    [check] = diagnose.run_checks(config(tmp_path), probes(), ("disk",))
    assert check.status == "fail" and "ZeroDivisionError" in check.detail


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_station_starts_with_the_checklist_on_screen_until_the_first_scan_and_a_failure_unhealthy(
        tmp_path, monkeypatch):
    from photoqueue.core import commands as cmd
    from photoqueue.device.station.build import build_station
    from photoqueue.device.station.view import SimClock

    real = diagnose.shutil.disk_usage
    monkeypatch.setattr(diagnose.shutil, "disk_usage", lambda _p: types.SimpleNamespace(free=50 * 2**20))
    cfg = config(tmp_path, station={"timetable": TIMETABLE}, printer={"kind": "dummy"})
    st = build_station(cfg, clock=SimClock(dt.datetime(2023, 10, 25, 14, 25), speed=1), headless=True)
    monkeypatch.setattr(diagnose.shutil, "disk_usage", real)
    st.start()
    try:
        health = st.call(lambda s: s.health()).result(5)
        assert health["healthy"] is False and "SD card" in health["unhealthy"]["disk"]
        [line] = [a for a in health["alerts"] if a.startswith("开机自检")]
        assert "磁盘×" in line and "时间表√" in line and "清理存储卡空间" in line
        st.submit(cmd.Scan(student_code("diag", 2), "manual"))
        assert wait_for(lambda: not any(a.startswith("开机自检") for a in st.call(lambda s: s.alerts).result(5)))
    finally:
        st.stop()
