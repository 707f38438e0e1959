"""The centre as the room's witness (issue 21): the real station (``build_station`` from a config, its SQLite
file) and the real centre in a thread (``CentralThread``), stopped and started on a fixed port where the test
needs it down.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from polling import wait_for

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread, bound_socket, free_port
from photoqueue.central.roomdays import replace_station
from photoqueue.central.settings import CentralSettings
from photoqueue.device.station.build import build_station
from photoqueue.device.station.config import parse_config
from photoqueue.device.station.parts import Adapter
from photoqueue.device.store.backup import recover
from photoqueue.device.store.outer_witness import day_path, default_dir
from photoqueue.scanner.reads import ScanEvent

ROOM = "第一组"
DAY = dt.date.today().isoformat()


class Room(Adapter):
    """The hall screen and the printer in one: what the station flashed and printed."""

    healthy = True

    def __init__(self):
        self.flashes, self.tickets = [], []

    def show(self, state) -> None:
        pass

    def flash(self, kind: str, text: str = "", number: int | None = None) -> None:
        self.flashes.append((kind, text, number))

    def print_ticket(self, effect, location: str = "") -> None:  # noqa: ARG002 - the printer part's signature
        self.tickets.append(effect.number)


class Centre:
    """The real centre on one port and one database, stopped and started again by the test."""

    def __init__(self, tmp_path: Path):
        self.settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0,
                                        port=free_port("127.0.0.1"))
        self.thread: CentralThread | None = None
        self.url = f"http://127.0.0.1:{self.settings.port}"

    def up(self) -> CentralThread:
        self.thread = CentralThread(self.settings).start()
        return self.thread

    def down(self) -> None:
        if self.thread is not None:
            self.thread.stop()
            self.thread = None


@pytest.fixture
def centre(tmp_path):
    c = Centre(tmp_path)
    c.up()
    yield c
    c.down()


def token_file(tmp_path: Path, name: str, token: str) -> str:
    path = tmp_path / name
    path.write_text(token, encoding="utf-8")
    return str(path)


def config(data: Path, url: str, token: str):
    return parse_config({"station": {"room": ROOM, "data_dir": str(data), "date": DAY, "screen": False,
                                     "refresh_s": 0.05},
                         "printer": {"kind": "dummy"}, "buttons": {"keyboard": False},
                         "sound": {"scan_beeps": False, "call_chime": False},
                         "central": {"url": url, "token_file": token, "interval_s": 0.1, "backoff_max_s": 0.2,
                                     "backoff_initial_s": 0.05, "hello_timeout_s": 2}})


def start(cfg):
    station = build_station(cfg, headless=True)
    room = Room()
    station.parts.display = room
    station.parts.printer = room
    station.start()
    return station, room


def ask(station, fn):
    return station.call(fn).result(15)


def scan(station, room: Room, code: str):
    """The number the scan's flash showed, or the refusal's text."""
    station.submit(ScanEvent(code, "camera", time.monotonic()))
    ask(station, lambda _s: None)
    kind, text, number = room.flashes[-1]
    return number if kind in ("issued", "reprint") else text


def on_the_card(store) -> str | None:
    """What the centre's room listing (the dashboard card's source) says of the station's numbering."""
    from photoqueue.central.roomview import rooms

    return next((entry["health"].get("numbering") for entry in rooms(store, stale_s=60)
                 if entry["health"].get("numbering")), None)


def drained(station) -> None:
    wait_for(lambda: station.sync.outbox_size() == 0, timeout=30)


