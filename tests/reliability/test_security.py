"""Security: every way into the central API is tried and each is refused with the right status; the
rate limit and the body cap hold; and no raw collection code ever leaves a station: stations sync to a
real central service through a capturing proxy, then the central store (SQLite file bytes, every
PostgreSQL table) and every captured byte of the sync traffic are searched for each raw code.
"""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path

import httpx
import pytest
from central_helpers import extend_station
from rel_helpers import TeeProxy, record, size

from photoqueue.central import accounts
from photoqueue.central.admin import add_station
from photoqueue.central.process import CentralProcess, CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.device.store.events import EventStore
from photoqueue.device.sync.client import SyncClient

STAFF_GETS = ["/api/v1/duplicates", "/api/v1/commands", "/api/v1/me", "/dashboard/api/snapshot",
              "/dashboard/api/stream", "/dashboard/export/workbook.xlsx", "/dashboard/export/counts.csv"]
STAFF_POSTS = [("/api/v1/commands", {"room": "R1", "kind": "advance", "args": {}}),
               ("/api/v1/timetable", {"slots": []}),
               ("/dashboard/api/command", {"room": "R1", "action": "advance"})]


@pytest.fixture
def central(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}", max_body_bytes=64_000,
                               rate_limit_per_s=5, rate_burst=8)
    with CentralThread(settings) as server:
        db = server.store.db
        server.tokens = {"R1": accounts.add_station(db, "R1")[1], "R2": accounts.add_station(db, "R2")[1],
                         "R3": accounts.add_station(db, "R3")[1]}
        accounts.revoke_station(db, room="R3")
        accounts.add_user(db, "staff", "a long staff password")
        yield server


def events_post(central, headers: dict, body: dict | bytes | None = None, **kw):
    data = body if isinstance(body, bytes) else json.dumps(body or {"station_id": "s-r1", "events": []}).encode()
    return httpx.post(central.url + "/api/v1/events", content=data,
                      headers={"content-type": "application/json", **headers}, timeout=10, **kw)


@contextlib.contextmanager
def logged_in(central):
    with httpx.Client(base_url=central.url, timeout=10) as client:
        r = client.post("/api/v1/login", json={"name": "staff", "password": "a long staff password"})
        assert r.status_code == 200
        yield client


def test_every_way_in_without_the_right_credentials_is_refused(central):
    results: list[tuple[str, int, tuple[int, ...]]] = []

    def expect(name: str, response: httpx.Response, *allowed: int) -> None:
        results.append((name, response.status_code, allowed))

    tok = central.tokens
    # station API
    expect("events: no token", events_post(central, {}), 401)
    expect("events: bearer without a token", events_post(central, {"authorization": "Bearer"}), 401)
    expect("events: basic auth", events_post(central, {"authorization": "Basic " + tok["R1"]}), 401)
    expect("events: wrong token", events_post(central, {"authorization": "Bearer pqs_wrong"}), 401)
    expect("events: token one char off", events_post(central, {"authorization": "Bearer " + tok["R1"][:-1] + (
        "A" if tok["R1"][-1] != "A" else "B")}), 401)
    expect("events: revoked token", events_post(central, {"authorization": f"Bearer {tok['R3']}"}), 401)
    expect("events: token in the query string", httpx.post(
        central.url + "/api/v1/events", params={"token": tok["R1"]}, json={"station_id": "s", "events": []}), 401)
    ok = events_post(central, {"authorization": f"Bearer {tok['R1']}"},
                     {"station_id": "s-r1", "events": [], "pending": 0})
    assert ok.status_code == 200
    r2_event = {"station_id": "s-r2", "events": [{"seq": 1, "type": "advanced", "room": "R2", "date": "2024-06-20",
                                                  "at": "2024-06-20T09:00:00"}]}
    expect("events: another room's events with R1's token", events_post(
        central, {"authorization": f"Bearer {tok['R1']}"}, r2_event), 403, 422)
    expect("events: another station's id with R1's token", events_post(
        central, {"authorization": f"Bearer {tok['R1']}"}, {"station_id": "not-r1", "events": []}), 403)
    with logged_in(central) as staff:
        expect("events: a staff cookie instead of a token", staff.post("/api/v1/events", json={
            "station_id": "s", "events": []}), 401)
    # staff pages and API without a login, with a forged cookie, with a station token
    for path in STAFF_GETS:
        expect(f"GET {path}: no login", httpx.get(central.url + path, timeout=10), 401)
        expect(f"GET {path}: forged cookie", httpx.get(central.url + path, timeout=10,
                                                       cookies={"photoqueue_session": "eyJ1IjoxfQ.AAAA"}), 401)
        expect(f"GET {path}: station token", httpx.get(central.url + path, timeout=10,
                                                       headers={"authorization": f"Bearer {tok['R1']}"}), 401)
    expect("GET /: no login", httpx.get(central.url + "/", timeout=10), 303)
    for path, body in STAFF_POSTS:
        expect(f"POST {path}: no login", httpx.post(central.url + path, json=body, timeout=10), 401)
    # logging in
    for name, password in (("staff", "wrong password"), ("staff", ""), ("nobody", "a long staff password"),
                           ("STAFF", "a long staff password"), ("staff", "a long staff password ")):
        expect(f"login {name!r}/{password!r}", httpx.post(central.url + "/api/v1/login", json={
            "name": name, "password": password}, timeout=10), 401, 422, 429)
    # cross-site requests riding on a staff login
    with logged_in(central) as staff:
        cmd = {"room": "R1", "action": "advance"}
        expect("dashboard command: no CSRF token", staff.post("/dashboard/api/command", json=cmd), 403)
        expect("dashboard command: wrong CSRF token", staff.post("/dashboard/api/command", json=cmd,
                                                                 headers={"x-csrf-token": "0" * 40}), 403)
        expect("dashboard command: foreign Origin", staff.post("/dashboard/api/command", json=cmd, headers={
            "origin": "http://evil.example"}), 403)
        for path, body in STAFF_POSTS[:2]:
            expect(f"POST {path}: foreign Origin", staff.post(path, json=body, headers={
                "origin": "http://evil.example"}), 403)
            expect(f"POST {path}: as a plain form (no preflight)", staff.post(path, content=json.dumps(body), headers={
                "content-type": "text/plain"}), 403, 415)
        logout = staff.post("/api/v1/logout", headers={"origin": "http://evil.example"})
        expect("logout: foreign Origin", logout, 403, 200)
    # the body cap and the rate limit
    big = {"station_id": "s-r1", "events": [], "health": {"pad": "x" * 70_000}}
    expect("events: body over the cap", events_post(central, {"authorization": f"Bearer {tok['R2']}"}, big), 413)
    central.app.state.limiter.clock = lambda: 1000.0  # no refill however slow this machine is
    codes = [events_post(central, {"authorization": f"Bearer {tok['R2']}"},
                         {"station_id": "s-r2", "events": []}).status_code for _ in range(30)]
    results.append(("events: 30 requests at once from one station", 429 if 429 in codes else codes[-1], (429,)))

    wrong = [(name, got, allowed) for name, got, allowed in results if got not in allowed]
    record("security: auth paths, CSRF, rate limit, body cap", tried=len(results), survived=len(results) - len(wrong),
           lost=len(wrong))
    assert not wrong, "\n".join(f"{n}: got {g}, expected {a}" for n, g, a in wrong)


