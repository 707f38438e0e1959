"""Every integer a request carries, in its path, its query or its body, is bounded: a huge `after`, a huge
command id to cancel, a huge (or non-ASCII digit) command_outcomes key, a huge seq, pending, number or
headcount gets a 4xx, never a 500 (hypothesis over each place an integer goes, against a real server)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings

INTS = (st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from([2**63, 2**63 - 1, -(2**63) - 1, 10**30, 0, -1])
        | st.integers(min_value=2**62, max_value=2**64))
DIGITS = st.text(alphabet="0123456789²٣౪", min_size=1, max_size=40)


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ints")
    settings = CentralSettings(db=f"sqlite:///{tmp / 'c.db'}", rate_limit_per_s=0, login_attempts_per_min=1000)
    with CentralThread(settings) as server:
        accounts.add_user(server.store.db, "staff", "correct horse battery")
        server.token = accounts.add_station(server.store.db, "R1")[1]
        client = httpx.Client(base_url=server.url, timeout=30)
        client.headers["X-CSRF-Token"] = client.post(
            "/api/v1/login", json={"name": "staff", "password": "correct horse battery"}).json()["csrf"]
        server.staff = client
        r = httpx.post(server.url + "/api/v1/events", json={"station_id": "s1", "events": []},
                       headers={"authorization": f"Bearer {server.token}"}, timeout=30)
        assert r.status_code == 200, r.text  # the token is bound to s1: GET /api/v1/events reads its events
        yield server
        client.close()


def station(central) -> dict:
    return {"authorization": f"Bearer {central.token}"}


def test_the_three_500s_of_last_time_are_4xx(central):
    assert httpx.get(central.url + "/api/v1/events", params={"after": 10**30}, headers=station(central),
                     timeout=30).status_code == 200
    assert central.staff.post(f"/api/v1/commands/{10**30}/cancel", json={}).status_code in (404, 422)
    r = httpx.post(central.url + "/api/v1/events", headers=station(central), timeout=30,
                   json={"station_id": "s1", "events": [], "command_outcomes": {"9" * 30: {"outcome": "done"}}})
    assert r.status_code == 422


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(n=INTS, key=DIGITS, place=st.sampled_from(["after", "cancel", "outcome_key", "acked", "pending", "seq",
                                                  "number", "headcount", "target"]))
def test_no_integer_anywhere_gets_a_5xx(central, n, key, place):
    if place == "after":
        r = httpx.get(central.url + "/api/v1/events", params={"after": n}, headers=station(central), timeout=30)
    elif place == "cancel":
        r = central.staff.post(f"/api/v1/commands/{n}/cancel", json={})
    elif place in ("outcome_key", "acked", "pending", "seq"):
        body = {"station_id": "s1", "events": []}
        if place == "outcome_key":
            body["command_outcomes"] = {key: {"outcome": "done"}}
        elif place == "acked":
            body["acked_commands"] = [n]
        elif place == "pending":
            body["pending"] = n
        else:
            body["events"] = [{"seq": n, "type": "scanned", "room": "R1", "date": "2024-06-20"}]
        r = httpx.post(central.url + "/api/v1/events", headers=station(central), json=body, timeout=30)
    elif place == "number":
        r = central.staff.post("/dashboard/api/command", json={"room": "R1", "action": "void", "number": n,
                                                               "reason": "x"})
    elif place == "headcount":
        r = central.staff.post("/api/v1/timetable", json={"slots": [
            {"date": "2024-06-20", "room": "R1", "class": "一班", "headcount": n, "start": None, "end": None}]})
    else:
        r = central.staff.post("/api/v1/commands", json={"room": "R1", "kind": "skip", "args": {"target": n}})
    assert r.status_code < 500, (place, n, key, r.status_code, r.text[:300])