def test_a_spare_pi_takes_the_room_over_and_continues_at_the_next_number(tmp_path, centre):
    tok = token_file(tmp_path, "token-a", accounts.add_station(centre.thread.store.db, ROOM)[1])
    station, room = start(config(tmp_path / "pi-a", centre.url, tok))
    try:
        assert [scan(station, room, f"STUDENT-{i:04d}") for i in range(1, 38)][-1] == 37
        drained(station)
    finally:
        station.stop()
    spare = replace_station(centre.thread.store.db, ROOM, DAY)["token"]
    station, room = start(config(tmp_path / "pi-b", centre.url, token_file(tmp_path, "token-b", spare)))
    try:
        health = ask(station, lambda s: s.health())
        assert health["centre_hello"] == "takeover" and health["numbering"] == "ok", health
        assert scan(station, room, "STUDENT-NEW-1") == 38  # never 1
        assert scan(station, room, "STUDENT-0005") == 5  # a student of the old Pi: a reprint of its number
        drained(station)
    finally:
        station.stop()
    rooms = centre.thread.store.projection.states
    numbers = [n for (_, r, d), s in rooms.items() if (r, d) == (ROOM, DAY) for n in s.tickets]
    assert sorted(numbers) == list(range(1, 39))  # one stream: no number twice at the centre


def test_a_second_station_for_a_held_room_day_is_refused_and_says_so(tmp_path, centre):
    tok = token_file(tmp_path, "token-a", accounts.add_station(centre.thread.store.db, ROOM)[1])
    station, room = start(config(tmp_path / "pi-a", centre.url, tok))
    try:
        scan(station, room, "STUDENT-0001")
        drained(station)
    finally:
        station.stop()
    other = token_file(tmp_path, "token-b", accounts.add_station(centre.thread.store.db, ROOM)[1])
    station, room = start(config(tmp_path / "pi-b", centre.url, other))
    try:
        refused = scan(station, room, "STUDENT-0002")
        health = ask(station, lambda s: s.health())
    finally:
        station.stop()
    assert room.tickets == [] and "另一台工作站" in refused
    assert health["healthy"] is False and health["numbering"] == "room_held"
    assert "replace-station" in health["unhealthy"]["numbering"]


def test_a_restored_copy_behind_the_centre_is_refused_at_start(tmp_path, centre):
    tok = token_file(tmp_path, "token", accounts.add_station(centre.thread.store.db, ROOM)[1])
    data = tmp_path / "data"
    cfg = config(data, centre.url, tok)
    station, room = start(cfg)
    try:
        [scan(station, room, f"STUDENT-{i:04d}") for i in range(1, 11)]
    finally:
        station.stop()
    shutil.copytree(data, tmp_path / "image")  # an SD card image: the state dir restored with it
    witness = day_path(default_dir(), data, ROOM, DAY)
    shutil.copy(witness, tmp_path / "image.witness")
    station, room = start(cfg)
    try:
        [scan(station, room, f"STUDENT-{i:04d}") for i in range(11, 21)]
        drained(station)
    finally:
        station.stop()
    shutil.rmtree(data)
    shutil.copytree(tmp_path / "image", data)
    shutil.copy(tmp_path / "image.witness", witness)
    station, room = start(cfg)
    try:
        refused = scan(station, room, "STUDENT-NEW")
        health = ask(station, lambda s: s.health())
        alerts = ask(station, lambda s: s.alerts)
        # the dashboard's card: the station's health reaches the centre with its next sync
        assert wait_for(lambda: on_the_card(centre.thread.store) == "behind_centre", timeout=30)
    finally:
        station.stop()
    assert isinstance(refused, str) and health["numbering"] == "behind_centre" and health["healthy"] is False
    assert any("中心已有更多记录" in a for a in alerts)


def recovered_and_numbering_above(cfg, data: Path, url: str, tok: str) -> None:
    """Staff recover: the centre's history wins from where the two parted; numbering goes on above every number."""
    done = recover(data, None, (url, Path(tok).read_text()))
    assert done["numbers_on_paper"] is None and not (data / "numbering-stopped.json").exists()
    station, room = start(cfg)
    try:
        assert scan(station, room, "LATE-5") == 31
        drained(station)  # the centre takes the rebuilt stream: no divergence any more
        assert ask(station, lambda s: s.health())["numbering"] == "ok"
    finally:
        station.stop()


