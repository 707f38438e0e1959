"""A login flood does not stall sync: password hashing runs only in its own small pool (never in the threads
that serve syncs and pages), and logins beyond a short queue get 429 with Retry-After at once. The hash is
held on a gate here, so which logins wait and which are refused does not depend on the machine's speed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from central_helpers import make_station
from polling import wait_for

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings

PASSWORD = "correct horse battery"


def test_a_login_flood_queues_briefly_gets_429_beyond_and_never_takes_the_sync_threads(tmp_path, monkeypatch):
    central = CentralThread(CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}", login_attempts_per_min=1000,
                                            rate_limit_per_s=0)).start()
    try:
        accounts.add_user(central.store.db, "staff", PASSWORD)
        token = accounts.add_station(central.store.db, "R1")[1]
        store = make_station(tmp_path / "st", "R1", 30)

        gate, threads = threading.Event(), []
        real_scrypt = accounts.scrypt

        def gated_scrypt(*args, **kwargs):
            threads.append(threading.current_thread().name)
            gate.wait(60)
            return real_scrypt(*args, **kwargs)

        monkeypatch.setattr(accounts, "scrypt", gated_scrypt)

        def login(i: int) -> httpx.Response:
            return httpx.post(central.url + "/api/v1/login", json={"name": "staff", "password": f"wrong {i}"},
                              timeout=90)

        flood = 20
        with ThreadPoolExecutor(flood) as pool:
            answers = [pool.submit(login, i) for i in range(flood)]
            refused = lambda: [a.result() for a in answers if a.done() and a.result().status_code == 429]  # noqa: E731
            assert wait_for(lambda: len(refused()) == flood - accounts.LOGIN_QUEUE, timeout=60), len(refused())
            assert all(r.headers.get("retry-after") for r in refused())
            # meanwhile a station's sync is served
            body = {"station_id": store.station_id, "events": store.outbox_batch(200)}
            r = httpx.post(central.url + "/api/v1/events", json=body, headers={"authorization": f"Bearer {token}"},
                           timeout=30)
            assert r.status_code == 200
            assert httpx.get(central.url + "/api/v1/counts", timeout=30).status_code == 200
            gate.set()
            codes = sorted(a.result().status_code for a in answers)
        assert codes == [401] * accounts.LOGIN_QUEUE + [429] * (flood - accounts.LOGIN_QUEUE)
        assert threads and all(name.startswith("password-hash") for name in threads), set(threads)
        store.close()
        # the queue is empty again: a right password logs in
        ok = httpx.post(central.url + "/api/v1/login", json={"name": "staff", "password": PASSWORD}, timeout=90)
        assert ok.status_code == 200
    finally:
        central.stop()
