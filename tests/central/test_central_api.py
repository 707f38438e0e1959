"""The HTTP API on a real server (uvicorn in a thread, 127.0.0.1): every refusal a clear 4xx with
nothing stored; public reads carry no personal data; staff log in with a signed cookie."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from central_helpers import make_station

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings


@pytest.fixture
def central(db_url):
    settings = CentralSettings(db=db_url, max_body_bytes=64_000, rate_limit_per_s=5, rate_burst=8)
    with CentralThread(settings) as server:
        yield server


@pytest.fixture
def station(tmp_path):
    st = make_station(tmp_path / "r1", "R1", 60, seed=5)
    yield st
    st.close()


@pytest.fixture
def tokens(central):
    db = central.store.db
    return {"R1": accounts.add_station(db, "R1")[1], "R2": accounts.add_station(db, "R2")[1]}


def post(central, token, body, **kw):
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(central.url + "/api/v1/events", content=data, headers=headers, timeout=10, **kw)


def batch(station, n=20):
    return {"station_id": station.station_id, "events": station.outbox_batch(n)}


def assert_nothing_stored(central):
    assert central.store.event_count() == 0
    assert httpx.get(central.url + "/api/v1/counts").json() == {"classes": []}


def test_a_good_batch_is_stored_and_answered_with_the_high_water_mark(central, tokens, station):
    r = post(central, tokens["R1"], batch(station))
    assert r.status_code == 200, r.text
    assert r.json()["high_water"] == 20
    assert central.store.event_count() == 20


@pytest.mark.usefixtures("tokens")
def test_no_token_is_401(central, station):
    r = post(central, None, batch(station))
    assert r.status_code == 401
    assert "token" in r.json()["error"]
    assert r.headers["www-authenticate"] == "Bearer"
    assert_nothing_stored(central)


@pytest.mark.usefixtures("tokens")
def test_a_wrong_token_is_401(central, station):
    r = post(central, "pqs_not-a-real-token", batch(station))
    assert r.status_code == 401
    assert "unknown or revoked" in r.json()["error"]
    assert_nothing_stored(central)


def test_another_rooms_token_is_403(central, tokens, station):
    r = post(central, tokens["R2"], batch(station))
    assert r.status_code == 403
    assert "R1" in r.json()["error"] and "R2" in r.json()["error"]
    assert_nothing_stored(central)


def test_another_stations_token_is_403(central, tokens, station, tmp_path):
    other = make_station(tmp_path / "other", "R1", 5, seed=9)
    assert post(central, tokens["R1"], batch(other, 5)).status_code == 200  # the token is now other's
    r = post(central, tokens["R1"], batch(station))
    assert r.status_code == 403
    assert "another station" in r.json()["error"]
    assert central.store.event_count(station.station_id) == 0
    other.close()


def test_a_revoked_token_is_401(central, tokens, station):
    accounts.revoke_station(central.store.db, room="R1")
    assert post(central, tokens["R1"], batch(station)).status_code == 401
    assert_nothing_stored(central)


def test_an_over_large_body_is_413(central, tokens, station):
    body = batch(station)
    body["health"] = {"padding": "x" * 70_000}
    r = post(central, tokens["R1"], body)
    assert r.status_code == 413
    assert "limit" in r.json()["error"]
    assert_nothing_stored(central)


@pytest.mark.usefixtures("station")
def test_an_over_large_chunked_body_is_413(central, tokens):
    def chunks():
        yield b'{"station_id": "x", "events": ['
        for _ in range(100):
            yield b'{"seq": 1},' * 100

    r = httpx.post(central.url + "/api/v1/events", content=chunks(),
                   headers={"authorization": f"Bearer {tokens['R1']}"}, timeout=10)
    assert r.status_code == 413
    assert_nothing_stored(central)


@pytest.mark.usefixtures("station")
def test_malformed_json_is_400(central, tokens):
    r = post(central, tokens["R1"], b'{"station_id": "x", "events": [')
    assert r.status_code == 400
    assert "malformed JSON" in r.json()["error"]
    assert_nothing_stored(central)


@pytest.mark.parametrize("body", [[1, 2], {"station_id": "x", "events": "no"}, {"events": [], "extra": 1},
                                  {"station_id": "x", "events": [{"type": "advanced", "seq": 1}]}])
def test_schema_errors_are_422_with_a_message(central, tokens, body):
    r = post(central, tokens["R1"], body)
    assert r.status_code == 422
    assert r.json()["error"]
    assert_nothing_stored(central)


def test_a_gap_is_409_with_the_seq_expected(central, tokens, station):
    events = station.outbox_batch(40)
    post(central, tokens["R1"], {"station_id": station.station_id, "events": events[:10]})
    r = post(central, tokens["R1"], {"station_id": station.station_id, "events": events[20:]})
    assert r.status_code == 409
    assert r.json()["expected_seq"] == 11
    assert central.store.event_count() == 10


def test_a_station_over_its_rate_is_429_with_retry_after(central, tokens, station):
    # the limiter's clock stands still, so a slow machine (requests slower than the rate) cannot refill it
    central.app.state.limiter.clock = lambda: 1000.0
    codes = [post(central, tokens["R1"], {"station_id": station.station_id, "events": []}).status_code
             for _ in range(30)]
    assert 429 in codes
    assert codes[0] == 200
    r = next(r for r in (post(central, tokens["R1"], {"station_id": station.station_id, "events": []})
                         for _ in range(10)) if r.status_code == 429)
    assert int(r.headers["retry-after"]) >= 1
    # another station is not limited by this one's requests
    assert post(central, tokens["R2"], {"station_id": "r2-db", "events": []}).status_code == 200


def test_public_reads_carry_no_code_digests(central, tokens, station):
    post(central, tokens["R1"], batch(station, 60))
    digests = {e["code_digest"] for e in station.outbox_batch(60) if "code_digest" in e}
    assert digests
    for path in ("/api/v1/counts", "/api/v1/rooms", "/api/v1/timetable", "/healthz"):
        text = httpx.get(central.url + path).text
        assert not any(d in text for d in digests), path
    rooms = httpx.get(central.url + "/api/v1/rooms").json()["rooms"]
    r1 = next(r for r in rooms if r["room"] == "R1")
    assert r1["online"] and r1["high_water"] == 60
    assert {"now_serving", "waiting", "active_class", "last_seen_at", "outbox_pending", "health"} <= set(r1)


def test_station_health_is_shown_on_rooms(central, tokens, station):
    body = batch(station, 5) | {"health": {"printer": "paper out", "camera": "ok"}, "pending": 3}
    assert post(central, tokens["R1"], body).status_code == 200
    r1 = next(r for r in httpx.get(central.url + "/api/v1/rooms").json()["rooms"] if r["room"] == "R1")
    assert r1["health"] == {"printer": "paper out", "camera": "ok"}
    assert r1["outbox_pending"] == 3


def test_staff_endpoints_need_a_login_and_a_login_opens_them(central):
    accounts.add_user(central.store.db, "alice", "correct horse")
    accounts.add_station(central.store.db, "R1")  # a command needs a room the centre knows
    with httpx.Client(base_url=central.url, timeout=30) as client:
        assert client.get("/api/v1/duplicates").status_code == 401
        assert client.post("/api/v1/login", json={"name": "alice", "password": "wrong pass"}).status_code == 401
        login = client.post("/api/v1/login", json={"name": "alice", "password": "correct horse"})
        assert login.status_code == 200
        client.headers["X-CSRF-Token"] = login.json()["csrf"]
        assert client.get("/api/v1/me").json()["name"] == "alice"
        assert client.get("/api/v1/duplicates").status_code == 200
        r = client.post("/api/v1/commands", json={"room": "R1", "kind": "switch_class", "args": {}})
        assert r.status_code == 200 and r.json()["id"] >= 1
        assert client.post("/api/v1/commands", json={"room": "R1", "kind": "rm -rf"}).status_code == 422
        assert client.post("/api/v1/logout").status_code == 200
        client.cookies.clear()
        assert client.get("/api/v1/me").status_code == 401


def test_a_tampered_session_cookie_is_refused(central):
    accounts.add_user(central.store.db, "bob", "long password")
    r = httpx.post(central.url + "/api/v1/login", json={"name": "bob", "password": "long password"}, timeout=30)
    cookie = r.cookies["photoqueue_session"]
    forged = cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
    assert httpx.get(central.url + "/api/v1/me", cookies={"photoqueue_session": forged}).status_code == 401
    assert httpx.get(central.url + "/api/v1/me", cookies={"photoqueue_session": cookie}).status_code == 200


def test_a_form_login_redirects(central):
    accounts.add_user(central.store.db, "carol", "long password")
    with httpx.Client(base_url=central.url, timeout=30) as browser:
        page = browser.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        r = browser.post("/api/v1/login", content=f"name=carol&password=long+password&next=/rooms&csrf={csrf}",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 303 and r.headers["location"] == "/rooms"
    assert "photoqueue_session" in r.cookies


def test_timetable_posted_by_staff_is_served_to_stations(central, timetable_2021):
    from photoqueue.timetable import load_timetable

    timetable = load_timetable(timetable_2021)
    accounts.add_user(central.store.db, "dave", "long password")
    with httpx.Client(base_url=central.url, timeout=30) as client:
        assert client.post("/api/v1/timetable", json={"slots": timetable.to_dicts()}).status_code == 401
        client.headers["X-CSRF-Token"] = client.post("/api/v1/login", json={
            "name": "dave", "password": "long password"}).json()["csrf"]
        assert client.post("/api/v1/timetable", json={"slots": timetable.to_dicts()}).status_code == 200
        slot = timetable.slots[0]
        got = client.get("/api/v1/timetable", params={"room": slot.room, "date": slot.date.isoformat()}).json()
    want = timetable.room_day(slot.room, slot.date)
    assert [s["class"] for s in got["slots"]] == want.names
    assert httpx.get(central.url + "/api/v1/timetable", params={"date": "junk"}).status_code == 422


def test_staff_changes_refuse_cross_site_requests(central):
    accounts.add_user(central.store.db, "erin", "long password")
    accounts.add_station(central.store.db, "R1")  # a command needs a room the centre knows
    with httpx.Client(base_url=central.url, timeout=30) as client:
        client.headers["X-CSRF-Token"] = client.post("/api/v1/login", json={
            "name": "erin", "password": "long password"}).json()["csrf"]
        body = {"room": "R1", "kind": "advance", "args": {"target": 1}}
        assert client.post("/api/v1/commands", json=body, headers={"origin": "http://evil.example"}).status_code == 403
        plain = client.post("/api/v1/commands", content=json.dumps(body), headers={"content-type": "text/plain"})
        assert plain.status_code == 415
        assert client.post("/api/v1/commands", json=body, headers={"origin": central.url}).status_code == 200
    assert len(central.store.commands("R1")) == 1


def test_a_heartbeat_without_health_keeps_the_last_report(central, tokens, station):
    post(central, tokens["R1"], batch(station, 5) | {"health": {"printer": "ok"}, "pending": 7})
    post(central, tokens["R1"], {"station_id": station.station_id, "events": []})
    r1 = next(r for r in httpx.get(central.url + "/api/v1/rooms").json()["rooms"] if r["room"] == "R1")
    assert r1["health"] == {"printer": "ok"} and r1["outbox_pending"] == 7
