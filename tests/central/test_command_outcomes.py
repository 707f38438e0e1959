"""Staff commands at the centre (issue 13): the station's outcome is what the dashboard shows; targets are
named and checked against the room's last synced state; commands expire and can be cancelled; a
refused sync is the room's alert. SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from photoqueue.central import accounts
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.dashboard.snapshot import staff_snapshot
from photoqueue.central.errors import CentralError
from photoqueue.central.store import CentralStore
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session
from photoqueue.settings import problems

DATE = "2024-10-25"


@pytest.fixture
def store(db_url):
    with CentralStore(db_url) as s:
        yield s


@pytest.fixture
def synced(store, tmp_path):
    """Room R1 with tickets 1..4 (1 called), synced to the centre."""
    session = Session(EventStore(tmp_path / "st" / "station.db"), "R1", DATE, Rules(digest_key=b"c" * 32))
    for i in range(4):
        session.scan(f"OUTCOME-CODE-{i:04d}", dt.datetime(2024, 10, 25, 9))
    sid, _ = accounts.add_station(store.db, "R1")
    reg = accounts.Registration(sid, "R1", None)
    store.ingest(reg, session.store.station_id, session.store.outbox_batch())
    yield reg, session
    session.store.close()


@pytest.mark.usefixtures("synced")
def test_untargeted_commands_are_named_from_the_last_synced_state(store):
    cid = store.add_command("R1", "skip", {}, by="staff")
    adv = store.add_command("R1", "advance", {}, by="staff")
    sw = store.add_command("R1", "switch_class", {"class_name": "二班"}, by="staff")
    args = {c["id"]: c["args"] for c in store.commands("R1")}
    assert args[cid] == {"target": 1} and args[adv] == {"target": 1}
    assert args[sw] == {"class_name": "二班", "from_class": None}


@pytest.mark.parametrize("kind,args,why", [
    ("void", {"number": 9, "reason": "x"}, "无法作废"),
    ("skip", {"target": 7}, "不在队列中"),
    ("advance", {"target": 3}, "已不是当前号"),
    ("undo", {"target": 1}, "最后一次拍摄完成的不是"),
    ("recall", {"number": 2}, "无法召回"),
])
@pytest.mark.usefixtures("synced")
def test_a_number_that_does_not_fit_the_synced_state_is_refused_before_queueing(store, kind, args, why):
    with pytest.raises(CentralError, match=why) as err:
        store.add_command("R1", kind, args, by="staff")
    assert err.value.http_status == 422
    assert store.commands("R1") == []


def test_outcomes_done_refused_and_the_old_plain_ack(store, synced):
    reg, session = synced
    a = store.add_command("R1", "void", {"number": 2, "reason": "重复"}, by="staff")
    b = store.add_command("R1", "void", {"number": 3, "reason": "重复"}, by="staff")
    c = store.add_command("R1", "reprint", {"number": 4}, by="staff")
    answer = store.ingest(reg, session.store.station_id, [], acked_commands=[a, b, c],
                          command_outcomes={str(a): {"outcome": "done", "reason": ""},
                                            str(b): {"outcome": "refused", "reason": "3 号无法作废"}})
    assert sorted(answer["acked_commands"]) == [a, b, c]
    states = {x["id"]: (x["state"], x["reason"]) for x in store.commands("R1")}
    assert states == {a: ("done", ""), b: ("refused", "3 号无法作废"), c: ("done", "")}
    with pytest.raises(CentralError, match="already taken"):
        store.cancel_command(a, by="staff")


def test_bad_outcomes_are_a_422(store, synced):
    reg, session = synced
    for bad in ([1], {"x": {"outcome": "done"}}, {"1": {"outcome": "maybe"}}, {"1": {"outcome": "done", "reason": 5}}):
        with pytest.raises(CentralError) as err:
            store.ingest(reg, session.store.station_id, [], command_outcomes=bad)
        assert err.value.http_status == 422


def test_expired_and_cancelled_commands_are_no_longer_sent(store, synced, db_url):
    reg, session = synced
    cancelled = store.add_command("R1", "reprint", {"number": 1}, by="staff")
    store.cancel_command(cancelled, by="staff")
    with CentralStore(db_url, command_expiry_s=0.05) as short:
        expired = short.add_command("R1", "reprint", {"number": 2}, by="staff")
    kept = store.add_command("R1", "reprint", {"number": 3}, by="staff")
    time.sleep(0.2)
    sent = store.ingest(reg, session.store.station_id, [])["commands"]
    assert [c["id"] for c in sent] == [kept]
    states = {x["id"]: x["state"] for x in store.commands("R1")}
    assert states == {cancelled: "cancelled", expired: "expired", kept: "handed"}  # sent: no longer cancellable


def test_the_dashboard_shows_states_in_the_office_zone_and_a_refused_sync_as_the_rooms_alert(store, synced):
    reg, session = synced
    store.add_command("R1", "reprint", {"number": 1}, by="staff")
    batch = session.store.outbox_batch()
    with pytest.raises(CentralError):  # a gap: the centre lacks seq 1..2
        store.ingest(reg, session.store.station_id, [dict(batch[-1], seq=99)])
    snap = staff_snapshot(store, DashboardSettings(time_zone="Asia/Shanghai"), 60.0)
    assert snap["time_zone"] == "Asia/Shanghai"
    assert snap["commands"][0]["state"] == "pending"
    room = next(r for r in snap["rooms"] if r["room"] == "R1")
    assert room["sync_alert"].startswith("无法同步") and "gap" in room["sync_alert"]
    store.ingest(reg, session.store.station_id, [])
    room = next(r for r in staff_snapshot(store, DashboardSettings(), 60.0)["rooms"] if r["room"] == "R1")
    assert room["sync_alert"] is None


def test_a_bad_office_zone_is_a_settings_error():
    assert any("time_zone" in e for e in problems(DashboardSettings(time_zone="Mars/Olympus")))
