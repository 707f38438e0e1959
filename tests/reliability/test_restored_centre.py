"""A centre restored from an older backup (issue 13, reproduction 6), on SQLite and PostgreSQL.

The station has dropped from its outbox everything the centre acknowledged; the restored centre
answers ``409 expected_seq``. The station must re-send from its event log, so that in the end the
centre holds every event exactly once, as the station wrote it. Real processes: the centre is
``photoqueue central serve`` (CentralProcess), stopped, its store rolled back, and started again.

SQLite: the centre's file is replaced by a copy made earlier with SQLite's backup API. PostgreSQL:
the schema is dumped with ``pg_dump`` and restored with ``psql`` into a fresh schema of the same name.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from rel_helpers import record
from test_network import NO_LIMIT, held_exactly_once

from photoqueue.central.admin import add_station
from photoqueue.central.process import CentralProcess, free_port
from photoqueue.central.store import CentralStore
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient

ROOM, DATE = "第二组", "2024-10-26"


def _scan(session: Session, start: int, n: int) -> None:
    for i in range(start, start + n):
        session.scan(f"RESTORE-{i:04d}", dt.datetime(2024, 10, 26, 9, 0))


def _snapshot(db_url: str, where) -> object:
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as src, sqlite3.connect(where) as dst:
            src.backup(dst)
        return where
    base, schema = _pg_parts(db_url)
    dump = subprocess.run(["pg_dump", "--schema", schema, "--no-owner", base], capture_output=True, text=True,
                          check=True).stdout
    return dump


def _restore(db_url: str, snapshot) -> None:
    if db_url.startswith("sqlite:///"):
        path = db_url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        shutil.copy(snapshot, path)
        return
    base, schema = _pg_parts(db_url)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", base, "-c", f"DROP SCHEMA {schema} CASCADE"],
                   check=True, capture_output=True)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", base], input=snapshot, text=True, check=True,
                   capture_output=True)


def _pg_parts(db_url: str) -> tuple[str, str]:
    base, _, query = db_url.partition("?")
    schema = query.split("search_path%3D")[1]
    return base, schema


@pytest.mark.serial  # restarts the centre on the port it had
def test_a_centre_restored_from_an_older_backup_gets_every_event_again(central_db, tmp_path):
    token = add_station(central_db, ROOM)
    session = Session(EventStore(tmp_path / "st" / "station.db"), ROOM, DATE, Rules(digest_key=b"k" * 32))
    port = free_port()
    central = CentralProcess(central_db, port=port, settings=NO_LIMIT).start()
    client = SyncClient(session.store.path, central.url, token, room=ROOM, interval_s=0.05)
    try:
        _scan(session, 0, 40)
        assert client.drain(30)
        snapshot = _snapshot(central_db, tmp_path / "central-backup.db")  # the nightly backup
        _scan(session, 40, 60)
        assert client.drain(30)
        assert session.store.outbox_size() == 0  # the station dropped all it sent
        central.stop()
        _restore(central_db, snapshot)
        central = CentralProcess(central_db, port=port, settings=NO_LIMIT).start()
        with CentralStore(central_db) as c:
            restored_hw = c.high_waters()[session.store.station_id]
        _scan(session, 100, 20)  # the room numbers on meanwhile
        first = client.sync_once()
        assert client.drain(30)
        held = held_exactly_once(central_db, session.store)
        total = session.store.last_seq()
    finally:
        client.stop()
        central.stop()
    lost = total - held
    backend = central_db.split(":")[0]
    record(f"centre restored from an older backup ({'postgresql' if backend.startswith('postgres') else 'sqlite'})",
           total, held, lost, centre_high_water_after_restore=restored_hw, first_answer=first.status_code or 200)
    assert restored_hw < 100 and held == total == session.store.last_seq()
    assert len(session.state.tickets) == 120 and max(session.state.tickets) == 120
