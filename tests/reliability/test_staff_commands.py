"""Staff commands under faults (issue 13, reproductions 3 and 4): a full disk under a staff command,
and rooms offline while staff queue commands. The centre is a real ``photoqueue central serve``
process; the station is the real Station (its queue thread, its session on a real file), its sync
driven round by round so the test decides when the room is offline.

Lost: a command reported done that the station did not commit, a command applied to a ticket or
class it did not name, an expired or cancelled command applied.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from rel_helpers import record

from photoqueue.central.admin import add_station
from photoqueue.central.errors import CentralError
from photoqueue.central.process import CentralProcess
from photoqueue.central.store import CentralStore
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.station.app import Station
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient
from photoqueue.scanner.reads import ScanEvent

ROOM, DATE = "第一组", "2024-10-25"
PLAN = ({"name": "一班", "headcount": 50, "start": None, "end": None},
        {"name": "二班", "headcount": 50, "start": None, "end": None},
        {"name": "三班", "headcount": 50, "start": None, "end": None})


class FixedClock:
    def now(self):
        return dt.datetime(2024, 10, 25, 9, 0)

    def monotonic(self):
        return time.monotonic()


@pytest.fixture
def centre(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    token = add_station(url, ROOM)
    with CentralProcess(url, settings={"rate_limit_per_s": "0"}) as server:
        yield url, server, token


def start(data_dir, centre):
    url, server, token = centre

    def factory():
        session = Session(EventStore(data_dir / "station.db"), ROOM, DATE, Rules(digest_key=b"s" * 32))
        session.handle(cmd.LoadTimetable(PLAN, auto_advance=False), FixedClock().now())
        return session

    station = Station(session_factory=factory, clock=FixedClock()).start()
    client = SyncClient(data_dir / "station.db", server.url, token, room=ROOM, interval_s=0.05,
                        on_staff_command=lambda cid, t: station.call(lambda st: st.staff_command(cid, t)))
    return station, client


def scan(station, *codes):
    for code in codes:
        station.submit(ScanEvent(code, "manual", time.monotonic()))
    station.call(lambda _s: None).result(30)


def state(station):
    return station.call(lambda s: s.session.state).result(30)


def command_states(url):
    with CentralStore(url) as c:
        return {x["id"]: x for x in c.commands(ROOM)}


@pytest.mark.serial  # mounts a tmpfs
def test_a_command_that_cannot_commit_is_never_reported_done(centre, small_fs, fill):
    mount, mounted = small_fs
    station, client = start(mount / "station", centre)
    url = centre[0]
    try:
        scan(station, *(f"QR-CODE-A-{i:06d}" for i in range(1, 4)))
        assert client.sync_once().ok
        with CentralStore(url) as c:
            void = c.add_command(ROOM, "void", {"number": 2, "reason": "重复"}, by="staff")
        filler = fill(mount) if mounted else None
        if not mounted:  # SQLite's own cap: the same SQLITE_FULL
            station.call(lambda s: s.session.store._db.execute(
                "PRAGMA max_page_count = " + str(s.session.store._db.execute("PRAGMA page_count").fetchone()[0]))
            ).result(30)
        rounds_full = 5
        for _ in range(rounds_full):
            client.sync_once()
        while_full = command_states(url)[void]["state"]
        voided_while_full = state(station).tickets[2].status == "voided"
        if filler is not None:
            filler.unlink()
        else:
            station.call(lambda s: s.session.store._db.execute("PRAGMA max_page_count = 1073741823")).result(30)
        for _ in range(3):
            client.sync_once()
        after = command_states(url)[void]
        final = state(station).tickets[2].status
    finally:
        client.stop()
        station.stop()
    lost = (while_full != "handed") + voided_while_full + (after["state"] != "done") + (final != "voided")
    record("disk full at the station under a staff command (void)", 1, 1 - min(lost, 1), lost,
           sync_rounds_while_full=rounds_full, state_while_full=while_full, state_after=after["state"])
    assert while_full == "handed" and not voided_while_full
    assert after["state"] == "done" and final == "voided"


def test_offline_room_queued_commands_name_their_targets_expire_and_cancel(tmp_path, centre):
    station, client = start(tmp_path / "station", centre)
    url = centre[0]
    tried = 0
    wrong = 0
    try:
        scan(station, *(f"QR-CODE-B-{i:06d}" for i in range(1, 6)))
        assert client.sync_once().ok and state(station).called == 1
        # the room goes offline; staff act on what the dashboard shows: 1 called, class 一班
        with CentralStore(url) as c:
            skip = c.add_command(ROOM, "skip", {}, by="staff")  # untargeted: the centre names ticket 1
            switch = c.add_command(ROOM, "switch_class", {"class_name": "二班"}, by="staff")
            advance = c.add_command(ROOM, "advance", {}, by="staff")
            with pytest.raises(CentralError, match="不在队列中|not in line"):
                c.add_command(ROOM, "skip", {"target": 9}, by="staff")  # never issued: refused before queueing
            cancelled = c.add_command(ROOM, "void", {"number": 5, "reason": "x"}, by="staff")
            c.cancel_command(cancelled, by="staff")
        with CentralStore(url, command_expiry_s=0.2) as c:
            expiring = c.add_command(ROOM, "void", {"number": 4, "reason": "y"}, by="staff")
        time.sleep(0.5)
        assert command_states(url)[skip]["args"]["target"] == 1
        # meanwhile at the room: two presses, and the classes move on by hand (a switch to 二班 queued at
        # the centre must not move the room back from 三班)
        station.submit(cmd.Advance())
        station.submit(cmd.Advance())
        station.submit(cmd.SwitchClass("二班"))
        station.submit(cmd.SwitchClass("三班"))
        scan(station)
        before = {n: t.status for n, t in state(station).tickets.items()}
        assert state(station).called == 3
        for _ in range(3):  # back online
            client.sync_once()
        after_state = state(station)
        states = command_states(url)
    finally:
        client.stop()
        station.stop()
    expected = {skip: "refused", switch: "refused", advance: "refused", cancelled: "cancelled", expiring: "expired"}
    tried = len(expected)
    got = {cid: states[cid]["state"] for cid in expected}
    wrong = sum(got[c] != s for c, s in expected.items())
    changed = {n: t.status for n, t in after_state.tickets.items()} != before
    wrong += changed + (after_state.active_class != "三班")
    record("offline room: queued skip/advance/switch-class, expiry, cancel", tried, tried - min(wrong, tried), wrong,
           refused_with_reason=sum(1 for c in (skip, switch, advance) if states[c]["reason"]))
    assert got == expected, states
    assert not changed and after_state.active_class == "三班" and after_state.tickets[3].status == "called"
    assert "1" in states[skip]["reason"] and states[advance]["reason"]
