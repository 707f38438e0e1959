"""The dashboard's "更换设备" and "另存记录" on a real server and headless Chromium: a room card shows the events
of a second station the centre set aside; staff replace the room's Pi with a confirm step (the room's name
typed again) and see the new token once; the old token is revoked and the new one adopts the old id."""

from __future__ import annotations

import contextlib
import re

import httpx
import pytest
from central_helpers import make_station

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.demo import screenshots

STAFF, PASSWORD = "office", "office-password"


@pytest.fixture
def room_with_a_spare(db_url, tmp_path):
    """R1 numbered by station a; a spare Pi (station b, its own token) refused and set aside."""
    with CentralThread(CentralSettings(db=db_url, rate_limit_per_s=100, rate_burst=100)) as central:
        db = central.store.db
        accounts.add_user(db, STAFF, PASSWORD)
        first, spare = accounts.add_station(db, "R1")[1], accounts.add_station(db, "R1")[1]
        a = make_station(tmp_path / "a", "R1", 40, seed=1)
        b = make_station(tmp_path / "b", "R1", 12, seed=2)
        for token, st in ((first, a), (spare, b)):
            httpx.post(central.url + "/api/v1/events", json={"station_id": st.station_id,
                                                              "events": st.outbox_batch(500)},
                       headers={"authorization": f"Bearer {token}"}, timeout=20)
        yield central, first, a.station_id, b.station_id
        a.close()
        b.close()


@contextlib.contextmanager
def staff_client(url):
    with httpx.Client(base_url=url, timeout=30) as client:
        yield _logged_in(client)


def _logged_in(client):
    assert client.post("/api/v1/login", json={"name": STAFF, "password": PASSWORD}).status_code == 200
    page = client.get("/").text
    client.headers["X-CSRF-Token"] = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client


def test_replacing_needs_a_login_the_csrf_token_and_the_rooms_name(room_with_a_spare):
    central, first, sid, _ = room_with_a_spare
    body = {"room": "R1", "confirm": "R1"}
    assert httpx.post(central.url + "/dashboard/api/replace-station", json=body).status_code == 401
    with staff_client(central.url) as staff:
        token = staff.headers.pop("X-CSRF-Token")
        assert staff.post("/dashboard/api/replace-station", json=body).status_code == 403
        r = staff.post("/dashboard/api/replace-station", json={"room": "R1", "confirm": "R2"},
                       headers={"X-CSRF-Token": token})
        assert r.status_code == 422 and r.json()["reason"] == "not_confirmed"
        assert central.store.authenticate(first) is not None  # nothing was revoked
        r = staff.post("/dashboard/api/replace-station", json=body, headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.text
        assert r.json()["station_id"] == sid and r.json()["revoked"] == 1
        assert central.store.authenticate(first) is None
        reg = central.store.authenticate(r.json()["token"])
        assert reg.station_id == sid and reg.takeover


def test_the_card_shows_the_set_aside_events_and_replaces_the_pi(room_with_a_spare, browser):
    central, first, sid, spare_sid = room_with_a_spare
    page = browser.new_page()
    screenshots.login(page, central.url, STAFF, PASSWORD)
    card = page.locator('.card[data-room="R1"]')
    notice = card.locator(".set-aside")
    notice.wait_for(timeout=15_000)
    assert "另存" in notice.inner_text() and spare_sid[:8] in notice.inner_text()
    assert page.locator('.card[data-room="R1"]').count() == 1  # the spare is no second card

    card.locator("button.replace-station").click()
    dialog = page.locator("dialog.replace-dialog")
    dialog.locator("input").fill("R2")
    dialog.locator("button:has-text('确认更换')").click()
    dialog.locator(".msg.err").wait_for(timeout=5_000)
    assert central.store.authenticate(first) is not None  # a wrong name replaces nothing

    dialog.locator("input").fill("R1")
    dialog.locator("button:has-text('确认更换')").click()
    shown = dialog.locator("pre.new-token")
    shown.wait_for(timeout=10_000)
    token = shown.inner_text().strip()
    reg = central.store.authenticate(token)
    assert reg is not None and reg.station_id == sid and reg.takeover
    assert central.store.authenticate(first) is None
    dialog.locator("button:has-text('关闭')").click()
    assert page.locator("dialog.replace-dialog").count() == 0  # the token is not kept on the page
    page.close()
