"""A crowd of phones on /status: N concurrent /status/stream clients (200, 1,000, 2,000, 5,000) while three
stations sync and a staff member reloads the dashboard's snapshot, against a real central server process on
127.0.0.1; the broadcast design (``/status/stream``) beside the old per-client polling design (each stream
recomputing through the threadpool every 0.5 s, mounted here as ``/old/status/stream``), measured in the
same run. Reported: streams accepted, staff snapshot p50/p95, sync round p50/p95, server RSS and open files.

Goal (issue 14): 5,000 streams held with staff p95 < 300 ms and sync p95 < 500 ms. Issue 24: the page's
stream (``/status/live``: a version, then patches of only what changed) against whole snapshots on every
change (``/status/stream``) with the centre holding a full event's timetable (20 rooms x 2 days x 25
classes); reported besides: bytes per phone per change and MB/s to all phones (goal: <= 2 KB, < 10 MB/s).

    python bench/bench_status_crowd.py            # the whole table (about 4 minutes)
    python bench/bench_status_crowd.py --quick    # 200 and 1,000 only
    python bench/bench_status_crowd.py --old      # and the per-client polling design of before issue 14
    python bench/bench_status_crowd.py --slowloris 19000   # half-sent requests held; healthz, sync, status.json
"""

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pct, table  # noqa: E402

CROWDS = (200, 1000, 2000, 5000)
MEASURE_S = 5.0
CONNECT_DEADLINE_S = 40.0
ROOMS = ("A组", "B组", "C组")
STAFF, PASSWORD = "office", "office-password"
PLAN = tuple({"name": f"班级{i}", "headcount": 60, "start": None, "end": None} for i in range(4))


# --- the server (a child process) --------------------------------------------------------------------------


def old_router():
    """The per-client polling design as it was before issue 14: every stream asks the snapshot cache every
    0.5 s through the threadpool. (No ``from __future__ import annotations`` in this file: FastAPI must see
    the real ``Request`` class of this local route.)"""
    from fastapi import APIRouter, Request
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import StreamingResponse

    from photoqueue.central.dashboard.settings import DashboardSettings
    from photoqueue.central.dashboard.snapshot import SnapshotCache, public_snapshot

    router = APIRouter()
    cache = SnapshotCache(0.4)

    def produce(request: Request) -> str:
        store = request.app.state.store
        return cache.get("public", lambda: public_snapshot(store, DashboardSettings(), 60.0))

    async def events(request: Request):
        last, last_sent = None, time.monotonic()
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            text = await run_in_threadpool(produce, request)
            if text != last:
                last, last_sent = text, time.monotonic()
                yield f"event: snapshot\ndata: {text}\n\n"
            elif time.monotonic() - last_sent >= 15:
                last_sent = time.monotonic()
                yield ": keep-alive\n\n"
            await asyncio.sleep(0.5)

    @router.get("/old/status/stream")
    def old_stream(request: Request) -> StreamingResponse:
        return StreamingResponse(events(request), media_type="text/event-stream")

    return router


def serve(db: str, port: int) -> None:
    import logging

    import uvicorn

    from photoqueue.central.app import create_app
    from photoqueue.central.server import raise_open_files_limit
    from photoqueue.central.settings import CentralSettings

    logging.basicConfig(level=logging.ERROR)
    raise_open_files_limit()
    settings = CentralSettings(db=db, port=port, rate_limit_per_s=0, status_max_streams=6000,
                               status_streams_per_client=6000)
    app = create_app(settings, routers=[old_router()])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="critical", access_log=False, proxy_headers=False,
                backlog=8192, timeout_graceful_shutdown=1)


# --- the crowd (a child process) ---------------------------------------------------------------------------


