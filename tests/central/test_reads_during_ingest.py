"""The centre's folded state read while ingest changes it: threads ingest stations' batches while other
threads read rooms, counts, the agency exports and the dashboard's snapshot, on SQLite and PostgreSQL.
Before readers got frozen copies this raised "dictionary changed size during iteration" (and its list
twin) in the readers; now no reader fails, and what they read at the end is the fold of the store."""

from __future__ import annotations

import sys
import threading

import pytest
from central_helpers import make_station

from photoqueue.central import accounts
from photoqueue.central.dashboard import exports
from photoqueue.central.projection import Projection
from photoqueue.central.store import CentralStore
from photoqueue.core.events import event_from_dict

ROOMS = ("R1", "R2", "R3")


@pytest.fixture
def day(tmp_path):
    """Each room's whole day of events (a station's outbox), about 600 events a room."""
    out = {}
    for i, room in enumerate(ROOMS):
        st = make_station(tmp_path / room, room, 600, seed=40 + i)
        out[room] = (st.station_id, st.outbox_batch(10_000))
        st.close()
    return out


@pytest.fixture
def fast_switching():
    """Switch threads every microsecond: the interleavings a loaded server sees, within a short test."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


@pytest.mark.usefixtures("fast_switching")
def test_readers_never_see_a_state_change_under_them(db_url, day):
    store = CentralStore(db_url, pool_size=12).open()
    try:
        regs = {room: store.authenticate(accounts.add_station(store.db, room)[1]) for room in ROOMS}
        # the first half of each day in big batches: the readers then walk sessions of hundreds of tickets
        for room, (sid, events) in day.items():
            half = len(events) // 2
            for i in range(0, half, 200):
                store.ingest(regs[room], sid, events[i:min(i + 200, half)])
        done = threading.Event()
        failures: list[BaseException] = []

        def ingest(room: str) -> None:
            sid, events = day[room]
            try:
                for i in range(len(events) // 2, len(events), 2):  # the rest two events at a time
                    store.ingest(regs[room], sid, events[i:i + 2])
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                failures.append(exc)

        def read(what) -> None:
            try:
                while not done.is_set():
                    what()
            except BaseException as exc:  # noqa: BLE001 - the failure under test
                failures.append(exc)

        readers = [lambda: store.rooms(), lambda: store.counts(), lambda: exports.agency_of(store),
                   lambda: [sum(1 for _ in s.tickets.values()) + len(s.waiting) for _, s in store.projection.sessions()]]
        reader_threads = [threading.Thread(target=read, args=(r,)) for r in readers for _ in range(2)]
        writer_threads = [threading.Thread(target=ingest, args=(room,)) for room in ROOMS]
        for t in reader_threads + writer_threads:
            t.start()
        for t in writer_threads:
            t.join(300)
        done.set()
        for t in reader_threads:
            t.join(60)
        assert not failures, "".join(f"\n{type(e).__name__}: {e}" for e in failures[:5])
        # what readers get at the end is exactly the fold of what the store holds
        fresh = Projection()
        for sid, _events in day.values():
            fresh.fold(sid, [event_from_dict({k: v for k, v in e.items() if k != "received_at"})
                             for e in store.stored_events(sid)])
        assert store.counts() == fresh.class_counts()
        assert [k for k, _ in store.projection.sessions()] == [k for k, _ in fresh.sessions()]
        for (_k, mine), (_f, theirs) in zip(store.projection.sessions(), fresh.sessions(), strict=True):
            assert mine.snapshot() == theirs.snapshot()
    finally:
        store.close()


def test_a_readers_copy_does_not_change_when_the_session_does(tmp_path):
    """The copy handed out is not the state being folded: a later fold leaves it as it was."""
    st = make_station(tmp_path / "r1", "R1", 120, seed=3)
    events = st.outbox_batch(1000)
    sid = st.station_id
    st.close()
    parsed = [event_from_dict(e) for e in events]
    projection = Projection()
    projection.fold(sid, parsed[:60])
    (_key, before), = projection.sessions()
    frozen = before.snapshot()
    projection.fold(sid, parsed[60:])
    assert before.snapshot() == frozen
    (_key, after), = projection.sessions()
    assert len(after.tickets) > len(before.tickets)
