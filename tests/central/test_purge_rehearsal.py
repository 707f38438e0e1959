"""Rehearsal data can be removed from the centre (issue 23, item 12): `photoqueue central purge --db URL --date D
--yes` takes the day out of the counts, the exports and /status, keeps the real day whole (the station's seqs
run on from the rehearsal's), and the station's later batches still fold. Without --yes nothing changes."""

import datetime as dt

from photoqueue.central import admin
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.central.store import CentralStore
from photoqueue.cli import main
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient

REHEARSAL, DAY = "2024-06-19", "2024-06-20"


def test_purge_removes_the_rehearsal_and_keeps_the_day(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    token = admin.add_station(db, "A组")
    store = EventStore(db_path(tmp_path / "s"))
    rules = Rules(digest_key=b"k" * 32)
    for date, n in ((REHEARSAL, 3), (DAY, 2)):  # one station: the rehearsal's seqs, then the day's
        session = Session(store, "A组", date, rules)
        for i in range(n):
            session.scan(f"code-{date}-{i:04d}", dt.datetime.fromisoformat(date) + dt.timedelta(hours=9))
    with CentralThread(CentralSettings(db=db)) as central:
        client = SyncClient(db_path(tmp_path / "s"), central.url, token, room="A组")
        while client.sync_once().pending:
            pass
        assert main(["central", "purge", "--db", db, "--date", REHEARSAL]) == 2  # says what would go
        assert "加 --yes 确认" in capsys.readouterr().err
        with CentralStore(db, pool_size=1) as held:
            assert {r["date"] for r in held.counts()} == {REHEARSAL, DAY}
        assert main(["central", "purge", "--db", db, "--date", REHEARSAL, "--yes"]) == 0
        assert "已从中心删除 2024-06-19" in capsys.readouterr().err
        client.stop()
    with CentralStore(db, pool_size=1) as held:
        rows = held.counts()
        assert {r["date"] for r in rows} == {DAY} and sum(r["issued"] for r in rows) == 2
    session = Session(store, "A组", DAY, rules)  # the day goes on after the purge: later batches fold
    session.scan("code-later-0001", dt.datetime.fromisoformat(DAY) + dt.timedelta(hours=10))
    with CentralThread(CentralSettings(db=db)) as central:
        client = SyncClient(db_path(tmp_path / "s"), central.url, token, room="A组")
        while client.sync_once().pending:
            pass
        client.stop()
        rows = central.store.counts()
        assert {r["date"] for r in rows} == {DAY} and sum(r["issued"] for r in rows) == 3
    store.close()