async def crowd(n: int, port: int, path: str) -> None:
    from photoqueue.central.server import raise_open_files_limit

    raise_open_files_limit()
    counts = {"accepted": 0, "refused": 0, "failed": 0}
    traffic = {"bytes": 0, "events": 0}  # what the phones received since the bench said "mark"
    gate = asyncio.Semaphore(200)  # handshakes in flight at once
    writers = []

    async def one() -> None:
        try:
            async with gate:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 20)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
            writers.append(writer)
            if head.split(b" ", 2)[1] != b"200":
                counts["refused"] += 1
                return
            counts["accepted"] += 1
            while chunk := await reader.read(65536):  # a phone reads what is pushed
                traffic["bytes"] += len(chunk)
                traffic["events"] += chunk.count(b"data: ")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, IndexError):
            counts["failed"] += 1

    start = time.perf_counter()
    tasks = [asyncio.create_task(one()) for _ in range(n)]
    while counts["accepted"] + counts["refused"] + counts["failed"] < n:
        if time.perf_counter() - start > CONNECT_DEADLINE_S:
            break
        await asyncio.sleep(0.1)
    print(json.dumps({**counts, "connect_s": round(time.perf_counter() - start, 1)}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "mark": the measurement starts
    traffic.update(bytes=0, events=0)
    await loop.run_in_executor(None, sys.stdin.readline)  # hold until the bench says
    print(json.dumps(traffic), flush=True)
    for w in writers:
        w.close()
    for t in tasks:
        t.cancel()


# --- the bench ---------------------------------------------------------------------------------------------


def make_stations(tmp: Path, db: str) -> dict[str, tuple[Path, str]]:
    from photoqueue.central import admin

    admin.add_user(db, STAFF, PASSWORD)
    day_timetable(db)
    return {room: (tmp / f"station-{i}", admin.add_station(db, room)) for i, room in enumerate(ROOMS)}


def day_timetable(db: str, rooms: int = 20, classes: int = 25) -> None:
    """The centre's timetable of a full event (20 rooms x 2 days x 25 classes), so the public snapshot is
    the size it was on the held-out day (about 100 KB), not a toy's."""
    from photoqueue.central.store import CentralStore
    from photoqueue.timetable import Timetable

    today = dt.date.today()
    slots = []
    for d in range(2):
        for r in range(rooms):
            for c in range(classes):
                start = dt.datetime.combine(today, dt.time(8)) + dt.timedelta(minutes=18 * c)
                slots.append({"date": (today + dt.timedelta(days=d)).isoformat(), "room": f"第{r + 1}组",
                              "class": f"2021级某某专业{r + 1}-{c + 1}班", "headcount": 40,
                              "start": start.time().isoformat(timespec="minutes"),
                              "end": (start + dt.timedelta(minutes=18)).time().isoformat(timespec="minutes"),
                              "location": f"教学楼{r + 1}01"})
    with CentralStore(db, pool_size=1) as store:
        store.set_timetable(Timetable.from_dicts(slots, source="bench"))


class Station(threading.Thread):
    """A room that scans and photographs a student each round and syncs, timing each sync round."""

    def __init__(self, room: str, data_dir: Path, token: str, url: str):
        super().__init__(daemon=True)
        from photoqueue.core import commands as cmd
        from photoqueue.core.state import Rules
        from photoqueue.device.store.events import EventStore, db_path
        from photoqueue.device.store.session import Session
        from photoqueue.device.sync.client import SyncClient

        self.cmd = cmd
        self.store = EventStore(db_path(data_dir))
        self.session = Session(self.store, room, dt.date.today().isoformat(), Rules(digest_key=bytes(range(32))))
        if not self.session.state.plan:
            self.session.handle(cmd.LoadTimetable(PLAN), dt.datetime.now())
        self.client = SyncClient(db_path(data_dir), url, token, room=room)
        self.client.sync_once()
        self.room, self.rounds_ms, self.errors, self.stop = room, [], 0, threading.Event()
        self.n = len(self.session.state.tickets)
        self.clock = dt.datetime.now()

    def run(self) -> None:
        while not self.stop.is_set():
            self.n += 1
            self.clock += dt.timedelta(seconds=9)  # a student every 9 s of the room's day
            self.session.handle(self.cmd.Scan(f"{self.room}-crowd-{self.n:06d}"), self.clock)
            self.session.handle(self.cmd.Advance(), self.clock + dt.timedelta(seconds=4))
            t = time.perf_counter()
            result = self.client.sync_once()
            self.rounds_ms.append((time.perf_counter() - t) * 1000)
            self.errors += 0 if result.ok else 1
            self.stop.wait(0.3)

    def close(self) -> None:
        self.client.stop()
        self.store.close()


class Staff(threading.Thread):
    """A staff member reloading the dashboard's snapshot, with a login made before the crowd came."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client = client
        self.ms, self.errors, self.stop = [], 0, threading.Event()

    def run(self) -> None:
        import httpx

        while not self.stop.is_set():
            t = time.perf_counter()
            try:
                ok = self.client.get("/dashboard/api/snapshot").status_code == 200
            except httpx.HTTPError:
                ok = False
            self.ms.append((time.perf_counter() - t) * 1000)
            self.errors += 0 if ok else 1
            self.stop.wait(0.2)


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used: what the crowd costs, whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_stats(pid: int) -> tuple[float, int]:
    """RSS (MiB) and open files of the server process."""
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def measure(url: str, port: int, pid: int, stations: dict, path: str, n: int, staff_client) -> dict:
    """Hold ``n`` streams (all connected first: the goal is about a crowd being held), then run the stations
    and the staff member for MEASURE_S and time them."""
    here = str(Path(__file__).resolve())
    workers = [Station(room, d, token, url) for room, (d, token) in stations.items()]
    staff = Staff(staff_client)
    crowd_proc = subprocess.Popen([sys.executable, here, "--crowd", str(n), "--port", str(port), "--path", path],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        got = json.loads(crowd_proc.stdout.readline() or "{}")
        crowd_proc.stdin.write("mark\n")
        crowd_proc.stdin.flush()
        cpu0 = cpu_s(pid)
        for w in [*workers, staff]:
            w.start()
        time.sleep(MEASURE_S)
        rss, files = proc_stats(pid)
        cpu = (cpu_s(pid) - cpu0) / MEASURE_S * 100
        for w in [*workers, staff]:
            w.stop.set()
        for w in [*workers, staff]:
            w.join(15)
        sync_ms = [m for w in workers for m in w.rounds_ms]
        for w in workers:
            w.close()
        crowd_proc.stdin.write("stop\n")
        crowd_proc.stdin.flush()
        traffic = json.loads(crowd_proc.stdout.readline() or "{}")
    finally:
        crowd_proc.stdin.close()
        try:
            crowd_proc.wait(30)
        except subprocess.TimeoutExpired:
            crowd_proc.kill()
    return {"accepted": got.get("accepted", 0), "refused": got.get("refused", 0) + got.get("failed", 0),
            "staff": staff.ms, "staff_errors": staff.errors, "sync": sync_ms,
            "sync_errors": sum(w.errors for w in workers), "rss": rss, "files": files,
            "connect_s": got.get("connect_s", float("nan")), "cpu": cpu,
            "bytes": traffic.get("bytes", 0), "events": traffic.get("events", 0)}


def run_design(design: str, path: str, crowds: tuple[int, ...]) -> list[list]:
    from photoqueue.central.process import free_port, wait_ready

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/central.db"
        stations = make_stations(Path(tmp), db)
        port = free_port()
        here = str(Path(__file__).resolve())
        server = subprocess.Popen([sys.executable, here, "--serve", "--db", db, "--port", str(port)])
        url = f"http://127.0.0.1:{port}"
        try:
            import httpx

            wait_ready(url, 60, alive=lambda: server.poll() is None)
            staff = httpx.Client(base_url=url, timeout=10)
            staff.post("/api/v1/login", json={"name": STAFF, "password": PASSWORD}).raise_for_status()
            for n in crowds:
                r = measure(url, port, server.pid, stations, path, n, staff)
                per_event = r["bytes"] / max(r["events"], 1)  # bytes a phone got per change pushed to it
                rows.append([design, n, r["accepted"], r["refused"], pct(r["staff"], 50), pct(r["staff"], 95),
                             r["staff_errors"], pct(r["sync"], 50), pct(r["sync"], 95), r["sync_errors"],
                             round(r["rss"]), r["files"], round(r["cpu"]), r["connect_s"], round(per_event),
                             round(r["bytes"] / MEASURE_S / 1e6, 2)])
                print(f"  {design} {n}: {rows[-1][2:]}", file=sys.stderr, flush=True)
                time.sleep(1.0)  # the last crowd's sockets close
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
    return rows


def slowloris(n: int) -> int:
    """``n`` half-sent requests (`GET /status HTTP/1.1`, a header never ended) from 100 addresses against a
    real `photoqueue central serve` (its open-files limit raised to the hard limit, as under the unit's
    LimitNOFILE), and meanwhile /healthz, a station's sync and /status.json, each timed."""
    import socket

    import httpx

    from photoqueue.central import admin
    from photoqueue.central.process import CentralProcess
    from photoqueue.central.server import raise_open_files_limit

    soft, _ = raise_open_files_limit()
    n = min(n, soft - 200)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/central.db"
        token = admin.add_station(db, "A组")
        with CentralProcess(db, settings={"header_timeout_s": "120"}, log_path=f"{tmp}/central.log") as central:
            station = Station("A组", Path(tmp) / "st", token, central.url)
            socks, held_at = [], time.perf_counter()
            for i in range(n):
                s = socket.socket()
                s.bind((f"127.1.{i // 100 % 250}.{i % 100 + 2}", 0))
                s.settimeout(10)
                try:
                    s.connect(("127.0.0.1", central.port))
                    s.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\nX-a: ")
                except OSError:
                    pass
                socks.append(s)
            held_s = time.perf_counter() - held_at
            timings: dict[str, list[float]] = {"healthz": [], "sync": [], "status.json": []}
            with httpx.Client(base_url=central.url, timeout=30) as client:
                for _ in range(20):
                    for name, call in (("healthz", lambda: client.get("/healthz")),
                                       ("status.json", lambda: client.get("/status.json"))):
                        t = time.perf_counter()
                        ok = call().status_code == 200
                        timings[name].append((time.perf_counter() - t) * 1000 if ok else float("inf"))
                    station.n += 1
                    station.session.handle(station.cmd.Scan(f"A组-loris-{station.n:06d}"), dt.datetime.now())
                    t = time.perf_counter()
                    ok = station.client.sync_once().ok
                    timings["sync"].append((time.perf_counter() - t) * 1000 if ok else float("inf"))
            open_now = sum(1 for s in socks if _still_open(s))
            for s in socks:
                s.close()
            log = Path(f"{tmp}/central.log").read_text(errors="replace")
            station.close()
    print(table(["half-sent requests sent", "still held by the server", "healthz p50/p95 ms", "sync p50/p95 ms",
                 "status.json p50/p95 ms", "cap log lines", "sent in s"],
                [[n, open_now, f"{pct(timings['healthz'], 50):.0f} / {pct(timings['healthz'], 95):.0f}",
                  f"{pct(timings['sync'], 50):.0f} / {pct(timings['sync'], 95):.0f}",
                  f"{pct(timings['status.json'], 50):.0f} / {pct(timings['status.json'], 95):.0f}",
                  log.count("connection(s):"), round(held_s, 1)]]))
    return 0


def _still_open(sock) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def main(argv: list[str]) -> int:
    if "--slowloris" in argv:
        return slowloris(int(argv[argv.index("--slowloris") + 1]))
    if "--serve" in argv:
        serve(argv[argv.index("--db") + 1], int(argv[argv.index("--port") + 1]))
        return 0
    if "--crowd" in argv:
        asyncio.run(crowd(int(argv[argv.index("--crowd") + 1]), int(argv[argv.index("--port") + 1]),
                          argv[argv.index("--path") + 1]))
        return 0
    from photoqueue.central.server import raise_open_files_limit

    raise_open_files_limit()
    crowds = CROWDS[:2] if "--quick" in argv else CROWDS
    start = time.perf_counter()
    rows = run_design("patches", "/status/live", crowds) + run_design("whole snapshots", "/status/stream", crowds)
    if "--old" in argv:
        rows += run_design("per-client poll (old)", "/old/status/stream", crowds)
    print(table(["design", "streams", "accepted", "refused/failed", "staff p50 ms", "staff p95 ms", "staff errors",
                 "sync p50 ms", "sync p95 ms", "sync errors", "server RSS MiB", "open files", "server CPU %",
                 "crowd connect s", "bytes per phone per change", "MB/s to all phones"], rows))
    by = {(r[0], r[1]): r for r in rows}
    ratio = [[n, by[("whole snapshots", n)][14] / max(by[("patches", n)][14], 1),
              by[("whole snapshots", n)][15] / max(by[("patches", n)][15], 0.001)] for n in crowds]
    print()
    print(table(["streams", "bytes per change: whole / patches", "MB/s: whole / patches"], ratio))
    top = by[("patches", crowds[-1])]
    met = top[2] == crowds[-1] and top[5] < 300 and top[8] < 500 and top[14] <= 2048 and top[15] < 10
    print(f"\ngoal at {crowds[-1]} streams: all held ({top[2]}/{crowds[-1]}), staff p95 {top[5]:.0f} ms < 300, "
          f"sync p95 {top[8]:.0f} ms < 500, {top[14]} bytes per phone per change <= 2048, {top[15]} MB/s < 10 "
          f"-> {'met' if met else 'NOT met'} ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
