"""One station stream per room and day, on a real server (SQLite and PostgreSQL): a second station id for a
held (room, date) is refused with its events set aside (never counted, shown in /api/v1/rooms); a token
posts under one station id only; replacing a Pi is `photoqueue central replace-station`, whose token adopts
the old id; the deployment key is the centre's; duplicates count inside one room too; migration 4 gives
an older store's room days to their first station."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import httpx
import pytest
from central_helpers import DATE, KEY, extend_station, make_station

from photoqueue.central import accounts, migrations
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.central.store import CentralStore
from photoqueue.core.digest import key_fingerprint


@pytest.fixture
def central(db_url):
    with CentralThread(CentralSettings(db=db_url, rate_limit_per_s=100, rate_burst=100)) as server:
        yield server


def post(central, token, station_id, events, **extra):
    return httpx.post(central.url + "/api/v1/events", json={"station_id": station_id, "events": events, **extra},
                      headers={"authorization": f"Bearer {token}"}, timeout=20)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "photoqueue", "central", *args], capture_output=True, text=True,
                          timeout=120)


def set_aside_count(store, station_id=None):
    with store.db.connection() as conn:
        if station_id is None:
            return int(conn.one("SELECT count(*) FROM set_aside_events")[0])
        return int(conn.one("SELECT count(*) FROM set_aside_events WHERE station_id = ?", (station_id,))[0])


def test_a_second_station_id_for_a_held_room_day_is_refused_and_set_aside(central, tmp_path):
    db = central.store.db
    first, spare = accounts.add_station(db, "R1")[1], accounts.add_station(db, "R1")[1]
    a = make_station(tmp_path / "a", "R1", 60, seed=1)
    b = make_station(tmp_path / "b", "R1", 30, seed=2)  # a spare Pi registered for the room, numbering 1, 2, 3
    try:
        assert post(central, first, a.station_id, a.outbox_batch(500)).status_code == 200
        counts = httpx.get(central.url + "/api/v1/counts").json()
        batch = b.outbox_batch(500)
        for _ in range(2):  # a resend is refused the same way and keeps nothing twice; so is another key
            r = post(central, spare, b.station_id, batch, key_fingerprint=key_fingerprint(KEY))
            assert r.status_code == 409, r.text
            assert r.json()["reason"] == "room_held" and r.json()["holder"] == a.station_id
            assert "set aside" in r.json()["error"]
        assert set_aside_count(central.store, b.station_id) == len(batch)
        assert central.store.event_count(b.station_id) == 0
        assert httpx.get(central.url + "/api/v1/counts").json() == counts  # never counted
        rooms = [r for r in httpx.get(central.url + "/api/v1/rooms").json()["rooms"] if r["room"] == "R1"]
        assert [r["station_id"] for r in rooms] == [a.station_id]  # the room is listed once
        (aside,) = rooms[0]["set_aside"]
        issued = sum(1 for e in batch if e["type"] == "ticket_issued")
        assert aside == {**aside, "station_id": b.station_id, "date": DATE, "holder": a.station_id,
                         "events": len(batch), "tickets": issued}
        # the refused request bound nothing: the spare token can still serve another day of the room
        assert [s["station_id"] for s in accounts.list_stations(db)] == [a.station_id, None]
        c = make_station(tmp_path / "c", "R1", 10, seed=3, date="2024-06-21")
        assert post(central, spare, c.station_id, c.outbox_batch(500)).status_code == 200
        c.close()
    finally:
        a.close()
        b.close()


def test_a_token_posts_under_one_station_id_only(central, tmp_path):
    token = accounts.add_station(central.store.db, "R1")[1]
    a = make_station(tmp_path / "a", "R1", 10, seed=1)
    try:
        assert post(central, token, a.station_id, a.outbox_batch(500)).status_code == 200
        r = post(central, token, "another-station-id", a.outbox_batch(500))
        assert r.status_code == 403 and r.json()["reason"] == "token_bound"
        assert central.store.event_count("another-station-id") == 0
    finally:
        a.close()


def test_replace_station_retires_the_old_pi_and_the_new_one_continues_its_stream(central, tmp_path):
    db_url = central.store.db.url
    old_token = accounts.add_station(central.store.db, "R1")[1]
    a = make_station(tmp_path / "a", "R1", 60, seed=4)
    try:
        assert post(central, old_token, a.station_id, a.outbox_batch(500)).status_code == 200
        done = cli("replace-station", "--db", db_url, "--room", "R1")
        assert done.returncode == 0, done.stderr
        new_token = done.stdout.strip()
        assert new_token.startswith(accounts.TOKEN_PREFIX) and a.station_id in done.stderr
        # the old Pi is retired: its token no longer posts
        assert post(central, old_token, a.station_id, []).status_code == 401
        # the new Pi reads the room's history back under the adopted id (what `recover` rebuilds from)
        back = httpx.get(central.url + "/api/v1/events", params={"after": 0},
                         headers={"authorization": f"Bearer {new_token}"}, timeout=20).json()
        assert back["station_id"] == a.station_id and len(back["events"]) == a.last_seq()
        # ... and continues the same stream: more events of the same id are taken, the room is one card
        a.ack(a.last_seq())
        extend_station(a, "R1", 20, rng=random.Random(9))
        r = post(central, new_token, a.station_id, a.outbox_batch(500))
        assert r.status_code == 200, r.text
        assert r.json()["high_water"] == a.last_seq()
        rooms = [r for r in httpx.get(central.url + "/api/v1/rooms").json()["rooms"] if r["room"] == "R1"]
        assert [r["station_id"] for r in rooms] == [a.station_id]
        # the new token is bound to the adopted id: no new station id under it
        r = post(central, new_token, "the-new-pi-own-id", [])
        assert r.status_code == 403 and r.json()["reason"] == "token_bound"
    finally:
        a.close()


def test_replace_station_of_a_room_nobody_numbered_is_a_message(db_url):
    done = cli("replace-station", "--db", db_url, "--room", "无此组")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "add-station" in done.stderr
    done = cli("replace-station", "--db", db_url, "--room", "R1", "--date", "June 20")
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr and "Traceback" not in done.stderr


def test_the_deployment_key_is_made_once_and_a_batch_with_another_is_refused(central, tmp_path):
    store = central.store
    key = store.deployment_key
    assert len(key) == 32
    shown = cli("show-key", "--db", store.db.url)
    assert shown.returncode == 0 and shown.stdout.strip() == key.hex()
    with CentralStore(store.db.url, pool_size=1) as again:  # another process, a restart: the same key
        assert again.deployment_key == key
    token = accounts.add_station(store.db, "R1")[1]
    a = make_station(tmp_path / "a", "R1", 20, seed=5)  # numbered with its own key
    try:
        r = post(central, token, a.station_id, a.outbox_batch(500), key_fingerprint=key_fingerprint(KEY))
        assert r.status_code == 409 and r.json()["reason"] == "key_mismatch"
        assert store.event_count() == 0
        # a heartbeat (no events, no digests) is not judged by its key
        assert post(central, token, a.station_id, [], key_fingerprint=key_fingerprint(KEY)).status_code == 200
        assert [r["room"] for r in httpx.get(central.url + "/api/v1/rooms").json()["rooms"]] == ["R1"]
        r = post(central, token, a.station_id, a.outbox_batch(500), key_fingerprint=key_fingerprint(key))
        assert r.status_code == 200, r.text
    finally:
        a.close()


def test_a_code_with_two_numbers_in_the_same_room_is_a_duplicate(central, tmp_path):
    token = accounts.add_station(central.store.db, "R1")[1]
    a = make_station(tmp_path / "a", "R1", 30, seed=6)
    try:
        events = a.outbox_batch(500)
        assert post(central, token, a.station_id, events).status_code == 200
        first = next(e for e in events if e["type"] == "ticket_issued")
        numbers = [e["number"] for e in events if e["type"] == "ticket_issued"]
        # the same code numbered again in the same room (a station that lost its state, a second Pi)
        again = {**first, "seq": events[-1]["seq"] + 1, "number": max(numbers) + 1, "called": False}
        r = post(central, token, a.station_id, [again])
        assert r.status_code == 200, r.text
        assert {"date": DATE, "number": again["number"], "other_room": "R1",
                "other_number": first["number"]} in r.json()["duplicates"]
        found = {(d["room"], d["number"], d["other_room"], d["other_number"]) for d in central.store.duplicates()}
        assert found == {("R1", again["number"], "R1", first["number"]), ("R1", first["number"], "R1", again["number"])}
    finally:
        a.close()


def test_migration_4_gives_an_older_stores_room_day_to_its_first_station(db_url, monkeypatch):
    monkeypatch.setattr(migrations, "STEPS", migrations.STEPS[:3])
    monkeypatch.setattr(migrations, "LATEST", 3)
    store = CentralStore(db_url, pool_size=2)
    migrations.migrate(store.db)
    body = json.dumps({"type": "timetable_loaded"})
    with store.db.write() as conn:  # two stations took one room's day before the rule (the spare-Pi accident)
        for sid, at in (("S-first", "2024-06-20T08:00:00.000+00:00"), ("S-spare", "2024-06-20T10:00:00.000+00:00")):
            conn.execute("INSERT INTO events VALUES (?, 1, 'R1', ?, 'timetable_loaded', ?, ?)", (sid, DATE, body, at))
    store.close()
    monkeypatch.undo()
    store = CentralStore(db_url, pool_size=2)
    assert migrations.migrate(store.db) == migrations.LATEST >= 4
    with store.db.connection() as conn:
        assert conn.all("SELECT room, date, station_id FROM room_days") == [("R1", DATE, "S-first")]
    store.close()


def test_a_spare_refused_at_hello_shows_in_its_rooms_set_aside_list(central, tmp_path):
    """A spare Pi refused before its first number sends no events, only its health: staff still see it."""
    db = central.store.db
    first, spare = accounts.add_station(db, "R1")[1], accounts.add_station(db, "R1")[1]
    a = make_station(tmp_path / "a", "R1", 20, seed=1)
    try:
        assert post(central, first, a.station_id, a.outbox_batch(500)).status_code == 200
    finally:
        a.close()
    hello = httpx.post(central.url + "/api/v1/hello", headers={"authorization": f"Bearer {spare}"}, timeout=20,
                       json={"station_id": "S-spare", "room": "R1", "date": DATE, "last_seq": 0, "last_number": 0})
    assert hello.status_code == 409 and hello.json()["reason"] == "room_held"
    assert post(central, spare, "S-spare", [], health={"numbering": "room_held"}).status_code == 200
    rooms = [r for r in httpx.get(central.url + "/api/v1/rooms").json()["rooms"] if r["room"] == "R1"]
    assert [r["station_id"] for r in rooms] == [a.station_id]
    assert [(s["station_id"], s["events"], s["holder"]) for s in rooms[0]["set_aside"]] == [
        ("S-spare", 0, a.station_id)]
