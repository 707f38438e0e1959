"""Commands told truthfully: a command a sync answer has handed to the station can no longer be "cancelled"
(409, 可能已执行: wait for its outcome), and stays "handed" past its expiry until the station reports; one
not handed yet is cancelled as before. The API refuses a command for a room no station is registered for,
as the dashboard does; a huge cancel id is a 404 and a huge command_outcomes key a 422, never a 500."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest

from photoqueue.central import accounts
from photoqueue.central.errors import CentralError
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.central.store import CentralStore
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session

DATE = "2024-10-25"


@pytest.fixture
def synced(db_url, tmp_path):
    with CentralStore(db_url) as store:
        session = Session(EventStore(tmp_path / "st" / "station.db"), "R1", DATE, Rules(digest_key=b"c" * 32))
        for i in range(4):
            session.scan(f"TRUTH-CODE-{i:04d}", dt.datetime(2024, 10, 25, 9))
        sid, _ = accounts.add_station(store.db, "R1")
        reg = accounts.Registration(sid, "R1", None)
        store.ingest(reg, session.store.station_id, session.store.outbox_batch())
        yield store, reg, session
        session.store.close()


def states(store) -> dict[int, str]:
    return {c["id"]: c["state"] for c in store.commands("R1")}


def test_a_command_handed_to_the_station_cannot_be_cancelled_and_waits_for_its_outcome(synced):
    store, reg, session = synced
    withdrawn = store.add_command("R1", "reprint", {"number": 1}, by="staff")
    assert store.cancel_command(withdrawn, by="staff")["state"] == "cancelled"  # not handed yet: withdrawn
    cid = store.add_command("R1", "reprint", {"number": 2}, by="staff")
    sent = store.ingest(reg, session.store.station_id, [])["commands"]
    assert [c["id"] for c in sent] == [cid]
    with pytest.raises(CentralError, match="可能已执行") as err:
        store.cancel_command(cid, by="staff")
    assert err.value.http_status == 409
    assert states(store) == {withdrawn: "cancelled", cid: "handed"}
    # the station reports what it did: that is what staff see
    store.ingest(reg, session.store.station_id, [], acked_commands=[cid],
                 command_outcomes={str(cid): {"outcome": "done", "reason": ""}})
    assert states(store)[cid] == "done"


def test_a_handed_command_the_station_went_offline_with_is_not_called_expired_or_cancelled(synced, db_url):
    store, reg, session = synced
    with CentralStore(db_url, command_expiry_s=0.2) as short:
        cid = short.add_command("R1", "reprint", {"number": 3}, by="staff")
        short.ingest(reg, session.store.station_id, [])  # handed, then the station is gone
    time.sleep(0.4)
    assert states(store)[cid] == "handed"
    with pytest.raises(CentralError, match="可能已执行"):
        store.cancel_command(cid, by="staff")


def test_the_api_refuses_a_room_without_a_station_and_huge_ids_are_4xx(tmp_path):
    with CentralThread(CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}", rate_limit_per_s=0)) as central:
        accounts.add_user(central.store.db, "staff", "correct horse battery")
        token = accounts.add_station(central.store.db, "R1")[1]
        with httpx.Client(base_url=central.url, timeout=60) as client:
            login = client.post("/api/v1/login", json={"name": "staff", "password": "correct horse battery"})
            client.headers["X-CSRF-Token"] = login.json()["csrf"]
            r = client.post("/api/v1/commands", json={"room": "无此组", "kind": "reprint", "args": {"number": 1}})
            assert r.status_code == 422 and "无此组" in r.json()["error"]
            assert central.store.commands() == []
            ok = client.post("/api/v1/commands", json={"room": "R1", "kind": "switch_class", "args": {}})
            assert ok.status_code == 200, ok.text
            for huge in (2**63, 10**30):
                r = client.post(f"/api/v1/commands/{huge}/cancel", json={})
                assert r.status_code in (404, 422), (huge, r.status_code, r.text)
            body = {"station_id": "s" * 8, "events": [], "command_outcomes": {"9" * 30: {"outcome": "done"}}}
            r = httpx.post(central.url + "/api/v1/events", json=body, headers={"authorization": f"Bearer {token}"},
                           timeout=30)
            assert r.status_code == 422, r.text
            body["command_outcomes"] = {"²": {"outcome": "done"}}
            r = httpx.post(central.url + "/api/v1/events", json=body, headers={"authorization": f"Bearer {token}"},
                           timeout=30)
            assert r.status_code == 422, r.text
