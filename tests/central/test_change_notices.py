"""Change notices only for changes: a station's empty sync (its heartbeat, every few seconds) does not make
the live snapshots be computed again, a sync with events does; and /status.json answers from the snapshot it
holds at once, even while a computation is under way (here: held on a gate)."""

from __future__ import annotations

import random
import threading
import time

import httpx
from central_helpers import extend_station, make_station
from polling import wait_for

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings


def post(central, token, body) -> None:
    r = httpx.post(central.url + "/api/v1/events", json=body, headers={"authorization": f"Bearer {token}"},
                   timeout=30)
    assert r.status_code == 200, r.text


def test_heartbeats_are_no_change_events_are(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}", status_refresh_s=600, status_min_interval_s=0.05,
                               rate_limit_per_s=0)
    with CentralThread(settings) as central:
        hub = central.app.state.hub
        token = accounts.add_station(central.store.db, "R1")[1]
        store = make_station(tmp_path / "st", "R1", 30)
        post(central, token, {"station_id": store.station_id, "events": store.outbox_batch(200)})
        assert wait_for(lambda: '"R1"' in (hub.channels["public"].text or "") and not hub.dirty, timeout=30)
        before = hub.recomputes
        for _ in range(10):
            post(central, token, {"station_id": store.station_id, "events": [], "pending": 0,
                                  "health": {"printer": "ok"}})
        time.sleep(0.5)  # ten heartbeats' worth of time for a recomputation that must not come
        assert not hub.dirty and hub.recomputes == before
        extend_station(store, "R1", 5, rng=random.Random(3))  # a sync with new events is a change
        post(central, token, {"station_id": store.station_id, "events": store.outbox_batch(500)})
        assert wait_for(lambda: hub.recomputes > before, timeout=30)
        store.close()


def test_status_json_answers_at_once_while_a_computation_is_under_way(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}", status_refresh_s=600, status_min_interval_s=0.05)
    with CentralThread(settings) as central:
        hub = central.app.state.hub
        assert wait_for(lambda: hub.channels["public"].text is not None, timeout=30)
        held = hub.channels["public"].text
        gate, started = threading.Event(), threading.Event()
        real = hub.compute["public"]

        def slow() -> str:
            started.set()
            gate.wait(60)
            return real()

        hub.compute["public"] = slow
        hub.mark_dirty()
        assert started.wait(30)
        try:
            r = httpx.get(central.url + "/status.json", timeout=4)  # the old code waited up to 5 s here
            assert r.status_code == 200 and r.text == held
        finally:
            gate.set()
