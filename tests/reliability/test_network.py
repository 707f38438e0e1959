"""The network between the stations and the centre, on SQLite and PostgreSQL.

Four rooms work offline for two simulated hours (the sync client's own backoff, on an injected clock),
then come back through a chain of proxies that lose requests, lose answers after the centre committed,
duplicate requests, and replay old requests after newer ones (reordering), while the centre is SIGKILLed
and restarted mid-sync. In the end the centre holds each station's events exactly once, in order, and
its counts equal the stations' own exports.

A Pi whose clock is a year back (then a day ahead) changes no order or count at the centre, which
stamps each event with its own receive time.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import httpx
import pytest
from central_helpers import PLAN, ChaosProxy, _exchange, _read_message, extend_station, sort_rows
from rel_helpers import record, size

from photoqueue.central.admin import add_station
from photoqueue.central.process import CentralProcess, CentralThread, free_port
from photoqueue.central.settings import CentralSettings
from photoqueue.central.store import CentralStore
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.export import collect
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient, backoff_delay

NO_LIMIT = {"rate_limit_per_s": "0"}
KEY = bytes(range(32))


class ReorderProxy(ChaosProxy):
    """Passes HTTP requests through, keeps a copy of some and sends those to the centre again later,
    after newer ones: a stale, out-of-order duplicate of an old batch. (The chaos proxy's listener,
    with a serving loop of its own.)"""

    def __init__(self, upstream: tuple[str, int], *, seed: int, keep: float = 0.15, replay: float = 0.2):
        self.keep, self.replay = keep, replay
        self.kept: list[bytes] = []
        super().__init__(upstream, seed=seed)
        self.stats = {"requests": 0, "replayed": 0}

    def _serve(self, client) -> None:
        with client:
            reader = client.makefile("rb")
            while (request := _read_message(reader)) is not None:
                with self._lock:
                    self.stats["requests"] += 1
                    if self.rng.random() < self.keep:
                        self.kept.append(request)
                    old = self.kept.pop(0) if self.kept and self.rng.random() < self.replay else None
                if old is not None and _exchange(self.upstream, old) is not None:
                    with self._lock:
                        self.stats["replayed"] += 1
                answer = _exchange(self.upstream, request)
                if answer is None:
                    return
                try:
                    client.sendall(answer)
                except OSError:
                    return


def held_exactly_once(db_url: str, store: EventStore) -> int:
    """The centre holds a gapless prefix of the station's events, each exactly as the station wrote it."""
    with CentralStore(db_url) as central:
        stored = central.stored_events(store.station_id)
    own = {e.seq: e.public_dict() for e in store.events()}
    assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1)), "no gap, no duplicate"
    for e in stored:
        e.pop("received_at")
        assert e == own[e["seq"]]
    return len(stored)


@pytest.mark.serial  # restarts the centre on the port it had
def test_offline_two_hours_then_a_faulty_network_and_a_restarting_centre(central_db, tmp_path):  # noqa: PLR0915 - one day told in order
    rooms = [f"R{i}" for i in range(4)]
    per_minute = size(1, 13)  # events a simulated minute per room while offline
    stores = {room: EventStore(tmp_path / room / "station.db") for room in rooms}
    tokens = {room: add_station(central_db, room) for room in rooms}
    port = free_port()
    chaos = ChaosProxy(("127.0.0.1", port), seed=11)
    reorder = ReorderProxy(("127.0.0.1", chaos.port), seed=12)
    sim = {"t": 0.0}
    clients = {room: SyncClient(stores[room].path, reorder.url, tokens[room], room=room, batch_size=80,
                                interval_s=0.05, timeout_s=3, backoff_initial_s=1.0, backoff_max_s=60.0,
                                clock=lambda: sim["t"]) for room in rooms}

    # 1. Two simulated hours without the centre: the client backs off as its loop would, the room works on.
    rng = random.Random(7)
    attempts = {room: 0 for room in rooms}
    for i, room in enumerate(rooms):
        sim["t"], attempt, owed = 0.0, 0, 0.0
        while sim["t"] < 2 * 3600:
            result = clients[room].sync_once()
            assert not result.ok
            attempt += 1
            delay = backoff_delay(attempt, clients[room].backoff_initial_s, clients[room].backoff_max_s, rng.random)
            assert delay <= 60.0
            owed += delay / 60 * per_minute
            if int(owed):
                extend_station(stores[room], room, int(owed), rng=random.Random(1000 * i + attempt))
                owed -= int(owed)
            sim["t"] += delay
        attempts[room] = attempt
        status = clients[room].status()
        assert status["last_error"] and status["offline_since"] is not None
        assert stores[room].outbox_size() == stores[room].last_seq() > 0, "nothing was dropped while offline"
    offline_events = sum(s.last_seq() for s in stores.values())

    # 2. Back online through the faulty chain; the centre is killed and restarted mid-sync.
    central = CentralProcess(central_db, port=port, settings=NO_LIMIT).start()
    for client in clients.values():
        client.clock = time.time
        client.backoff_initial_s, client.backoff_max_s = 0.02, 0.3
        client.start()
    working = [threading.Thread(target=extend_station, args=(stores[room], room, size(80, 600)),
                                kwargs={"rng": random.Random(50 + i)}) for i, room in enumerate(rooms)]
    for t in working:
        t.start()
    restarts = size(2, 8)
    for _ in range(restarts):
        time.sleep(rng.uniform(0.3, 1.2))
        central.kill()
        time.sleep(rng.uniform(0.05, 0.5))
        central = CentralProcess(central_db, port=port, settings=NO_LIMIT).start()
    for t in working:
        t.join()
    drained = {}
    for room, client in clients.items():
        client.stop()
        drained[room] = client.drain(timeout=120)
    counts = httpx.get(central.url + "/api/v1/counts", timeout=30).json()["classes"]
    central.stop()
    chaos.close()
    reorder.close()

    assert all(drained.values()), drained
    assert chaos.stats["drop"] and chaos.stats["lose_answer"] and chaos.stats["duplicate"], chaos.stats
    assert reorder.stats["replayed"], reorder.stats
    expected, held, total = [], 0, 0
    for room in rooms:
        total += stores[room].last_seq()
        held += held_exactly_once(central_db, stores[room])
        assert stores[room].outbox_size() == 0
        expected += collect(tmp_path / room, dt.datetime.now())["classes"]  # split as the API splits
        stores[room].close()
    assert held == total
    assert sort_rows(counts) == sort_rows(expected)
    backend = central_db.split(":")[0]
    record(f"offline 2 simulated hours, 4 rooms ({backend})", tried=offline_events, survived=offline_events, lost=0,
           failed_attempts_while_offline=sum(attempts.values()))
    record(f"faulty network + centre SIGKILLed mid-sync ({backend})", tried=total, survived=held, lost=total - held,
           centre_restarts=restarts, requests_dropped=chaos.stats["drop"], answers_lost=chaos.stats["lose_answer"],
           duplicated=chaos.stats["duplicate"], replayed_out_of_order=reorder.stats["replayed"])


