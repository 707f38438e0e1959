"""The station's sync client against a real central service (uvicorn in a thread, 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

import pytest

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient, SyncSettings, backoff_delay, command_from_wire
from photoqueue.settings import problems
from photoqueue.timetable import load_timetable

DATE = "2024-06-20"
KEY = bytes(range(32))
PLAN = ({"name": "一班", "headcount": 30, "start": None, "end": None},
        {"name": "二班", "headcount": 30, "start": None, "end": None})


def open_session(data_dir: Path, room: str) -> Session:
    session = Session(EventStore(data_dir / "station.db"), room, DATE, Rules(digest_key=KEY))
    if not session.state.plan:
        session.handle(cmd.LoadTimetable(PLAN), dt.datetime(2024, 6, 20, 9))
    return session


def scan(session: Session, *codes: str, at=dt.datetime(2024, 6, 20, 9, 30)) -> None:
    for code in codes:
        session.scan(code, at)


@pytest.fixture
def central(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0)
    with CentralThread(settings) as server:
        yield server


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def client_for(central, session: Session, room: str, **kw) -> SyncClient:
    token = accounts.add_station(central.store.db, room)[1]
    return SyncClient(session.store.path, central.url, token, room=room, **kw)


def test_backoff_grows_exponentially_with_full_jitter_and_a_ceiling():
    assert [backoff_delay(a, 1.0, 60.0, rng=lambda: 1.0) for a in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff_delay(5, 1.0, 60.0, rng=lambda: 0.0) == 0.0
    assert backoff_delay(10_000, 1.0, 60.0, rng=lambda: 0.5) == 30.0


def test_sync_settings_report_every_problem_at_once(tmp_path):
    assert problems(SyncSettings()) == []
    found = problems(SyncSettings(url="ftp://x", batch_size=0, timeout_s=0, backoff_max_s=0.1))
    assert len(found) == 5, found  # url, token_file, batch_size, timeout_s, backoff_max_s
    token_file = tmp_path / "token"
    token_file.write_text("pqs_secret\n")
    settings = SyncSettings(url="http://127.0.0.1:1", token_file=str(token_file))
    client = SyncClient.from_settings(settings, tmp_path / "station.db", room="A")
    assert client.token == "pqs_secret"


def test_drain_sends_the_whole_outbox_in_batches_and_reports_status(central, tmp_path):
    session = open_session(tmp_path, "A")
    scan(session, *[f"code-{i:04d}" for i in range(120)])
    client = client_for(central, session, "A", batch_size=25, clock=lambda: 1234.0)
    assert client.drain(timeout=30)
    assert client.outbox_size() == 0
    assert central.store.event_count() == session.store.last_seq()
    status = client.status()
    assert status["pending"] == 0 and status["last_error"] is None and status["offline_since"] is None
    assert status["last_ok_at"] == 1234.0
    client.stop()


def test_offline_the_client_backs_off_and_reports_since_when(tmp_path):
    session = open_session(tmp_path, "A")
    scan(session, "code-0001", "code-0002")
    now = [100.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    client = SyncClient(session.store.path, closed_port_url(), "pqs_x", room="A", clock=lambda: now[0], sleep=sleep,
                        backoff_initial_s=1.0, backoff_max_s=8.0, rng=lambda: 1.0, timeout_s=1)
    assert client.drain(timeout=5) is False
    status = client.status()
    assert status["offline_since"] == 100.0
    assert "cannot reach the centre" in status["last_error"]
    assert status["pending"] == session.store.outbox_size() > 0
    assert slept[:2] == [1.0, 2.0]  # doubling (drain caps its waits at 2 s)
    client.stop()


def test_a_pi_clock_without_rtc_changes_nothing(central, tmp_path):
    session = open_session(tmp_path, "A")
    scan(session, "code-0001", at=dt.datetime(1970, 1, 1, 0, 5))  # a Pi that booted without network time
    client = client_for(central, session, "A")
    assert client.drain(timeout=30)
    stored = central.store.stored_events(session.store.station_id)
    assert stored[-1]["at"].startswith("1970")
    assert stored[-1]["received_at"] > "2025"  # the centre stamps its own receive time
    client.stop()


def test_staff_commands_reach_on_command_once_and_are_acknowledged(central, tmp_path):
    session = open_session(tmp_path, "A")
    scan(session, "code-0001")
    received = []
    client = client_for(central, session, "A", on_command=received.append)
    cid = central.store.add_command("A", "switch_class", {"class_name": "二班"}, by="staff")
    client.sync_once()
    assert received == [cmd.SwitchClass("二班")]
    for command in received:
        session.handle(command, dt.datetime(2024, 6, 20, 10))  # the station applies it as its own event
    client.sync_once()  # carries the ack
    assert central.store.commands("A")[0]["acked_at"] is not None
    assert central.store.pending_commands("A") == []
    client.sync_once()
    assert received == [cmd.SwitchClass("二班")]
    client.stop()
    # a restarted client (its state file kept) never hands the command over again
    again = []
    SyncClient(session.store.path, central.url, client.token, room="A", on_command=again.append).sync_once()
    assert again == []
    assert [c["id"] for c in central.store.commands("A")] == [cid]


def test_a_cross_room_duplicate_is_flagged_at_the_station(central, tmp_path):
    a = open_session(tmp_path / "a", "A")
    b = open_session(tmp_path / "b", "B")
    scan(a, "shared-code-1")
    scan(b, "code-b-1", "shared-code-1")
    flags = []
    client_a = client_for(central, a, "A")
    client_b = client_for(central, b, "B", on_command=flags.append)
    assert client_a.drain(timeout=30) and client_b.drain(timeout=30)
    client_b.sync_once()
    assert flags == [cmd.FlagDuplicate(2, "A", 1)]
    session_effects = b.handle(flags[0], dt.datetime(2024, 6, 20, 10))
    assert any(getattr(e, "kind", "") == "duplicate" for e in session_effects)
    assert b.state.tickets[2].flagged_room == "A"
    assert client_b.drain(timeout=30)
    assert [d["flagged_at"] is not None for d in central.store.duplicates() if d["room"] == "B"] == [True]
    client_a.stop()
    client_b.stop()


def test_the_thread_syncs_what_the_station_appends(central, tmp_path):
    session = open_session(tmp_path, "A")
    client = client_for(central, session, "A", interval_s=0.05)
    client.start()
    for i in range(30):
        scan(session, f"code-{i:04d}")
        client.wake()
    deadline = time.monotonic() + 30
    while central.store.high_waters().get(session.store.station_id) != session.store.last_seq():
        assert time.monotonic() < deadline, client.status()
        time.sleep(0.05)
    client.stop()
    assert session.store.outbox_size() == 0


def test_a_batch_refused_as_too_large_is_split(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0, max_batch_events=20)
    session = open_session(tmp_path, "A")
    scan(session, *[f"code-{i:04d}" for i in range(100)])
    with CentralThread(settings) as central:
        client = client_for(central, session, "A", batch_size=500)
        assert client.drain(timeout=30)
        assert client.batch_size <= 20
        client.stop()


def test_the_timetable_is_pulled_cached_and_used_offline(central, tmp_path, timetable_2021):
    timetable = load_timetable(timetable_2021)
    central.store.set_timetable(timetable)
    slot = timetable.slots[0]
    room, date = slot.room, slot.date.isoformat()
    session = open_session(tmp_path, room)
    cache = tmp_path / "tt.json"
    online = client_for(central, session, room)
    pulled = online.pull_timetable(room, date, cache)
    assert pulled.names == timetable.room_day(room, slot.date).names
    assert online.status()["timetable_source"] == "centre"
    offline = SyncClient(session.store.path, closed_port_url(), "pqs_x", room=room, timeout_s=1)
    assert offline.pull_timetable(room, date, cache).names == pulled.names
    assert offline.status()["timetable_source"] == "cache"
    # no cache for that day: the local file is the fallback
    from_file = offline.pull_timetable(room, date, tmp_path / "none.json", fallback_file=timetable_2021)
    assert from_file.names == pulled.names and offline.status()["timetable_source"] == "file"
    online.stop()
    offline.stop()


def test_commands_from_the_wire_become_queue_commands():
    assert command_from_wire("void", {"number": 3, "reason": "dup"}) == cmd.Void(3, "dup")
    assert command_from_wire("advance", {}) == cmd.Advance()
    with pytest.raises(Exception, match="unknown command kind"):
        command_from_wire("explode", {})


def test_days_offline_catch_up_in_many_batches_with_exact_counts(tmp_path):
    from photoqueue.device.store.export import collect

    store = EventStore(tmp_path / "station.db")
    for day in ("2024-06-18", "2024-06-19", "2024-06-20"):  # three days without the centre
        session = Session(store, "A", day, Rules(digest_key=KEY))
        at = dt.datetime.fromisoformat(day + "T09:00")
        session.handle(cmd.LoadTimetable(PLAN), at)
        for i in range(400):
            session.scan(f"{day}-{i:04d}", at)
            if i % 3:
                session.handle(cmd.Advance(), at)
    offline = SyncClient(store.path, closed_port_url(), "pqs_x", room="A", timeout_s=1, sleep=lambda _s: None,
                         clock=iter(range(0, 10_000, 1)).__next__)
    assert offline.drain(timeout=3) is False
    assert offline.status()["offline_since"] is not None
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=5, rate_burst=5)
    with CentralThread(settings) as central:  # back online; the rate limit holds the station to 5 requests/s
        client = client_for(central, Session(store, "A", "2024-06-20", Rules(digest_key=KEY)), "A", batch_size=100)
        assert client.drain(timeout=60)
        assert central.store.event_count() == store.last_seq() > 1500
        assert sorted(map(str, central.store.counts())) == sorted(map(str, collect(tmp_path)["classes"]))
        client.stop()
    store.close()


@pytest.mark.parametrize("kind, args", [
    ("recall", {"number": [1]}), ("recall", {"number": True}), ("recall", {"number": None}),
    ("void", {"number": 3, "reason": 7}), ("switch_class", {"class_name": ["一班"]}),
    ("correct_class", {"number": "4", "class_name": "一班"}), ("skip", {"number": 1.5}),
])
def test_wrong_typed_arguments_are_refused_on_the_wire(kind, args):
    with pytest.raises(StationError, match=f"{kind}: argument"):
        command_from_wire(kind, args)


def test_right_typed_optional_arguments_pass():
    assert command_from_wire("skip", {"number": None}) == cmd.Skip(None)
    assert command_from_wire("correct_class", {"number": 2, "class_name": None}) == cmd.CorrectClass(2, None)


def test_a_wrong_typed_command_is_acked_without_reaching_the_station(central, tmp_path, caplog):
    session = open_session(tmp_path, "A")
    received = []
    client = client_for(central, session, "A", on_command=received.append)
    # the centre now refuses it in add_command too; an older centre (or a row written by hand) still sends it
    with central.store.db.write() as conn:
        conn.execute("INSERT INTO commands (room, kind, args, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                     ("A", "recall", '{"number": [1]}', "2024-06-20T09:00:00Z", "staff"))
    central.store.add_command("A", "switch_class", {"class_name": "二班"}, by="staff")
    with caplog.at_level("ERROR", logger="photoqueue.device.sync.client"):
        client.sync_once()
    assert received == [cmd.SwitchClass("二班")]
    assert "recall: argument number=[1] must be int" in caplog.text
    client.sync_once()  # carries the acks: the centre does not send the bad one again
    assert central.store.pending_commands("A") == []
    assert all(c["acked_at"] is not None for c in central.store.commands("A"))
    client.stop()
