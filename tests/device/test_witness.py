"""The witness file beside a station's database (issue 13): two slots, each with its own CRC; never
moved backwards by a writer that is behind; kept by every commit of every process on the file."""

from __future__ import annotations

import datetime as dt

import pytest

from photoqueue.core.state import Rules
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.guard import DAMAGED
from photoqueue.device.store.session import Session
from photoqueue.device.store.witness import SLOT, Witness, read_witness, witness_path, write_witness

NOW = dt.datetime(2024, 10, 25, 9)


def test_a_torn_slot_leaves_the_other_readable(tmp_path):
    path = tmp_path / "w"
    write_witness(path, Witness("S", seq=5, chain="a" * 64))
    write_witness(path, Witness("S", seq=6, chain="b" * 64))
    raw = bytearray(path.read_bytes())
    newest = read_witness(path)
    at = (newest.gen % 2) * SLOT
    raw[at + 10] ^= 0xFF  # the newest slot torn
    path.write_bytes(bytes(raw))
    assert read_witness(path).seq == 5


def test_a_writer_behind_never_moves_it_back_but_raises_the_centre_mark(tmp_path):
    path = tmp_path / "w"
    write_witness(path, Witness("S", seq=9, chain="c" * 64))
    merged = write_witness(path, Witness("S", seq=3, chain="d" * 64, centre_hw=7))
    assert (merged.seq, merged.chain, merged.centre_hw) == (9, "c" * 64, 7)
    assert read_witness(path) == merged


def test_two_stores_on_one_file_keep_one_chain(tmp_path):
    a = Session(EventStore(tmp_path / "station.db"), "R", "2024-10-25", Rules(digest_key=b"k" * 32))
    b = Session(EventStore(tmp_path / "station.db"), "R", "2024-10-25", Rules(digest_key=b"k" * 32))
    for i in range(6):
        (a if i % 2 else b).scan(f"WITNESS-CODE-{i:04d}", NOW)
    a.store.close()
    b.store.close()
    assert read_witness(witness_path(tmp_path / "station.db")).seq == 6
    EventStore(tmp_path / "station.db").close()  # its chain matches: opens


def test_a_changed_event_body_is_refused_at_open(tmp_path):
    import sqlite3

    session = Session(EventStore(tmp_path / "station.db"), "R", "2024-10-25", Rules(digest_key=b"k" * 32))
    session.scan("WITNESS-CODE-0001", NOW)
    session.scan("WITNESS-CODE-0002", NOW)
    session.store.close()
    with sqlite3.connect(tmp_path / "station.db") as db:
        db.execute("DROP TRIGGER events_append_only")
        db.execute("UPDATE events SET body = body || ' ' WHERE seq = 1")  # valid JSON still: only the chain sees it
    with pytest.raises(StationError, match="differ from those its witness recorded") as err:
        EventStore(tmp_path / "station.db")
    assert err.value.exit_status == DAMAGED
