"""A database outage is an answer, not a traceback. `central serve` on PostgreSQL reaches it through a small
TCP relay the test can cut: its connections are cut mid-stream (the relay drops them and the backends are
ended with pg_terminate_backend) and new ones are refused for a while, as in a restart or a failover.
Meanwhile every request that needs the store answers 503 with Retry-After, /status.json still answers from
the last snapshot, the public and the staff streams stay open and say their data is stale; the first request
after the store is back is served; and the log holds no traceback and no "Exception in ASGI application"."""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid

import httpx
import psycopg
from central_helpers import make_station
from conftest import PG_URL
from polling import wait_for

from photoqueue.central import admin
from photoqueue.central.process import CentralProcess

STAFF, PASSWORD = "office", "correct horse battery"


class Relay:
    """127.0.0.1:PORT -> PostgreSQL, cuttable: ``cut()`` drops every relayed connection and refuses new ones
    until ``restore()``."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            held, self.open = self.open, []
        for s in held:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


class Stream:
    def __init__(self, url: str, path: str, cookie: str = ""):
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        extra = f"Cookie: {cookie}\r\n" if cookie else ""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode())
        self.buf = b""

    def until(self, needle: bytes, start: int = 0) -> int:
        while needle not in self.buf[start:]:
            chunk = self.sock.recv(65536)
            assert chunk, self.buf[-500:]
            self.buf += chunk
        return self.buf.index(needle, start)


def test_a_cut_database_is_503s_and_stale_streams_then_the_first_request_after_is_served(pg_url, tmp_path):
    app_name = f"pq_outage_{uuid.uuid4().hex[:8]}"
    host_port = PG_URL.split("@", 1)[1].split("/", 1)[0]
    pg_host, pg_port = host_port.split(":") if ":" in host_port else (host_port, "5432")
    relay = Relay((pg_host, int(pg_port)))
    url = pg_url.replace(host_port, f"127.0.0.1:{relay.port}", 1) + f"&application_name={app_name}"
    token = admin.add_station(url, "R1")
    admin.add_user(url, STAFF, PASSWORD)
    log = tmp_path / "central.log"
    settings = {"rate_limit_per_s": "0", "status_refresh_s": "1", "status_min_interval_s": "0.2", "pool_size": "4"}
    store = make_station(tmp_path / "st", "R1", 30)
    try:
        with CentralProcess(url, settings=settings, log_path=str(log)) as central, \
                httpx.Client(base_url=central.url, timeout=30) as client:
            station = {"authorization": f"Bearer {token}"}

            def sync() -> httpx.Response:
                return client.post("/api/v1/events", headers=station,
                                   json={"station_id": store.station_id, "events": store.outbox_batch(500)})

            assert sync().status_code == 200
            login = client.post("/api/v1/login", json={"name": STAFF, "password": PASSWORD})
            assert login.status_code == 200
            cookie = f"photoqueue_session={login.cookies['photoqueue_session']}"
            public = Stream(central.url, "/status/live")
            public.until(b"event: hello")
            staff = Stream(central.url, "/dashboard/api/stream", cookie)
            staff.until(b"event: snapshot")
            held_status = client.get("/status.json").text

            relay.cut()
            with psycopg.connect(PG_URL, autocommit=True) as su:
                su.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                           (app_name,))
            for path, kw in (("/healthz", {}), ("/api/v1/counts", {}), ("/dashboard/api/snapshot", {})):
                r = client.get(path, **kw)
                assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1, (path, r.status_code, r.text)
            r = sync()
            assert r.status_code == 503 and r.headers["retry-after"], r.text
            r = client.get("/status.json")
            assert r.status_code == 200 and r.text == held_status  # the last snapshot, from memory
            at = public.until(b"event: stale")
            staff_at = staff.until(b"event: stale")

            relay.restore()
            first = client.get("/healthz")
            assert first.status_code == 200, first.text  # the first request after reconnects
            assert sync().status_code == 200
            public.until(b"event: live", at)  # fresh again
            staff.until(b"event: snapshot", staff_at)
            public.sock.close()
            staff.sock.close()
        text = log.read_text(errors="replace")
        assert wait_for(lambda: "store error" in text or "unavailable" in text, timeout=1)
        assert "Traceback" not in text and "Exception in ASGI application" not in text, text[-3000:]
    finally:
        store.close()
        relay.close()
