"""The dashboard: how long after a station's sync a new ticket reaches an open dashboard through its
server-sent-events stream, beside a page that polls the snapshot once a second (the naive peer), both
measured in the same run against a real server on 127.0.0.1; and what one snapshot costs to compute for
a demo day (three rooms, a few hundred tickets).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx  # noqa: E402
from common import median, pct, table  # noqa: E402

from photoqueue.central.dashboard.devserver import running_server  # noqa: E402
from photoqueue.central.dashboard.settings import DashboardSettings  # noqa: E402
from photoqueue.central.dashboard.snapshot import public_snapshot, staff_snapshot  # noqa: E402
from photoqueue.central.settings import CentralSettings  # noqa: E402
from photoqueue.central.store import CentralStore  # noqa: E402
from photoqueue.core.queue import Rules  # noqa: E402
from photoqueue.demo import dashboard_day as demo_day  # noqa: E402
from photoqueue.device.store.events import EventStore, db_path  # noqa: E402
from photoqueue.device.store.session import Session  # noqa: E402
from photoqueue.device.sync.client import SyncClient  # noqa: E402

TICKETS = 25
POLL_S = 1.0
TIMETABLE = Path(__file__).resolve().parents[1].parent / "shared" / "timetables" / "timetable-2021.csv"


class Watcher:
    """Records when each last_number of one room is first seen, through SSE or by polling."""

    def __init__(self, client: httpx.Client, room: str):
        self.client, self.room = client, room
        self.seen: dict[int, float] = {}
        self.stop = False
        self.response: httpx.Response | None = None

    def _note(self, doc: dict) -> None:
        for r in doc["rooms"]:
            if r["room"] == self.room and r.get("last_number"):
                self.seen.setdefault(r["last_number"], time.perf_counter())

    def sse(self) -> None:
        try:
            with self.client.stream("GET", "/dashboard/api/stream", timeout=None) as response:
                self.response = response
                for line in response.iter_lines():
                    if self.stop:
                        return
                    if line.startswith("data: "):
                        self._note(json.loads(line[6:]))
        except (httpx.HTTPError, httpx.StreamError):
            return  # closed at the end of the run

    def poll(self) -> None:
        while not self.stop:
            try:
                self._note(self.client.get("/dashboard/api/snapshot").json())
            except httpx.HTTPError:
                return
            time.sleep(POLL_S)


def wait_for(watcher: Watcher, number: int, timeout: float = 10.0) -> float:
    deadline = time.perf_counter() + timeout
    while number not in watcher.seen:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"ticket {number} never showed")
        time.sleep(0.005)
    return watcher.seen[number]


def logged_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url)
    client.post("/api/v1/login", json={"name": "office", "password": "office-pass"}).raise_for_status()
    return client


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/central.db"
        stations = demo_day.make_day(tmp, db, TIMETABLE)
        room, (data_dir, token) = next(iter(stations.items()))
        with running_server(CentralSettings(db=db)) as url:
            demo_day.sync_all(stations, url)
            sse, poll = Watcher(logged_in(url), room), Watcher(logged_in(url), room)
            threads = [threading.Thread(target=sse.sse, daemon=True), threading.Thread(target=poll.poll, daemon=True)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            store = EventStore(db_path(data_dir))
            session = Session(store, room, dt.date.today().isoformat(), Rules(digest_key=bytes(range(32))))
            client = SyncClient(db_path(data_dir), url, token, room=room)
            sse_ms, poll_ms = [], []
            for i in range(TICKETS):
                session.scan(f"BENCH{i:06d}", dt.datetime.now())
                number = max(session.state.tickets)
                client.sync_once()
                synced = time.perf_counter()
                sse_ms.append((wait_for(sse, number) - synced) * 1000)
                poll_ms.append((wait_for(poll, number) - synced) * 1000)
                time.sleep(0.3 + (i % 5) * 0.13)  # spread over the poll period
            sse.stop = poll.stop = True
            if sse.response is not None:
                sse.response.close()  # hang up before the server stops, so it has no stream to cancel
            for t in threads:
                t.join(5)
            client.stop()
            store.close()

        with CentralStore(db, pool_size=2) as central:
            settings = DashboardSettings()
            tickets = sum(c["issued"] for c in central.counts())
            staff_ms, public_ms = [], []
            for _ in range(30):
                t0 = time.perf_counter()
                staff_snapshot(central, settings, 60.0)
                t1 = time.perf_counter()
                public_snapshot(central, settings, 60.0)
                staff_ms.append((t1 - t0) * 1000)
                public_ms.append((time.perf_counter() - t1) * 1000)

    print(f"## Dashboard: sync to screen ({TICKETS} tickets), and snapshot cost ({len(stations)} rooms, "
          f"{tickets} tickets)\n")
    print(table(["what", "median ms", "p95 ms", "p99 ms"], [
        ["new ticket on the dashboard after the sync: SSE push", median(sse_ms), pct(sse_ms, 95), pct(sse_ms, 99)],
        [f"same, peer: page polling every {POLL_S:g} s", median(poll_ms), pct(poll_ms, 95), pct(poll_ms, 99)],
        ["staff snapshot computed", median(staff_ms), pct(staff_ms, 95), pct(staff_ms, 99)],
        ["public snapshot computed", median(public_ms), pct(public_ms, 95), pct(public_ms, 99)],
    ]))
    print(f"\nSSE vs polling, median: {median(poll_ms) / median(sse_ms):.1f}x sooner "
          f"(goal: on screen within 2000 ms; SSE p99 {pct(sse_ms, 99):.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
