"""One room, one sequence against both centre stores (issue 21): a spare Pi taking a room over mid-day, and a
rolled-back station that numbered again while the centre was down, on SQLite and PostgreSQL.

The real station (``build_station``), the real centre in a thread on a fixed port (stopped and started
again), the real ``recover``. After each, the centre holds no two codes with the same (room, day, number).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

from polling import wait_for
from rel_helpers import record

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread, free_port
from photoqueue.central.roomdays import replace_station
from photoqueue.central.settings import CentralSettings
from photoqueue.device.station.build import build_station
from photoqueue.device.station.config import parse_config
from photoqueue.device.station.parts import Adapter
from photoqueue.device.store.backup import recover
from photoqueue.device.store.outer_witness import day_path, default_dir
from photoqueue.scanner.reads import ScanEvent

ROOM = "第二组"
DAY = dt.date.today().isoformat()


class Room(Adapter):
    healthy = True

    def __init__(self):
        self.flashes = []

    def show(self, state) -> None:
        pass

    def flash(self, kind: str, text: str = "", number: int | None = None) -> None:
        self.flashes.append((kind, text, number))

    def print_ticket(self, effect, location: str = "") -> None:
        pass


class Centre:
    def __init__(self, db: str):
        self.settings = CentralSettings(db=db, rate_limit_per_s=0, port=free_port("127.0.0.1"))
        self.url = f"http://127.0.0.1:{self.settings.port}"
        self.thread = CentralThread(self.settings).start()

    def restart(self) -> None:
        self.thread = CentralThread(self.settings).start()

    def numbers(self) -> list[int]:
        """Every number the centre holds for the room's day, with its repeats."""
        with self.thread.store.db.connection() as conn:
            return sorted(n for (n,) in conn.all("SELECT number FROM tickets WHERE room = ? AND date = ?",
                                                 (ROOM, DAY)))


def config(data: Path, url: str, token_file: Path):
    return parse_config({"station": {"room": ROOM, "data_dir": str(data), "date": DAY, "screen": False,
                                     "refresh_s": 0.05},
                         "printer": {"kind": "dummy"}, "buttons": {"keyboard": False},
                         "sound": {"scan_beeps": False, "call_chime": False},
                         "central": {"url": url, "token_file": str(token_file), "interval_s": 0.1,
                                     "backoff_initial_s": 0.05, "backoff_max_s": 0.2, "hello_timeout_s": 2}})


def token(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / name


class Running:
    """A station started from a config, for a ``with`` block."""

    def __init__(self, cfg):
        self.station = build_station(cfg, headless=True)
        self.room = Room()
        self.station.parts.display = self.room
        self.station.parts.printer = self.room

    def __enter__(self):
        self.station.start()
        return self

    def __exit__(self, *exc):
        self.station.stop()

    def scan(self, code: str):
        self.station.submit(ScanEvent(code, "camera", time.monotonic()))
        self.station.call(lambda _s: None).result(15)
        kind, text, number = self.room.flashes[-1]
        return number if kind in ("issued", "reprint") else None

    def health(self) -> dict:
        return self.station.call(lambda s: s.health()).result(15)

    def drain(self) -> None:
        wait_for(lambda: self.station.sync.outbox_size() == 0, timeout=30)


def test_a_spare_pi_mid_day_continues_the_rooms_numbers(tmp_path, central_db):
    centre = Centre(central_db)
    try:
        first = token(tmp_path, "a", accounts.add_station(centre.thread.store.db, ROOM)[1])
        with Running(config(tmp_path / "pi-a", centre.url, first)) as pi:
            assert [pi.scan(f"STUDENT-{i:04d}") for i in range(1, 38)][-1] == 37
            pi.drain()
        spare = token(tmp_path, "b", replace_station(centre.thread.store.db, ROOM, DAY)["token"])
        with Running(config(tmp_path / "pi-b", centre.url, spare)) as pi:
            got = [pi.scan(f"STUDENT-NEW-{i}") for i in range(3)]
            pi.drain()
        numbers = centre.numbers()
    finally:
        centre.thread.stop()
    lost = (got != [38, 39, 40]) + (numbers != list(range(1, 41)))
    record(f"spare Pi takes a room over mid-day ({central_db.split(':')[0]})", 40, 40 - lost, lost,
           old_pi=37, spare_numbers="38-40", centre_numbers_once=numbers == list(range(1, 41)))
    assert got == [38, 39, 40] and numbers == list(range(1, 41))


def test_a_rolled_back_station_stops_at_the_divergence_and_recovers_above_every_number(tmp_path, central_db):
    centre = Centre(central_db)
    tok = token(tmp_path, "t", accounts.add_station(centre.thread.store.db, ROOM)[1])
    data = tmp_path / "data"
    cfg = config(data, centre.url, tok)
    witness = day_path(default_dir(), data, ROOM, DAY)
    try:
        with Running(cfg) as pi:
            [pi.scan(f"STUDENT-{i:04d}") for i in range(1, 28)]
        shutil.copytree(data, tmp_path / "image")  # an SD card image, the state dir with it
        shutil.copy(witness, tmp_path / "image.witness")
        with Running(cfg) as pi:
            [pi.scan(f"STUDENT-{i:04d}") for i in range(28, 31)]
            pi.drain()
        centre.thread.stop()
        shutil.rmtree(data)
        shutil.copytree(tmp_path / "image", data)
        shutil.copy(tmp_path / "image.witness", witness)
        with Running(cfg) as pi:
            again = [pi.scan(f"LATE-{i}") for i in range(3)]  # the centre is down: nothing can tell
            centre.restart()
            wait_for(lambda: pi.health()["numbering"] == "diverged", timeout=30)
            refused = pi.scan("LATE-3")
        recover(data, None, (centre.url, tok.read_text()))
        with Running(cfg) as pi:
            after = pi.scan("LATE-4")
            pi.drain()
        numbers = centre.numbers()
    finally:
        centre.thread.stop()
    lost = (refused is not None) + (after != 31) + (numbers != list(range(1, 32)))
    record(f"rolled back, centre down, then 409 diverged, then recover ({central_db.split(':')[0]})", 5, 5 - lost,
           lost, given_again_while_down=len([n for n in again if n]), numbered_after_409=int(refused is not None),
           next_after_recover=after)
    assert again == [28, 29, 30] and refused is None and after == 31 and numbers == list(range(1, 32))
