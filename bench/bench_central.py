"""The central store's ingest: events per second through the real HTTP API into SQLite and into
PostgreSQL, with 1, 10 and 100 stations posting at once (batches of 500, as the sync client sends
them), and the p50/p99 latency of one sync request; beside a naive client that posts one event per
request, measured in the same run.

Goal: at least 5,000 events/s on each store. Then GET /api/v1/counts on the full store (the
projection kept folded) against folding every stored event again per request. PostgreSQL is read from PHOTOQUEUE_TEST_PG
(default postgresql://postgres@127.0.0.1:5432/test); its row is left out when it is unreachable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median, pct, table  # noqa: E402

from photoqueue.central import accounts  # noqa: E402
from photoqueue.central.process import CentralProcess  # noqa: E402
from photoqueue.central.store import CentralStore  # noqa: E402
from photoqueue.core import commands as cmd  # noqa: E402
from photoqueue.core.queue import step  # noqa: E402
from photoqueue.core.state import Rules, SessionState

PG_URL = os.environ.get("PHOTOQUEUE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BATCH = 500
SCENARIOS = ((1, 20_000), (10, 2_000), (100, 300))  # (stations, events each)
NAIVE_EVENTS = 1_500
RULES = Rules(digest_key=b"b" * 32)
PLAN = tuple({"name": f"班级{i}", "headcount": 60, "start": None, "end": None} for i in range(40))


def template_events(n: int) -> list[dict]:
    """A plausible day's public events (timetable, scans, presses), made by the queue core itself."""
    state = SessionState(room="X", date="2024-06-20")
    now = dt.datetime(2024, 6, 20, 8, 0)
    out = []
    _, events, _ = step(state, cmd.LoadTimetable(PLAN), now, RULES)
    out += events
    i = 0
    while len(out) < n:
        i += 1
        _, events, _ = step(state, cmd.Scan(f"STUDENT-{i:07d}"), now, RULES)
        out += events
        if i % 2 == 0:
            _, events, _ = step(state, cmd.Advance(), now, RULES)
            out += events
    return [e.public_dict() for e in out[:n]]


def for_room(template: list[dict], room: str) -> list[dict]:
    """The template as another room's stream, with students of its own (no cross-room duplicates)."""
    out = []
    for e in template:
        e = dict(e, room=room)
        if "code_digest" in e:
            e["code_digest"] = hashlib.sha256((room + e["code_digest"]).encode()).hexdigest()
        out.append(e)
    return out


def run_stations(url: str, tokens: list[str], streams: list[list[dict]], batch: int) -> tuple[float, list[float]]:
    """Every station posts its stream in batches at once; returns (events/s, request latencies in ms)."""
    import httpx

    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    start = threading.Barrier(len(tokens) + 1)

    # the requests are made before the clock starts: this measures the centre, not the client's JSON
    bodies = [[json.dumps({"station_id": events[0]["room"], "events": events[k:k + batch]}).encode()
               for k in range(0, len(events), batch)] for events in streams]

    def station(i: int) -> None:
        mine = []
        with httpx.Client(base_url=url, timeout=120, headers={"authorization": f"Bearer {tokens[i]}",
                                                              "content-type": "application/json"}) as client:
            start.wait()
            for body in bodies[i]:
                t0 = time.perf_counter()
                r = client.post("/api/v1/events", content=body)
                mine.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:200]}")
                    return
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=station, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"ingest failed: {errors[0]}")
    return sum(len(s) for s in streams) / elapsed, latencies


def bench_counts(url: str, db_url: str, label: str) -> list:
    """GET /api/v1/counts on the full store (the projection, kept folded) against a naive centre that
    folds every stored event again for each request (a fresh CentralStore)."""
    import httpx

    with httpx.Client(base_url=url, timeout=60) as client:
        client.get("/api/v1/counts")
        served = []
        for _ in range(30):
            t0 = time.perf_counter()
            client.get("/api/v1/counts").raise_for_status()
            served.append((time.perf_counter() - t0) * 1000)
    naive = []
    for _ in range(3):
        t0 = time.perf_counter()
        with CentralStore(db_url) as fresh:
            fresh.counts()
        naive.append((time.perf_counter() - t0) * 1000)
    return [label, median(served), pct(served, 99), median(naive), median(naive) / median(served)]


def bench_store(label: str, db_url: str, template: dict[int, list[dict]]) -> tuple[list[list], list]:
    rows = []
    with CentralStore(db_url) as store:
        tokens = {n: [accounts.add_station(store.db, f"{label}-{n}-{i}")[1] for i in range(n)]
                  for n, _ in SCENARIOS}
        naive_token = accounts.add_station(store.db, f"{label}-naive")[1]
    with CentralProcess(db_url, settings={"rate_limit_per_s": "0", "pool_size": "16"}) as central:
        naive_rate, naive_lat = run_stations(central.url, [naive_token],
                                             [for_room(template[NAIVE_EVENTS], f"{label}-naive")], 1)
        for n, each in SCENARIOS:
            streams = [for_room(template[each], f"{label}-{n}-{i}") for i in range(n)]
            rate, lat = run_stations(central.url, tokens[n], streams, BATCH)
            rows.append([label, n, f"batches of {BATCH}", rate, median(lat), pct(lat, 99), rate / naive_rate,
                         "yes" if rate >= 5000 else "NO"])
        rows.append([label, 1, "naive: 1 event a request", naive_rate, median(naive_lat), pct(naive_lat, 99), 1.0,
                     "yes" if naive_rate >= 5000 else "NO"])
        counts_row = bench_counts(central.url, db_url, label)
    with CentralStore(db_url) as store:
        expected = sum(n * each for n, each in SCENARIOS) + NAIVE_EVENTS
        held = store.event_count()
        if held != expected:
            raise SystemExit(f"{label}: the store holds {held} events, expected {expected}")
    return rows, counts_row


def pg_schema() -> str | None:
    try:
        import psycopg

        schema = f"pq_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return schema
    except Exception as exc:  # a machine without PostgreSQL still benchmarks SQLite
        print(f"(PostgreSQL at {PG_URL} unreachable: {exc}; its rows are left out)", file=sys.stderr)
        return None


def main() -> int:
    sizes = {each for _, each in SCENARIOS} | {NAIVE_EVENTS}
    big = template_events(max(sizes))
    template = {n: big[:n] for n in sizes}
    rows, counts = [], []
    with tempfile.TemporaryDirectory() as tmp:
        ingest, count = bench_store("sqlite", f"sqlite:///{tmp}/central.db", template)
        rows += ingest
        counts.append(count)
    schema = pg_schema()
    if schema:
        import psycopg

        sep = "&" if "?" in PG_URL else "?"
        try:
            ingest, count = bench_store("postgresql", f"{PG_URL}{sep}options=-csearch_path%3D{schema}", template)
            rows += ingest
            counts.append(count)
        finally:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    print(table(["store", "stations", "client", "events/s", "p50 ms/request", "p99 ms/request",
                 "x naive", ">= 5,000/s"], rows))
    total = sum(n * each for n, each in SCENARIOS) + NAIVE_EVENTS
    print(f"\nGET /api/v1/counts with {total:,} events stored (ms)\n")
    print(table(["store", "p50 served", "p99 served", "naive: fold all per request", "x faster"], counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
