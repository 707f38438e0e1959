"""Disk full and a read-only data dir: no number is shown or printed without its commit, the
refused scan costs nothing, and numbering resumes exactly when the disk is back."""

import datetime as dt
import subprocess
import sys

import pytest

from photoqueue.core import effects as fx
from photoqueue.core.state import Rules
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session

RULES = Rules(digest_key=b"f" * 32)
NOW = dt.datetime(2023, 10, 25, 9, 0)


def open_session(directory, mounted):
    store = EventStore(directory / "station.db")
    if not mounted:
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages + 8}")
    return Session(store, "A组", "2023-10-25", RULES)


@pytest.mark.serial  # mounts a tmpfs
def test_disk_full_refuses_the_scan_shows_nothing_and_resumes(small_fs, fill):
    directory, mounted = small_fs
    session = open_session(directory, mounted)
    for i in range(20):
        session.scan(f"BEFORE-{i:04d}", NOW)
    filler = fill(directory) if mounted else None
    issued, failures = [], 0
    for i in range(400):
        before = session.state.snapshot()
        try:
            effects = session.scan(f"DURING-{i:04d}-" + "x" * 200, NOW)
        except StationError as exc:
            failures += 1
            assert "full" in str(exc).lower() or "write" in str(exc).lower()
            assert session.state.snapshot() == before  # nothing changed in memory, nothing to show or print
            continue
        issued += [e.number for e in effects if isinstance(e, fx.PrintTicket)]
    assert failures > 0, "the disk never filled up"
    if filler:
        filler.unlink()
    else:
        session.store._db.execute("PRAGMA max_page_count = 1073741823")
    session.scan("AFTER-0001", NOW)
    numbers = sorted(session.state.tickets)
    assert numbers == list(range(1, len(numbers) + 1))
    assert session.state.by_code["AFTER-0001"] == len(numbers)
    reopened = Session(EventStore(directory / "station.db"), "A组", "2023-10-25", RULES)
    assert reopened.state.snapshot() == session.state.snapshot()
    assert reopened.store.integrity_check() == "ok"


def test_data_dir_turning_read_only_mid_run_refuses_cleanly(tmp_path):
    # A card the kernel remounts read-only cannot be remounted under open files in a test, so this
    # turns the connection read-only instead: the same SQLITE_READONLY path through the store.
    session = open_session(tmp_path, True)
    session.scan("BEFORE-0001", NOW)
    session.store._db.execute("PRAGMA query_only = 1")
    before = session.state.snapshot()
    with pytest.raises(StationError):
        session.scan("DURING-0001", NOW)
    assert session.state.snapshot() == before
    session.store._db.execute("PRAGMA query_only = 0")
    session.scan("AFTER-0001", NOW)
    assert sorted(session.state.tickets) == [1, 2]
    assert session.state.by_code["AFTER-0001"] == 2


@pytest.mark.serial  # mounts a tmpfs
def test_station_started_on_a_read_only_filesystem_gets_a_clear_error(small_fs, remount):
    directory, mounted = small_fs
    session = open_session(directory, mounted)
    session.scan("BEFORE-0001", NOW)
    session.store.close()
    (directory / "k").write_text("ab" * 32)
    if not mounted:
        (directory / "station.db").chmod(0o444)
        directory.chmod(0o555)
    else:
        remount(directory, "ro")
    result = subprocess.run([sys.executable, "-m", "photoqueue", "scan", "--data-dir", str(directory),
                             "--room", "A组", "--date", "2023-10-25", "--key-file", str(directory / "k"),
                             "CODE-0002"], capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "read-only" in result.stderr, result.stderr
    if mounted:
        remount(directory, "rw")
