"""The data layer, on SQLite and PostgreSQL alike: exactly-once ingest, gaps refused, counts that are
always a fold of the stored events, cross-room duplicates, staff commands, the timetable."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from central_helpers import DATE, KEY, make_station, sort_rows

from photoqueue.central import accounts
from photoqueue.central.errors import CentralError
from photoqueue.central.migrations import LATEST, STEPS, current_version
from photoqueue.central.store import CentralStore
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.store.export import collect
from photoqueue.device.store.session import Session
from photoqueue.timetable import load_timetable


@pytest.fixture
def store(db_url):
    with CentralStore(db_url) as s:
        yield s


@pytest.fixture
def station(tmp_path):
    """A station of room R1 with about 300 events, its outbox full."""
    st = make_station(tmp_path / "r1", "R1", 300, seed=3)
    yield st
    st.close()


def register(store, room="R1"):
    sid, _ = accounts.add_station(store.db, room)
    return accounts.Registration(sid, room, None)


def snapshot(store: CentralStore) -> tuple:
    with store.db.connection() as conn:
        events = conn.all("SELECT station_id, seq, room, date, type, body, received_at FROM events "
                          "ORDER BY station_id, seq")
        streams = conn.all("SELECT station_id, high_water FROM streams ORDER BY station_id")
        tickets = conn.all("SELECT * FROM tickets ORDER BY station_id, number")
    return events, streams, tickets, store.counts()


def test_migrations_record_schema_version_and_run_once(db_url):
    with CentralStore(db_url) as s:
        assert current_version(s.db) == LATEST
    with CentralStore(db_url) as s:  # reopening applies nothing twice
        with s.db.connection() as conn:
            assert conn.one("SELECT count(*) FROM schema_version")[0] == len(STEPS)


def test_counts_equal_the_station_export_after_ingest(store, station, tmp_path):
    reg = register(store)
    batch = station.outbox_batch(10_000)
    result = store.ingest(reg, station.station_id, batch)
    assert result["high_water"] == station.last_seq() == result["accepted"]
    assert sort_rows(store.counts()) == sort_rows(collect(tmp_path / "r1")["classes"])


def test_replayed_duplicated_and_reordered_batches_leave_the_store_unchanged(store, station):
    reg = register(store)
    events = station.outbox_batch(10_000)
    sid = station.station_id
    for i in range(0, len(events), 50):
        store.ingest(reg, sid, events[i:i + 50])
    before = snapshot(store)
    rng = random.Random(7)
    store.ingest(reg, sid, events)  # the whole history again
    store.ingest(reg, sid, events[100:150])  # one old batch replayed
    store.ingest(reg, sid, events[20:40] + events[20:40])  # duplicated inside a batch
    shuffled = events[:120]
    rng.shuffle(shuffled)
    store.ingest(reg, sid, shuffled)  # reordered
    store.ingest(reg, sid, list(reversed(events)))
    store.ingest(reg, sid, [])  # a heartbeat
    assert snapshot(store) == before


def test_batches_arriving_out_of_order_are_refused_then_accepted(store, station, tmp_path):
    reg = register(store)
    events = station.outbox_batch(10_000)
    sid = station.station_id
    batches = [events[i:i + 40] for i in range(0, len(events), 40)]
    rng = random.Random(11)
    delivered = 0
    refused = 0
    while delivered < len(events):
        # the network delivers any batch, again and in any order; only the next one counts
        try:
            result = store.ingest(reg, sid, rng.choice(batches))
            delivered = max(delivered, result["high_water"])
        except CentralError as exc:
            assert exc.http_status == 409
            assert exc.extra["expected_seq"] == store.high_waters().get(sid, 0) + 1
            refused += 1
    assert refused > 0
    assert store.event_count(sid) == len(events)
    assert sort_rows(store.counts()) == sort_rows(collect(tmp_path / "r1")["classes"])


def test_a_gap_is_refused_with_the_seq_expected_and_nothing_stored(store, station):
    reg = register(store)
    events = station.outbox_batch(100)
    store.ingest(reg, station.station_id, events[:10])
    with pytest.raises(CentralError) as caught:
        store.ingest(reg, station.station_id, events[20:30])
    assert caught.value.http_status == 409
    assert caught.value.extra["expected_seq"] == 11
    assert store.event_count() == 10


def test_a_gap_inside_a_batch_keeps_the_contiguous_start(store, station):
    reg = register(store)
    events = station.outbox_batch(100)
    result = store.ingest(reg, station.station_id, events[:10] + events[15:20])
    assert result["high_water"] == 10
    assert store.event_count() == 10


def test_counts_survive_a_restart_and_match_a_fresh_fold(db_url, station, tmp_path):
    with CentralStore(db_url) as s:
        s.ingest(register(s), station.station_id, station.outbox_batch(10_000))
        first = s.counts()
    with CentralStore(db_url) as s:
        assert s.counts() == first
    assert sort_rows(first) == sort_rows(collect(tmp_path / "r1")["classes"])


def test_a_second_store_process_sees_what_the_first_ingested(db_url, station):
    with CentralStore(db_url) as a, CentralStore(db_url) as b:
        b.counts()  # b folded an empty store
        a.ingest(register(a), station.station_id, station.outbox_batch(10_000))
        assert b.counts() == a.counts()


def test_events_for_another_room_are_refused_with_403(store, station):
    reg = register(store, room="R2")
    with pytest.raises(CentralError) as caught:
        store.ingest(reg, station.station_id, station.outbox_batch(10))
    assert caught.value.http_status == 403
    assert store.event_count() == 0


def test_a_token_is_bound_on_first_use_to_the_station_that_used_it(store, station):
    _, token = accounts.add_station(store.db, "R1")
    with store.db.connection() as conn:
        store.ingest(accounts.authenticate(conn, token), station.station_id, station.outbox_batch(5))
        bound = accounts.authenticate(conn, token)
    assert bound.station_id == station.station_id
    with pytest.raises(CentralError) as caught:
        store.ingest(bound, "another-station-db", station.outbox_batch(5))
    assert caught.value.http_status == 403


def test_a_revoked_token_no_longer_authenticates(store):
    sid, token = accounts.add_station(store.db, "R1")
    assert store.authenticate(token) is not None
    assert accounts.revoke_station(store.db, station=sid) == 1
    assert store.authenticate(token) is None
    assert store.authenticate("pqs_wrong") is None


@pytest.mark.parametrize("bad, status", [
    ("not a list", 422),
    ([{"type": "ticket_issued", "room": "R1", "date": DATE, "at": "x", "seq": 1}], 422),  # fields missing
    ([{"type": "no_such_event", "room": "R1", "date": DATE, "at": "x", "seq": 1}], 422),
    ([{"type": "class_switched", "room": "R1", "date": DATE, "at": "x", "class_name": "A", "previous": None}], 422),
    ([{"type": "class_switched", "room": "R1", "date": "not a date", "at": "x", "seq": 1, "class_name": "A",
       "previous": None}], 422),
    ([{"type": "ticket_issued", "room": "R1", "date": DATE, "at": "x", "seq": 1, "number": 1, "code_digest": "d",
       "code": "RAW-CODE", "class_name": None}], 422),  # a raw code never leaves the station
    ([{"type": "advanced", "room": "R1", "date": DATE, "at": "x", "seq": 1, "photographed": 7, "called": None}],
     422),  # does not fold: ticket 7 was never issued
])
def test_schema_errors_are_refused_and_nothing_is_stored(store, bad, status):
    reg = register(store)
    with pytest.raises(CentralError) as caught:
        store.ingest(reg, "station-x", bad)
    assert caught.value.http_status == status
    assert store.event_count() == 0
    assert store.counts() == []


def test_cross_room_duplicates_are_reported_to_both_stations_until_flagged(store, tmp_path):
    a = make_station(tmp_path / "a", "A", 20, seed=1, codes=["SHARED-CODE-1"])
    b = make_station(tmp_path / "b", "B", 20, seed=2, codes=["SHARED-CODE-1"])
    reg_a, reg_b = register(store, "A"), register(store, "B")
    assert store.ingest(reg_a, a.station_id, a.outbox_batch(1000))["duplicates"] == []
    to_b = store.ingest(reg_b, b.station_id, b.outbox_batch(1000))["duplicates"]
    assert to_b == [{"date": DATE, "number": 1, "other_room": "A", "other_number": 1}]
    to_a = store.ingest(reg_a, a.station_id, [])["duplicates"]
    assert to_a == [{"date": DATE, "number": 1, "other_room": "B", "other_number": 1}]
    # station B flags it (its own event); the centre stops reporting it to B
    session = Session(b, "B", DATE, Rules(digest_key=KEY))
    session.handle(cmd.FlagDuplicate(1, "A", 1), dt.datetime(2024, 6, 20, 10))
    b.ack(store.high_waters()[b.station_id])
    assert store.ingest(reg_b, b.station_id, b.outbox_batch(1000))["duplicates"] == []
    assert store.ingest(reg_a, a.station_id, [])["duplicates"] != []
    assert [d["flagged_at"] is not None for d in store.duplicates(DATE)].count(True) == 1
    a.close()
    b.close()


def test_staff_commands_wait_for_the_room_until_acknowledged(store, station):
    reg = register(store)
    cid = store.add_command("R1", "switch_class", {"class_name": "班级2"}, by="alice")
    store.add_command("R2", "advance", {"target": 1})  # names the ticket it advances from
    answer = store.ingest(reg, station.station_id, [])
    assert [c["id"] for c in answer["commands"]] == [cid]
    assert answer["commands"][0]["args"] == {"class_name": "班级2"}
    answer = store.ingest(reg, station.station_id, [], acked_commands=[cid])
    assert answer["acked_commands"] == [cid]
    assert answer["commands"] == []
    assert store.pending_commands("R2") != []  # another room's command is not this station's to ack


def test_unknown_command_kinds_are_refused_when_queued(store):
    with pytest.raises(Exception, match="unknown command kind"):
        store.add_command("R1", "format_disk")
    with pytest.raises(Exception, match="bad arguments"):
        store.add_command("R1", "void", {"nope": 1})


def test_timetable_held_at_the_centre_round_trips(store, timetable_2024):
    timetable = load_timetable(timetable_2024)
    n = store.set_timetable(timetable)
    assert n == len(timetable.slots)
    room, date = timetable.slots[0].room, timetable.slots[0].date
    held = store.room_day(room, date.isoformat())
    assert held.names == timetable.room_day(room, date).names
    assert [c.headcount for c in held] == [c.headcount for c in timetable.room_day(room, date)]
    assert store.set_timetable(timetable) == n  # loading again replaces, never doubles
    assert len(store.timetable().slots) == n


def test_server_receive_time_is_stamped_whatever_the_station_clock_says(store, station):
    reg = register(store)
    store.ingest(reg, station.station_id, station.outbox_batch(3))
    stored = store.stored_events(station.station_id)
    assert all(e["received_at"] > "2025" for e in stored)  # the station's own clock said 2024
    assert stored[0]["at"].startswith(DATE)


def test_a_batch_refused_mid_fold_leaves_counts_equal_to_a_fresh_fold(db_url, station):
    events = station.outbox_batch(10_000)
    with CentralStore(db_url) as store:
        reg = register(store)
        store.ingest(reg, station.station_id, events[:100])
        bad = [dict(e) for e in events[100:110]]
        bad[5] = {"type": "advanced", "room": "R1", "date": DATE, "at": "x", "seq": bad[5]["seq"],
                  "photographed": 9999, "called": None}
        with pytest.raises(CentralError) as caught:
            store.ingest(reg, station.station_id, bad)
        assert caught.value.http_status == 422
        assert store.event_count() == 100
        with CentralStore(db_url) as fresh:
            assert store.counts() == fresh.counts()
        store.ingest(reg, station.station_id, events[100:])  # the real events still go in after the refusal
        with CentralStore(db_url) as fresh:
            assert store.counts() == fresh.counts()


def test_a_replay_that_differs_from_the_held_event_is_refused(store, station):
    reg = register(store)
    events = station.outbox_batch(30)
    store.ingest(reg, station.station_id, events[:20])
    before = snapshot(store)
    forged = [dict(e) for e in events[10:25]]
    forged[0]["at"] = "2030-01-01T00:00:00"
    with pytest.raises(CentralError) as caught:
        store.ingest(reg, station.station_id, forged)
    assert caught.value.http_status == 409
    assert caught.value.extra["conflict_seq"] == events[10]["seq"]
    assert snapshot(store) == before
