"""Slowloris against the real server (`photoqueue central serve` in a child process, with an open-files
limit of 1,024 so a test can exhaust it): thousands of half-sent requests (`GET /status HTTP/1.1`, a header
never ended) from many addresses, and /healthz, a station's sync and /status.json still answer; one
address holds no more than its share; headers that never finish, even trickled, are closed after the
header timeout; every bound that closes connections says so in the log. And the cap logic itself."""

from __future__ import annotations

import contextlib
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from central_helpers import make_station
from polling import wait_for

from photoqueue.central import admin
from photoqueue.central.connections import ConnectionBounds
from photoqueue.central.process import free_port, wait_ready

pytestmark = pytest.mark.serial  # thousands of connections against a file limit, on a port found free

HALF = b"GET /status HTTP/1.1\r\nHost: x\r\nX-a: "
FILES = 1024


class Server:
    """`photoqueue central serve` with RLIMIT_NOFILE 1,024 (soft and hard), its log kept in a file."""

    def __init__(self, tmp_path: Path, **settings):
        self.db = f"sqlite:///{tmp_path / 'c.db'}"
        self.port = free_port()
        self.log = tmp_path / "central.log"
        self.settings = {"rate_limit_per_s": "0", **{k: str(v) for k, v in settings.items()}}
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        args = [sys.executable, "-m", "photoqueue", "central", "serve", "--db", self.db, "--port", str(self.port)]
        for key, value in self.settings.items():
            args += ["--set", f"{key}={value}"]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES)))
        wait_ready(self.url, 30, alive=lambda: self.proc.poll() is None)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def half_sent(port: int, n: int, addresses: list[str]):
    """``n`` connections, spread over ``addresses`` (127.x.y.z: all of them reach 127.0.0.1), each with a
    request whose headers never end."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 512:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 4096), hard))
    socks = []
    try:
        for i in range(n):
            s = socket.socket()
            s.bind((addresses[i % len(addresses)], 0))
            socks.append(s)
            s.settimeout(10)
            s.connect(("127.0.0.1", port))  # the kernel completes it from the listen backlog
            with contextlib.suppress(OSError):
                s.sendall(HALF)
            s.setblocking(False)
        yield socks
    finally:
        for s in socks:
            s.close()


def closed_by_server(socks: list[socket.socket]) -> int:
    """How many of ``socks`` the server has closed (a read gives EOF or a reset)."""
    n = 0
    for s in socks:
        try:
            if s.recv(1) == b"":
                n += 1
        except BlockingIOError:
            pass
        except OSError:
            n += 1
    return n


def test_thousands_of_half_sent_requests_leave_healthz_sync_and_status_answering(tmp_path):
    with Server(tmp_path, header_timeout_s=120) as server:
        token = admin.add_station(server.db, "R1")
        store = make_station(tmp_path / "st", "R1", 40)
        addresses = [f"127.0.{i // 200 + 1}.{i % 200 + 2}" for i in range(40)]
        with half_sent(server.port, 2000, addresses):
            with httpx.Client(timeout=20) as client:
                assert client.get(server.url + "/healthz").status_code == 200
                body = {"station_id": store.station_id, "events": store.outbox_batch(100)}
                r = client.post(server.url + "/api/v1/events", json=body, headers={"authorization": f"Bearer {token}"})
                assert r.status_code == 200 and r.json()["high_water"] == store.last_seq()
                assert wait_for(lambda: any(room["room"] == "R1" for room in
                                     client.get(server.url + "/status.json").json()["rooms"]), timeout=30)
        store.close()
        assert wait_for(lambda: "closed" in server.text(), timeout=10)
        assert "connection(s): the connection limit" in server.text()
        assert "Traceback" not in server.text()


def test_one_address_holds_no_more_than_its_share(tmp_path):
    with Server(tmp_path, header_timeout_s=120, connections_per_client=30, status_streams_per_client=10) as server:
        with half_sent(server.port, 80, ["127.0.0.7"]) as socks:
            assert wait_for(lambda: closed_by_server(socks) == 50, timeout=30)
            assert httpx.get(server.url + "/healthz", timeout=20).status_code == 200  # another address
        assert wait_for(lambda: "more than 30 connections from one address" in server.text(), timeout=10)


def test_headers_that_never_finish_are_closed_even_when_trickled(tmp_path):
    with Server(tmp_path, header_timeout_s=1) as server:
        with half_sent(server.port, 5, ["127.0.0.9"]) as socks:
            trickle = socks[0]
            deadline = time.monotonic() + 30
            while closed_by_server(socks) < 5 and time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    trickle.send(b"a")  # a byte now and then does not extend the deadline
                time.sleep(0.2)
            assert closed_by_server(socks) == 5
        # a complete request on a kept-alive connection, slower than the header timeout between requests
        with httpx.Client(timeout=20) as client:
            assert client.get(server.url + "/healthz").status_code == 200
            time.sleep(1.5)
            assert client.get(server.url + "/healthz").status_code == 200
        assert wait_for(lambda: "request headers did not arrive within 1 s" in server.text(), timeout=10)


class FakeConn:
    def __init__(self):
        self.dropped = False

    def drop_connection(self):
        self.dropped = True


def test_the_cap_logic_closes_the_oldest_half_sent_connection_to_make_room():
    bounds = ConnectionBounds(per_client=3, max_waiting=4, max_total=6)
    conns = [FakeConn() for _ in range(10)]
    for i, c in enumerate(conns[:4]):
        assert bounds.admit(f"10.0.0.{i}") is None
        bounds.waiting[c] = None
    # a fifth connection: the oldest still waiting for its headers is closed to make room
    assert bounds.admit("10.0.0.9") is None and conns[0].dropped
    bounds.release("10.0.0.0")
    bounds.waiting[conns[4]] = None
    assert list(bounds.waiting) == conns[1:5]
    bounds.waiting.clear()  # their headers arrived
    # per address
    for _ in range(2):
        assert bounds.admit("10.0.0.9") is None
    assert bounds.admit("10.0.0.9") == "client"
    # the total, with nobody waiting: refused
    assert bounds.total == 6 and bounds.admit("10.0.0.8") == "total"
    assert bounds.closed_total == {"waiting": 1}



def test_a_body_that_stops_arriving_ends_its_connection_without_a_traceback(tmp_path):
    with Server(tmp_path, idle_timeout_s=1) as server:
        s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"name\": ")
        s.settimeout(30)
        try:
            got = s.recv(65536)  # the server closes it: EOF (or a reset), with no answer to a request never sent
        except ConnectionResetError:
            got = b""
        assert got == b""
        s.close()
        assert wait_for(lambda: "a request body stopped arriving for 1 s" in server.text(), timeout=10)
        assert "Traceback" not in server.text() and "Exception in ASGI application" not in server.text()


def test_a_trusted_proxy_is_not_held_to_one_address_share():
    from photoqueue.central import guard

    bounds = ConnectionBounds(per_client=2, proxies=guard.parse_proxies("10.0.0.5, 10.1.0.0/16"))
    assert [bounds.admit("10.0.0.5") for _ in range(5)] == [None] * 5
    assert [bounds.admit("10.1.2.3") for _ in range(3)] == [None] * 3
    assert [bounds.admit("10.9.9.9") for _ in range(3)] == [None, None, "client"]
