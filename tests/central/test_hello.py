"""POST /api/v1/hello on a real server (uvicorn in a thread, 127.0.0.1), SQLite and PostgreSQL: it binds an
unbound token, answers the room's holder, the centre's high-water and highest number and the deployment
key, and refuses (with a ``reason``) a token bound to another id, a room day held by another station id
and a station that numbered with another key. The takeover token of replace-station adopts the old id."""

from __future__ import annotations

import httpx
import pytest
from central_helpers import DATE, KEY, make_station

from photoqueue.central import accounts, roomdays
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.core.digest import key_fingerprint


@pytest.fixture
def central(db_url):
    with CentralThread(CentralSettings(db=db_url, rate_limit_per_s=50, rate_burst=50)) as server:
        yield server


def hello(central, token, **fields):
    body = {"station_id": "S-local", "room": "R1", "date": DATE, "last_seq": 0, "last_number": 0,
            "key_fingerprint": None, **fields}
    return httpx.post(central.url + "/api/v1/hello", json=body, headers={"authorization": f"Bearer {token}"},
                      timeout=10)


def post_events(central, token, store, fingerprint=None, n=200):
    body = {"station_id": store.station_id, "events": store.outbox_batch(n)}
    if fingerprint is not None:
        body["key_fingerprint"] = fingerprint
    return httpx.post(central.url + "/api/v1/events", json=body, headers={"authorization": f"Bearer {token}"},
                      timeout=10)


def test_hello_binds_an_unbound_token_and_hands_out_the_centres_key(central):
    token = accounts.add_station(central.store.db, "R1")[1]
    r = hello(central, token, station_id="S-1")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["station_id"] == "S-1" and doc["takeover"] is False
    assert doc["holder"] is None and doc["high_water"] == 0 and doc["highest_number"] == 0
    key = bytes.fromhex(doc["deployment_key"])
    assert key == central.store.deployment_key and len(key) == 32
    assert doc["key_fingerprint"] == key_fingerprint(key)
    assert doc["server_time"].endswith("+00:00")
    assert [s["station_id"] for s in accounts.list_stations(central.store.db)] == ["S-1"]
    # bound: the same token under another id is refused
    r = hello(central, token, station_id="S-2")
    assert r.status_code == 403 and r.json()["reason"] == "token_bound"


def test_hello_answers_the_high_water_and_the_rooms_highest_number(central, tmp_path):
    token = accounts.add_station(central.store.db, "R1")[1]
    station = make_station(tmp_path / "r1", "R1", 80, seed=3)
    try:
        assert post_events(central, token, station).status_code == 200
        issued = max(e["number"] for e in station.outbox_batch(500) if e["type"] == "ticket_issued")
        r = hello(central, token, station_id=station.station_id, last_seq=station.last_seq(), last_number=issued)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["holder"] == station.station_id
        assert doc["high_water"] == station.last_seq() >= 80
        assert doc["highest_number"] == issued > 0
    finally:
        station.close()


def test_hello_refuses_a_second_station_for_a_held_room_day(central, tmp_path):
    db = central.store.db
    first, second = accounts.add_station(db, "R1")[1], accounts.add_station(db, "R1")[1]
    station = make_station(tmp_path / "r1", "R1", 20, seed=1)
    try:
        assert post_events(central, first, station).status_code == 200
    finally:
        station.close()
    r = hello(central, second, station_id="S-spare")
    assert r.status_code == 409
    assert r.json()["reason"] == "room_held" and r.json()["holder"] == station.station_id
    # another day of the room is free
    assert hello(central, second, station_id="S-spare", date="2024-06-21").status_code == 200


def test_hello_refuses_another_key_once_the_station_has_numbered(central):
    token = accounts.add_station(central.store.db, "R1")[1]
    other = key_fingerprint(KEY)
    r = hello(central, token, station_id="S-1", key_fingerprint=other, last_number=3)
    assert r.status_code == 409 and r.json()["reason"] == "key_mismatch"
    # a station that has not numbered adopts the centre's key
    r = hello(central, token, station_id="S-1", key_fingerprint=other, last_number=0)
    assert r.status_code == 200 and r.json()["deployment_key"] == central.store.deployment_key.hex()
    # the centre's own key is never a mismatch
    mine = key_fingerprint(central.store.deployment_key)
    assert hello(central, token, station_id="S-1", key_fingerprint=mine, last_number=9).status_code == 200


def test_a_replacement_token_adopts_the_old_station_id(central, tmp_path):
    db = central.store.db
    old_token = accounts.add_station(db, "R1")[1]
    station = make_station(tmp_path / "r1", "R1", 40, seed=2)
    try:
        assert post_events(central, old_token, station).status_code == 200
        last_seq = station.last_seq()
    finally:
        station.close()
    new = roomdays.replace_station(db, "R1")
    assert new["station_id"] == station.station_id and new["revoked"] == 1
    assert hello(central, old_token, station_id=station.station_id).status_code == 401
    r = hello(central, new["token"], station_id="S-new-pi")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["takeover"] is True and doc["station_id"] == station.station_id
    assert doc["holder"] == station.station_id and doc["high_water"] == last_seq >= 40
    # once adopted, the same id is no takeover
    assert hello(central, new["token"], station_id=station.station_id).json()["takeover"] is False


def test_hello_refuses_another_rooms_day_and_bad_bodies(central):
    token = accounts.add_station(central.store.db, "R1")[1]
    r = hello(central, token, room="R2")
    assert r.status_code == 403 and r.json()["reason"] == "wrong_room"
    assert hello(central, token, date="20-06-2024").status_code == 422
    assert hello(central, token, last_number=-1).status_code == 422
    assert hello(central, token, surprise=1).status_code == 422
    r = hello(central, "pqs_nope")
    assert r.status_code == 401