def test_a_rolled_back_station_with_the_centre_down_stops_at_the_divergence(tmp_path, centre):
    tok = token_file(tmp_path, "token", accounts.add_station(centre.thread.store.db, ROOM)[1])
    data = tmp_path / "data"
    cfg = config(data, centre.url, tok)
    witness = day_path(default_dir(), data, ROOM, DAY)
    station, room = start(cfg)
    try:
        [scan(station, room, f"STUDENT-{i:04d}") for i in range(1, 28)]
    finally:
        station.stop()
    shutil.copytree(data, tmp_path / "image")
    shutil.copy(witness, tmp_path / "image.witness")
    station, room = start(cfg)
    try:
        assert [scan(station, room, f"STUDENT-{i:04d}") for i in range(28, 31)] == [28, 29, 30]
        drained(station)
    finally:
        station.stop()
    centre.down()
    shutil.rmtree(data)
    shutil.copytree(tmp_path / "image", data)
    shutil.copy(tmp_path / "image.witness", witness)
    station, room = start(cfg)
    try:
        assert ask(station, lambda s: s.health())["centre_hello"] == "unreachable"
        assert any("未连上中心" in a for a in ask(station, lambda s: s.alerts))
        # on local evidence only (the centre was down): the rolled-back numbers go out again
        assert [scan(station, room, f"LATE-{i}") for i in range(3)] == [28, 29, 30]
        centre.up()
        wait_for(lambda: ask(station, lambda s: s.health())["numbering"] == "diverged", timeout=30)
        refused = scan(station, room, "LATE-3")
        health = ask(station, lambda s: s.health())
    finally:
        station.stop()
    assert isinstance(refused, str) and health["healthy"] is False and "recover" in health["unhealthy"]["numbering"]
    station, room = start(cfg)  # a restart does not number on either
    try:
        assert isinstance(scan(station, room, "LATE-4"), str)
    finally:
        station.stop()
    assert (data / "numbering-stopped.json").exists()
    recovered_and_numbering_above(cfg, data, centre.url, tok)


def test_an_unreachable_centre_numbers_on_local_evidence_and_the_screen_says_so(tmp_path):
    sock = bound_socket()  # bound, never listening: every connection is refused, and no other test takes the port
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    station, room = start(config(tmp_path / "data", url, token_file(tmp_path, "token", "pq_nobody")))
    try:
        assert scan(station, room, "STUDENT-0001") == 1
        health = ask(station, lambda s: s.health())
        alerts = ask(station, lambda s: s.alerts)
    finally:
        station.stop()
        sock.close()
    assert health["centre_hello"] == "unreachable" and "未连上中心：按本机记录编号" in alerts


def test_manual_entry_asks_the_centre_and_is_refused_on_a_room_day_another_station_holds(tmp_path, centre):
    tok = token_file(tmp_path, "token-a", accounts.add_station(centre.thread.store.db, ROOM)[1])
    station, room = start(config(tmp_path / "pi-a", centre.url, tok))
    try:
        scan(station, room, "STUDENT-0001")
        drained(station)
    finally:
        station.stop()
    other = token_file(tmp_path, "token-b", accounts.add_station(centre.thread.store.db, ROOM)[1])
    (tmp_path / "key").write_text(centre.thread.store.deployment_key.hex())
    cfg = tmp_path / "b.toml"
    cfg.write_text(f'[station]\nroom = "{ROOM}"\ndata_dir = "{tmp_path / "pi-b"}"\n[printer]\nkind = "dummy"\n'
                   f'[central]\nurl = "{centre.url}"\ntoken_file = "{other}"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "photoqueue", "scan", "--config", str(cfg), "--data-dir",
                             str(tmp_path / "pi-b"), "--room", ROOM, "--date", DAY, "--key-file",
                             str(tmp_path / "key"), "STUDENT-0002"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 4 and "room_held" in result.stderr, result.stderr
    assert '"number"' not in result.stdout and "Traceback" not in result.stderr

