"""The event store: durable settings, bad files, and the database's own guards."""

import datetime as dt
import sqlite3

import pytest
from clirun import run_cli

from photoqueue.core import commands as cmd
from photoqueue.core.events import TicketIssued
from photoqueue.core.state import Rules
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import SCHEMA_VERSION, EventStore
from photoqueue.device.store.session import Session

NOW = dt.datetime(2023, 10, 25, 9, 0)
RULES = Rules(digest_key=b"d" * 32)


def test_wal_and_full_sync(tmp_path):
    store = EventStore(tmp_path / "station.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_sequence_is_gapless_across_sessions(tmp_path):
    store = EventStore(tmp_path / "station.db")
    a = Session(store, "A组", "2023-10-25", RULES)
    b = Session(store, "A组", "2023-10-26", RULES)
    a.scan("CODE-0001", NOW)
    b.scan("CODE-0001", NOW)
    a.handle(cmd.Advance(), NOW)
    seqs = [e.seq for e in store.events()]
    assert seqs == list(range(1, len(seqs) + 1))
    assert b.state.tickets[1].code_digest == a.state.tickets[1].code_digest  # same code, same digest
    assert store.sessions() == [("A组", "2023-10-25"), ("A组", "2023-10-26")]


def test_database_refuses_a_second_number_for_a_code(tmp_path):
    store = EventStore(tmp_path / "station.db")
    Session(store, "A组", "2023-10-25", RULES).scan("CODE-0001", NOW)
    forged = TicketIssued(room="A组", date="2023-10-25", at="x", number=2, code="CODE-0001",
                          code_digest="f" * 64, class_name=None)
    with pytest.raises(StationError), store.transaction():
        store.append([forged])
    assert [e.type for e in store.events()] == ["ticket_issued"]


def test_database_refuses_a_skipped_number(tmp_path):
    store = EventStore(tmp_path / "station.db")
    forged = TicketIssued(room="A组", date="2023-10-25", at="x", number=2, code="CODE-0002",
                          code_digest="f" * 64, class_name=None)
    with pytest.raises(StationError), store.transaction():
        store.append([forged])
    assert store.last_seq() == 0


def test_events_are_append_only(tmp_path):
    store = EventStore(tmp_path / "station.db")
    Session(store, "A组", "2023-10-25", RULES).scan("CODE-0001", NOW)
    with pytest.raises(sqlite3.IntegrityError):
        store._db.execute("UPDATE events SET body = '{}' WHERE seq = 1")


def test_outbox_is_written_with_the_event_and_drains_on_ack(tmp_path):
    store = EventStore(tmp_path / "station.db")
    s = Session(store, "A组", "2023-10-25", RULES)
    s.scan("CODE-0001", NOW)
    s.scan("CODE-0002", NOW)
    batch = store.outbox_batch()
    assert [e["seq"] for e in batch] == [1, 2]
    assert all("code" not in e for e in batch)
    store.ack(1)
    assert [e["seq"] for e in store.outbox_batch()] == [2]


def _run_export(data_dir):
    return run_cli("export", "--data-dir", data_dir)  # in process (tests/clirun.py)


def test_corrupt_file_gets_a_clear_error_not_a_traceback(tmp_path):
    (tmp_path / "station.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StationError, match="not a usable station database"):
        EventStore(tmp_path / "station.db")
    result = _run_export(tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not a usable station database" in result.stderr


def test_foreign_sqlite_file_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / "station.db")
    db.execute("CREATE TABLE contacts (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StationError, match="another program"):
        EventStore(tmp_path / "station.db")
    result = _run_export(tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_newer_schema_is_refused_with_its_own_status(tmp_path):
    EventStore(tmp_path / "station.db").close()
    db = sqlite3.connect(tmp_path / "station.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StationError, match="newer photoqueue"):
        EventStore(tmp_path / "station.db")
    result = _run_export(tmp_path)
    assert result.returncode == 3 and "Traceback" not in result.stderr


def test_damaged_pages_fail_the_integrity_check(tmp_path):
    path = tmp_path / "station.db"
    store = EventStore(path)
    s = Session(store, "A组", "2023-10-25", RULES)
    for i in range(300):
        s.scan(f"CODE-{i:05d}", NOW)
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page + 100, len(data) - page, 3 * page):  # scribble over b-tree pages, keep the header
        data[offset:offset + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))
    with pytest.raises(StationError):
        EventStore(path)


def test_a_second_writer_s_events_come_back_as_effects(tmp_path):
    """A staff CLI's reprint (another process, another connection) prints on the running station."""
    from photoqueue.core import effects as fx

    station = Session(EventStore(tmp_path / "station.db"), "A组", "2023-10-25", RULES)
    station.scan("CODE-0001", NOW)
    staff = Session(EventStore(tmp_path / "station.db"), "A组", "2023-10-25", RULES)
    staff.handle(cmd.Reprint(1), NOW)
    effects = station.refresh()
    assert [(e.number, e.reprint) for e in effects if isinstance(e, fx.PrintTicket)] == [(1, True)]
    assert station.refresh() == []  # reported once
    staff.handle(cmd.Reprint(1), NOW)
    effects = station.scan("CODE-0002", NOW)  # caught up inside the next command's transaction
    assert [(e.number, e.reprint) for e in effects if isinstance(e, fx.PrintTicket)] == [(1, True), (2, False)]


def test_the_clock_date_is_refused_when_it_cannot_be_right(tmp_path):
    from photoqueue.device.store.session import resolve_date

    store = EventStore(tmp_path / "station.db")
    Session(store, "A组", "2023-10-25", RULES).scan("CODE-0001", NOW)
    # a Pi that booted a year back must not open a new session and number from 1 again
    with pytest.raises(StationError, match="already numbered"):
        resolve_date(store, "A组", None, dt.date(2022, 10, 25))
    with pytest.raises(StationError, match="no classes for A组 on 2023-10-26"):
        resolve_date(store, "A组", None, dt.date(2023, 10, 26), planned=[dt.date(2023, 10, 25)])
    assert resolve_date(store, "A组", None, dt.date(2023, 10, 25), planned=[dt.date(2023, 10, 25)]) == "2023-10-25"
    assert resolve_date(store, "A组", "2022-01-01", dt.date(2023, 10, 25)) == "2022-01-01"  # asked for: honoured
