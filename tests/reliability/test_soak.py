"""Load and soak: twice the peak scan rate (26 a minute, peak is about 13) in each of 4 rooms for a
compressed day, every room syncing to a real central service the whole time. The station's memory and
its SQLite WAL file stay bounded, and per-scan latency does not grow over the day (first vs last decile,
reported as a figure: no timing is asserted on this shared machine).

CI: one simulated hour. PHOTOQUEUE_LONG=1: an eight-hour day (about 100,000 events).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import httpx
import pytest
from central_helpers import sort_rows
from rel_helpers import record, size

from photoqueue.central.admin import add_station
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.export import collect
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient

pytestmark = pytest.mark.serial  # measures latency and memory: a core of its own

RATE = 26  # scans a minute per room: twice the peak
ROOMS = ("第一组", "第二组", "A组", "B组")
# a long day's timetable: a class every 20 minutes at this rate (auto-advance moves on at the headcount)
PLAN = tuple({"name": f"班级{i:02d}", "headcount": 520, "start": None, "end": None} for i in range(25))
WAL_BOUND = 16 * 2**20  # bytes: SQLite's auto-checkpoint keeps the WAL near 4 MiB
RSS_GROWTH_BOUND = 150 * 2**20  # bytes over the day, after the first tenth (the day's tickets live in memory)


def rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def test_twice_peak_rate_in_four_rooms_for_a_day_keeps_memory_wal_and_latency_bounded(tmp_path):
    minutes = size(60, 8 * 60)
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", rate_limit_per_s=0)
    with CentralThread(settings) as central:
        sessions, clients = {}, {}
        for room in ROOMS:
            store = EventStore(tmp_path / room / "station.db")
            sessions[room] = Session(store, room, "2024-10-25", Rules(digest_key=bytes(32)))
            sessions[room].handle(cmd.LoadTimetable(PLAN), dt.datetime(2024, 10, 25, 8, 0))
            clients[room] = SyncClient(store.path, central.url, add_station(settings.db, room), room=room,
                                       batch_size=200, interval_s=0.2, timeout_s=10)
            clients[room].start()
        latencies: list[float] = []
        wal_max = central_wal_max = 0
        rss_marks = []
        start = dt.datetime(2024, 10, 25, 8, 0)
        for minute in range(minutes):
            for k in range(RATE):
                now = start + dt.timedelta(minutes=minute, seconds=k * 60 / RATE)
                for i, room in enumerate(ROOMS):
                    session = sessions[room]
                    t0 = time.perf_counter()
                    session.scan(f"SOAK-{i}-{minute:04d}-{k:02d}", now)
                    latencies.append(time.perf_counter() - t0)
                    if session.state.waiting:
                        session.handle(cmd.Advance(), now)  # the photographer keeps up
            for room in ROOMS:
                wal = tmp_path / room / "station.db-wal"
                wal_max = max(wal_max, wal.stat().st_size if wal.exists() else 0)
            cwal = tmp_path / "central.db-wal"
            central_wal_max = max(central_wal_max, cwal.stat().st_size if cwal.exists() else 0)
            if minute % max(1, minutes // 10) == 0:
                rss_marks.append(rss())
        rss_marks.append(rss())
        for client in clients.values():
            client.stop()
            assert client.drain(timeout=120)
        counts = httpx.get(central.url + "/api/v1/counts", timeout=30).json()["classes"]
    expected = []
    for room in ROOMS:
        sessions[room].store.close()
        expected += collect(tmp_path / room, dt.datetime.now())["classes"]  # split as the API splits
    assert sort_rows(counts) == sort_rows(expected)

    scans = len(latencies)
    decile = scans // 10
    first = statistics.median(latencies[:decile]) * 1000
    last = statistics.median(latencies[-decile:]) * 1000
    p99 = sorted(latencies)[int(scans * 0.99)] * 1000
    growth = rss_marks[-1] - rss_marks[1] if len(rss_marks) > 2 else 0
    assert wal_max <= WAL_BOUND, f"station WAL grew to {wal_max} bytes"
    assert central_wal_max <= 4 * WAL_BOUND, f"central WAL grew to {central_wal_max} bytes"
    assert growth <= RSS_GROWTH_BOUND, f"RSS grew by {growth} bytes"
    events = sum(len(collect(tmp_path / r)["tickets"]) for r in ROOMS)
    record(f"soak: {len(ROOMS)} rooms x {RATE}/min for {minutes} simulated min", tried=scans, survived=events,
           lost=scans - events, scan_ms_first_decile=round(first, 2), scan_ms_last_decile=round(last, 2),
           last_over_first=round(last / first, 2), scan_ms_p99=round(p99, 2),
           station_wal_max_kib=wal_max // 1024, central_wal_max_kib=central_wal_max // 1024,
           rss_growth_mib=round(growth / 2**20, 1), rss_end_mib=round(rss_marks[-1] / 2**20, 1),
           cpus=os.cpu_count())
