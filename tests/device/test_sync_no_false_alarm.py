"""`make demo` logged "the centre's copy ends … (restored from a backup?)" with no fault (issue 23, item 12): a
station numbered between the moment a sync round read its (empty) outbox and the centre's answer, so the log was
ahead of the centre's high-water while the new events sat in the outbox. That is the next batch, not a loss:
no warning, nothing re-queued. A real centre on 127.0.0.1, the real sync client, real SQLite files."""

import datetime as dt
import logging

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient


def test_events_numbered_during_a_round_are_the_next_batch_not_a_lost_copy(tmp_path, caplog):
    session = Session(EventStore(db_path(tmp_path / "s")), "A组", "2024-06-20", Rules(digest_key=b"k" * 32))
    at = dt.datetime(2024, 6, 20, 9, 30)
    session.scan("code-0001", at)
    with CentralThread(CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}")) as central:
        token = accounts.add_station(central.store.db, "A组")[1]
        client = SyncClient(db_path(tmp_path / "s"), central.url, token, room="A组")
        try:
            while client.sync_once().pending:
                pass
            store = client._open_store()
            before = store.outbox_size()
            session.scan("code-0002", at)  # numbered while the round below was on its way
            with caplog.at_level(logging.WARNING, logger="photoqueue.device.sync.client"):
                client._accepted(store, [], {"high_water": store.last_seq() - 1, "acked_commands": []})
            assert "restored from a backup" not in caplog.text
            assert store.outbox_size() == before + 1  # the new event, once: the next batch
        finally:
            client.stop()
            session.store.close()
