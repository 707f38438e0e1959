"""The centre under failure, on SQLite and PostgreSQL: a server process killed (SIGKILL) mid-ingest
loses no acknowledged event, and ten stations syncing through a proxy that drops, delays and
duplicates connections end with the centre's counts equal to each station's own export."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from central_helpers import ChaosProxy, extend_station, make_station, sort_rows

from photoqueue.central.admin import add_station
from photoqueue.central.process import CentralProcess, free_port
from photoqueue.central.store import CentralStore
from photoqueue.device.store.export import collect
from photoqueue.device.sync.client import SyncClient

NO_LIMIT = {"rate_limit_per_s": "0"}


def stored_matches_station(db_url: str, station) -> int:
    """The centre holds a gapless prefix of the station's events, each exactly as the station wrote it."""
    with CentralStore(db_url) as store:
        stored = store.stored_events(station.station_id)
    own = {e.seq: e.public_dict() for e in station.events()}
    assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
    for e in stored:
        e.pop("received_at")
        assert e == own[e["seq"]]
    return len(stored)


@pytest.mark.serial  # restarts the centre on the port it had
def test_a_server_killed_mid_ingest_loses_no_acknowledged_event(db_url, tmp_path):
    station = make_station(tmp_path / "r1", "R1", 2500, seed=21)
    token = add_station(db_url, "R1")
    port = free_port()
    client = SyncClient(station.path, f"http://127.0.0.1:{port}", token, room="R1", batch_size=40, timeout_s=5)
    rng = random.Random(5)
    acknowledged = 0
    for _ in range(4):
        central = CentralProcess(db_url, port=port, settings=NO_LIMIT).start()
        results = []
        stop = threading.Event()

        def pump(stop=stop, results=results):
            while not stop.is_set():
                results.append(client.sync_once())

        pump_thread = threading.Thread(target=pump)
        pump_thread.start()
        deadline = time.monotonic() + 10
        while not any(r.ok for r in results) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.02, 0.25))
        central.kill()  # SIGKILL while batches are in flight
        stop.set()
        pump_thread.join()
        acknowledged = max([acknowledged] + [r.high_water for r in results if r.ok])
        held = stored_matches_station(db_url, station)
        assert held >= acknowledged > 0
    with CentralProcess(db_url, port=port, settings=NO_LIMIT):
        assert client.drain(timeout=60)
    client.stop()
    assert stored_matches_station(db_url, station) == station.last_seq()
    with CentralStore(db_url) as store:
        assert sort_rows(store.counts()) == sort_rows(collect(tmp_path / "r1")["classes"])
    station.close()


def test_ten_stations_through_a_faulty_network_end_with_exact_counts(db_url, tmp_path):
    rooms = [f"R{i:02d}" for i in range(10)]
    stations = {}

    def build(i, room):
        stations[room] = make_station(tmp_path / room, room, 1000, seed=100 + i)

    threads = [threading.Thread(target=build, args=(i, r)) for i, r in enumerate(rooms)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tokens = {room: add_station(db_url, room) for room in rooms}
    with CentralProcess(db_url, settings=NO_LIMIT) as central:
        proxy = ChaosProxy(("127.0.0.1", central.port), seed=3)
        clients = {room: SyncClient(stations[room].path, proxy.url, tokens[room], room=room, batch_size=150,
                                    interval_s=0.05, timeout_s=3, backoff_initial_s=0.02, backoff_max_s=0.3)
                   for room in rooms}
        drained = {}

        def day(i, room):
            # half the day offline (the outbox piles up), then sync while the room keeps working
            clients[room].start()
            extend_station(stations[room], room, 1000, rng=random.Random(200 + i))
            clients[room].stop()
            drained[room] = clients[room].drain(timeout=90)

        threads = [threading.Thread(target=day, args=(i, r)) for i, r in enumerate(rooms)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        proxy.close()
        assert all(drained.values()), drained
        assert proxy.stats["drop"] and proxy.stats["lose_answer"] and proxy.stats["duplicate"], proxy.stats
        import httpx

        counts = httpx.get(central.url + "/api/v1/counts", timeout=30).json()["classes"]
    expected = []
    for room in rooms:
        assert stations[room].last_seq() >= 2000
        assert stations[room].outbox_size() == 0
        assert stored_matches_station(db_url, stations[room]) == stations[room].last_seq()
        expected += collect(tmp_path / room, dt.datetime.now())["classes"]  # split as the API splits
        stations[room].close()
    assert sort_rows(counts) == sort_rows(expected)