def test_no_raw_collection_code_leaves_the_station(central_db, tmp_path):
    rooms = ["R1", "R2"]
    rng = random.Random(99)
    raw = [f"RAW{rng.getrandbits(80):020x}" for _ in range(size(60, 400))]
    shared = raw[:5]  # the same five students scan in both rooms: the centre flags them as duplicates
    stores = {}
    for i, room in enumerate(rooms):
        mine = shared + raw[5 + i::2]
        stores[room] = EventStore(tmp_path / room / "station.db")
        extend_station(stores[room], room, 3 * len(mine), rng=random.Random(i), codes=list(mine))
    with CentralProcess(central_db, settings={"rate_limit_per_s": "0"}) as central:
        tee = TeeProxy(("127.0.0.1", central.port))
        for room in rooms:
            client = SyncClient(stores[room].path, tee.url, add_station(central_db, room), room=room, batch_size=50,
                                on_command=lambda _c: None)
            assert client.drain(timeout=60)
            client.stop()
        dup = httpx.get(central.url + "/api/v1/counts").text
        tee.close()
    issued = set()
    for store in stores.values():
        issued |= {code for room, date in store.sessions() for code in store.codes(room, date).values()}
        store.close()
    assert issued and set(shared) <= issued
    own = b"".join(p.read_bytes() for p in (tmp_path / "R1").glob("station.db*"))
    assert shared[0].encode() in own  # the search does find a code where one is (the station's own store)
    haystacks = {"sync traffic, station to centre": bytes(tee.sent), "sync traffic, centre to station": bytes(tee.received),
                 "public counts": dup.encode()}
    if central_db.startswith("sqlite"):
        path = Path(central_db.removeprefix("sqlite:///"))
        haystacks["central SQLite files"] = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    else:
        import psycopg

        with psycopg.connect(central_db) as conn:
            tables = [t for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
            assert tables
            dump = [str(row[0]) for t in tables for row in conn.execute(f'SELECT row_to_json(x)::text FROM "{t}" x')]
        haystacks["PostgreSQL tables"] = "\n".join(dump).encode()
    assert len(tee.sent) > 1000
    hits = {name: sorted(c for c in issued if c.encode() in data or c.lower().encode() in data.lower())
            for name, data in haystacks.items()}
    searched = len(issued) * len(haystacks)
    found = sum(len(v) for v in hits.values())
    record(f"raw codes searched in the centre and the sync traffic ({central_db.split(':')[0]})", tried=searched,
           survived=searched - found, lost=found, codes=len(issued), traffic_bytes=len(tee.sent) + len(tee.received))
    assert found == 0, {k: v[:3] for k, v in hits.items() if v}

