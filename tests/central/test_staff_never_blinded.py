"""Staff are never blinded by the public: with every public /status stream taken, a logged-in dashboard still
gets its live stream; and when the staff streams themselves are full, the dashboard in Chromium polls its
snapshot and shows the rooms (as /status does), instead of "连接中断，正在重连…" and nothing."""

from __future__ import annotations

import socket

import httpx
from central_helpers import make_station

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.demo import screenshots

STAFF, PASSWORD = "staff", "correct horse battery"


def open_stream(url: str, path: str, cookie: str = "") -> tuple[int, socket.socket]:
    """A stream request held open on a raw socket: (status, socket)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    return int(buf.split()[1]), sock


def login_cookie(url: str) -> str:
    r = httpx.post(url + "/api/v1/login", json={"name": STAFF, "password": PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    return f"photoqueue_session={r.cookies['photoqueue_session']}"


def start(tmp_path, **settings) -> tuple[CentralThread, str]:
    central = CentralThread(CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}", **settings)).start()
    accounts.add_user(central.store.db, STAFF, PASSWORD)
    token = accounts.add_station(central.store.db, "R1")[1]
    store = make_station(tmp_path / "st", "R1", 30)
    body = {"station_id": store.station_id, "events": store.outbox_batch(200)}
    assert httpx.post(central.url + "/api/v1/events", json=body, headers={"authorization": f"Bearer {token}"},
                      timeout=30).status_code == 200
    store.close()
    return central, token


def test_a_staff_stream_is_admitted_when_every_public_stream_is_taken(tmp_path):
    central, _ = start(tmp_path, status_max_streams=2, status_streams_per_client=2)
    try:
        held = [open_stream(central.url, "/status/stream") for _ in range(2)]
        assert [status for status, _ in held] == [200, 200]
        assert open_stream(central.url, "/status/stream")[0] == 503  # the public cap holds
        status, staff = open_stream(central.url, "/dashboard/api/stream", login_cookie(central.url))
        assert status == 200
        staff.settimeout(30)
        got = b""
        while b'"R1"' not in got:  # the staff snapshot, with the room
            chunk = staff.recv(65536)
            assert chunk, got
            got += chunk
        assert b"event: snapshot" in got
        for _, s in [*held, (0, staff)]:
            s.close()
    finally:
        central.stop()


def test_the_dashboard_polls_its_snapshot_when_its_stream_is_refused(tmp_path, browser):
    central, _ = start(tmp_path, status_max_streams=1, staff_max_streams=1)
    try:
        public = open_stream(central.url, "/status/stream")[1]
        status, staff = open_stream(central.url, "/dashboard/api/stream", login_cookie(central.url))
        assert status == 200  # the one staff place, taken
        page = browser.new_page()
        screenshots.login(page, central.url, STAFF, PASSWORD)
        page.wait_for_selector("#conn:has-text('定时刷新')", timeout=30_000)
        page.wait_for_selector('.card[data-room="R1"]', timeout=30_000)
        assert "连接中断" not in page.locator("#conn").inner_text()
        page.close()
        public.close()
        staff.close()
    finally:
        central.stop()
