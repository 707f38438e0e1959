"""Disk full and a read-only data dir at the station level: the real Station (built from a TOML config,
printing to a network printer) on a real 2 MiB tmpfs that fills up, and on one remounted read-only.

No number is shown (the screen's flash) or printed unless it is in the database; the hall screen's
state carries a clear alert while the database refuses writes, and drops it when writes work again.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest
from rel_helpers import ScreenRecorder, TeeProxy, printed_numbers, record, station_toml

from photoqueue.device.station.build import build_station
from photoqueue.device.station.config import load_config
from photoqueue.scanner.reads import ScanEvent

DB_ALERT = "数据库写入失败"


def start_station(tmp_path, data_dir, printer):
    config = tmp_path / "station.toml"
    config.write_text(station_toml(data_dir, printer_port=printer.port), encoding="utf-8")
    station = build_station(load_config(config), headless=True, keyboard=False)
    station.display = ScreenRecorder()
    return station.start()


def scan(station, code: str) -> None:
    station.submit(ScanEvent(code, "manual", time.monotonic()))


def settle(station) -> None:
    station.call(lambda _s: None).result(30)
    station.printer.drain(30)
    station.call(lambda _s: None).result(30)
    time.sleep(0.1)  # one more loop turn: the redraw after the last item
    station.call(lambda _s: None).result(30)


def committed_numbers(db_path) -> set[int]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        numbers = [n for (n,) in db.execute("SELECT number FROM codes")]
    finally:
        db.close()
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    return set(numbers)


@pytest.mark.serial  # mounts a tmpfs
def test_disk_full_at_the_station_shows_and_prints_nothing_uncommitted_and_alerts(tmp_path, small_fs, fill):
    mount, mounted = small_fs
    data_dir = mount / "station"
    printer = TeeProxy(None)
    station = start_station(tmp_path, data_dir, printer)
    screen = station.display
    for i in range(10):
        scan(station, f"BEFORE-{i:04d}")
    settle(station)
    if mounted:
        filler = fill(mount)
    else:  # not root: cap the database instead (the same SQLITE_FULL)
        station.call(lambda s: s.session.store._db.execute(
            f"PRAGMA max_page_count = {s.session.store._db.execute('PRAGMA page_count').fetchone()[0] + 4}")).result()
    flashes_before = len(screen.flashes)
    tried = 300
    for i in range(tried):
        scan(station, f"DURING-{i:04d}-" + "x" * 300)
    settle(station)
    alerted = [s for s in screen.states if any(DB_ALERT in a for a in s.alerts)]
    view = station.call(lambda s: s.view()).result()
    issued_during = [f[2] for f in screen.flashes[flashes_before:] if f[0] == "issued"]
    # the disk filled: at most a few scans got in before it did, the rest were refused
    assert len(issued_during) < tried
    assert alerted and any(DB_ALERT in a for a in view.alerts), "the screen must say the database refuses writes"
    if not issued_during:  # the last flash is this refusal, not the previous student's number
        assert view.flash is not None and view.flash.kind != "issued" and view.flash.number is None
    health = station.call(lambda s: s.health()).result()
    assert health["database"] != "ok" and not health["healthy"]

    if mounted:
        filler.unlink()
    else:
        station.call(lambda s: s.session.store._db.execute("PRAGMA max_page_count = 1073741823")).result()
    scan(station, "AFTER-0001")
    settle(station)
    view = station.call(lambda s: s.view()).result()
    assert not any(DB_ALERT in a for a in view.alerts), "the alert goes once writes work again"
    station.stop()

    committed = committed_numbers(data_dir / "station.db")
    shown = {f[2] for f in screen.flashes if f[2] is not None}
    on_paper = set(printed_numbers(printer.sent))
    assert shown <= committed and on_paper <= committed
    assert max(committed) == 10 + len(issued_during) + 1  # numbering resumed with no gap
    refused = tried - len(issued_during)
    record("disk full at the station (real tmpfs)" if mounted else "disk full at the station (max_page_count)",
           tried=tried, survived=tried, lost=len((shown | on_paper) - committed), refused_with_alert=refused,
           issued_before_full=len(issued_during))


def test_data_dir_turning_read_only_under_a_running_station(tmp_path):
    printer = TeeProxy(None)
    data_dir = tmp_path / "station"
    station = start_station(tmp_path, data_dir, printer)
    screen = station.display
    scan(station, "BEFORE-0001")
    settle(station)
    # SQLite cannot be remounted read-only under an open file in a test: the connection is made
    # read-only instead, which takes the same SQLITE_READONLY path through the store and the station.
    station.call(lambda s: s.session.store._db.execute("PRAGMA query_only = 1")).result()
    n_flash = len(screen.flashes)
    for i in range(20):
        scan(station, f"DURING-{i:04d}")
    settle(station)
    assert not [f for f in screen.flashes[n_flash:] if f[0] == "issued"]
    assert any(DB_ALERT in a for a in station.call(lambda s: s.view()).result().alerts)
    station.call(lambda s: s.session.store._db.execute("PRAGMA query_only = 0")).result()
    scan(station, "AFTER-0001")
    settle(station)
    station.stop()
    assert committed_numbers(data_dir / "station.db") == {1, 2}
    assert set(printed_numbers(printer.sent)) <= {1, 2}
    record("data dir read-only under a running station", tried=20, survived=20, lost=0)


@pytest.mark.serial  # mounts a tmpfs
def test_station_started_on_a_read_only_filesystem_refuses_with_a_clear_message(tmp_path, small_fs, remount):
    mount, mounted = small_fs
    data_dir = mount / "station"
    printer = TeeProxy(None)
    station = start_station(tmp_path, data_dir, printer)
    scan(station, "BEFORE-0001")
    settle(station)
    station.stop()
    config = tmp_path / "station.toml"
    if mounted:
        remount(mount, "ro")
    else:
        (data_dir / "station.db").chmod(0o444)
        data_dir.chmod(0o555)
    try:
        result = subprocess.run([sys.executable, "-m", "photoqueue", "station", "--config", str(config), "--headless"],
                                capture_output=True, text=True, timeout=60)
    finally:
        if mounted:
            remount(mount, "rw")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "read-only" in result.stderr, result.stderr
    assert committed_numbers(data_dir / "station.db") == {1}