def day_script(session: Session, clock, n: int, seed: int) -> None:
    """The same day for any clock: scans, presses, an undo, a skip and a recall, class switches."""
    rng = random.Random(seed)
    session.handle(cmd.LoadTimetable(PLAN), clock(0))
    for i in range(n):
        r = rng.random()
        if r < 0.5 or not session.state.tickets:
            command = cmd.Scan(f"CLOCK-{seed}-{i:05d}")
        elif r < 0.85:
            command = cmd.Advance()
        elif r < 0.9:
            command = cmd.Undo()
        elif r < 0.94:
            command = cmd.Skip()
        elif r < 0.97 and any(t.status == "skipped" for t in session.state.tickets.values()):
            command = cmd.Recall(max(n for n, t in session.state.tickets.items() if t.status == "skipped"))
        else:
            command = cmd.SwitchClass(None)
        session.handle(command, clock(i + 1))


def test_a_pi_clock_a_year_back_changes_no_order_or_count_at_the_centre(tmp_path):
    start = dt.datetime(2024, 6, 20, 9, 0)
    n = size(300, 2000)

    def steady(i):
        return start + dt.timedelta(seconds=7 * i)

    def jumpy(i):
        if n // 3 <= i < 2 * n // 3:
            return steady(i) - dt.timedelta(days=365)  # booted without network time
        return steady(i) + (dt.timedelta(days=1) if i >= 2 * n // 3 else dt.timedelta(0))

    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=5)
    with CentralThread(settings) as central:
        stores = {}
        for room, clock in (("STEADY", steady), ("JUMPY", jumpy)):
            stores[room] = EventStore(tmp_path / room / "station.db")
            day_script(Session(stores[room], room, "2024-06-20", Rules(digest_key=KEY)), clock, n, seed=3)
            token = add_station(settings.db, room)
            client = SyncClient(stores[room].path, central.url, token, room=room, batch_size=100)
            assert client.drain(timeout=60)
            client.stop()
        counts = httpx.get(central.url + "/api/v1/counts").json()["classes"]
        rooms = {r["room"]: r for r in httpx.get(central.url + "/api/v1/rooms").json()["rooms"]}
        stored = {room: central.store.stored_events(stores[room].station_id) for room in stores}
    by_room = {room: sorted((c["class"], c["expected"], c["issued"], c["photographed"], c["skipped"], c["voided"])
                            for c in counts if c["room"] == room) for room in stores}
    assert by_room["STEADY"] == by_room["JUMPY"] and by_room["STEADY"]
    shape = {room: [(e["seq"], e["type"], e.get("number")) for e in stored[room]] for room in stores}
    assert shape["STEADY"] == shape["JUMPY"]
    for key in ("now_serving", "waiting", "active_class", "high_water"):
        assert rooms["STEADY"][key] == rooms["JUMPY"][key], key
    # the centre's own receive time, not the Pi's: nothing a year back
    received = [dt.datetime.fromisoformat(str(e["received_at"]).replace("Z", "")).replace(tzinfo=None)
                for e in stored["JUMPY"]]
    assert min(received) >= before
    for store in stores.values():
        store.close()
    record("Pi clock a year back, then a day ahead, through sync", tried=n, survived=n, lost=0)
