"""Send a phone only what it shows: /status.json (the plan) once, gzip, with an ETag (an unchanged poll is a
304); the /status/live stream a version and then patches of only what changed, from one version to the
next, at most 2 KB for a change in a full-size day; and the /status page in Chromium keeps itself current
from the patches without fetching /status.json again."""

from __future__ import annotations

import copy
import json
import random
import socket

import httpx
from central_helpers import extend_station, make_station

from photoqueue.central import accounts, livepatch
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings


def full_day(rooms: int = 20, days: int = 2, classes: int = 25) -> dict:
    """A public snapshot the size of the held-out day: 20 rooms x 2 days, 25 classes each."""
    def room(d: int, r: int) -> dict:
        return {"room": f"第{r}组", "date": f"2024-06-{20 + d}", "location": f"教学楼{r}01", "current_class": "班级1",
                "now_serving": 17, "waiting": 6, "late_min": 3, "clock": "10:20", "online": True,
                "classes": [{"class": f"2021级某某专业{c}班", "status": "waiting", "status_zh": "待拍",
                             "scheduled_start": f"{8 + c // 4:02d}:{c % 4 * 15:02d}",
                             "expected_start": f"{8 + c // 4:02d}:{c % 4 * 15 + 3:02d}",
                             "expected_end": f"{8 + c // 4:02d}:{c % 4 * 15 + 14:02d}", "start_late_min": 3,
                             "arrive_by": f"{7 + c // 4:02d}:{c % 4 * 15:02d}"} for c in range(classes)]}
    out_days = [{"date": f"2024-06-{20 + d}", "label": f"6月{20 + d}日", "today": d == 0,
                 "rooms": [room(d, r) for r in range(rooms)]} for d in range(days)]
    return {"date": "2024-06-20", "today": "2024-06-20", "clock": "10:20", "rooms": out_days[0]["rooms"],
            "days": out_days, "arrive_early_min": 15}


def test_a_change_in_one_room_of_a_full_day_is_a_patch_under_2_kb():
    before = full_day()
    after = copy.deepcopy(before)
    room = after["days"][0]["rooms"][4]
    room["now_serving"], room["waiting"], room["late_min"] = 18, 5, 7  # the next number, later by 4 minutes
    for c in room["classes"][1:]:
        c["expected_start"], c["expected_end"], c["start_late_min"] = "12:59", "13:10", 7
    room["classes"][0]["status"], room["classes"][0]["status_zh"] = "shooting", "拍摄中"
    state = livepatch.LiveChannelState()
    whole = livepatch.sse("snapshot", before)
    state.update(json.dumps(before, ensure_ascii=False))
    first = state.version
    state.update(json.dumps(after, ensure_ascii=False))
    assert len(whole) > 50_000  # what every phone got on every change before
    assert state.step.startswith(b"event: live\n") and len(state.step) <= 2048, len(state.step)
    patch = json.loads(state.step.split(b"data: ", 1)[1])
    assert patch["base"] == first and patch["v"] == state.version
    assert list(patch["rooms"]) == ["0.4"]  # the first day's fifth room
    change = patch["rooms"]["0.4"]
    assert change["now_serving"] == 18 and "location" not in change and "room" not in change
    assert len(change["c"]) == 25 and change["c"]["3"] == {"expected_start": "12:59", "expected_end": "13:10"}
    # a new class in the timetable is a plan change: phones fetch /status.json again
    after["days"][1]["rooms"][0]["classes"].append(dict(after["days"][1]["rooms"][0]["classes"][0], **{"class": "新班"}))
    state.update(json.dumps(after, ensure_ascii=False))
    assert state.step.startswith(b"event: plan\n")


def read_events(sock: socket.socket, want: int) -> list[tuple[str, dict]]:
    buf, out = b"", []
    while len(out) < want:
        chunk = sock.recv(65536)
        assert chunk, buf
        buf += chunk
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            lines = dict(line.split(": ", 1) for line in block.decode().splitlines() if ": " in line)
            if "event" in lines:
                out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_the_live_stream_says_its_version_then_sends_patches_and_status_json_is_gzip_with_an_etag(tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}", status_min_interval_s=0.05, rate_limit_per_s=0)
    with CentralThread(settings) as central:
        token = accounts.add_station(central.store.db, "R1")[1]
        store = make_station(tmp_path / "st", "R1", 30)
        post = lambda: httpx.post(central.url + "/api/v1/events",  # noqa: E731
                                  json={"station_id": store.station_id, "events": store.outbox_batch(500)},
                                  headers={"authorization": f"Bearer {token}"}, timeout=30)
        assert post().status_code == 200
        central.app.state.hub.mark_dirty()
        r = httpx.get(central.url + "/status.json", headers={"accept-encoding": "gzip"}, timeout=30)
        assert r.headers["content-encoding"] == "gzip" and r.json()["rooms"]
        etag = r.headers["etag"]
        again = httpx.get(central.url + "/status.json", headers={"if-none-match": etag}, timeout=30)
        assert again.status_code in (200, 304)
        if again.status_code == 304:
            assert again.content == b""

        host, port = central.url.removeprefix("http://").split(":")
        sock = socket.create_connection((host, int(port)), timeout=30)
        sock.sendall(f"GET /status/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        (kind, hello), = read_events(sock, 1)
        assert kind == "hello" and hello["v"]
        extend_station(store, "R1", 6, rng=random.Random(5))
        assert post().status_code == 200
        kind, patch = read_events(sock, 1)[0]
        assert kind == "live" and patch["base"] == hello["v"] and patch["v"] != hello["v"]
        assert set(patch.get("rooms", {})) <= {"0.0"}  # R1, the one room of the one day
        now = httpx.get(central.url + "/status.json", timeout=30)
        assert now.headers["etag"] == f'"{patch["v"]}"'
        sock.close()
        store.close()


def test_the_status_page_follows_the_patches_without_fetching_the_plan_again(tmp_path, browser):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}", status_min_interval_s=0.05, rate_limit_per_s=0)
    with CentralThread(settings) as central:
        token = accounts.add_station(central.store.db, "R1")[1]
        today = DashboardSettings().now().date().isoformat()  # a past day is shown as over, without numbers
        store = make_station(tmp_path / "st", "R1", 30, date=today)

        def sync() -> None:
            r = httpx.post(central.url + "/api/v1/events", json={"station_id": store.station_id,
                                                                 "events": store.outbox_batch(500)},
                           headers={"authorization": f"Bearer {token}"}, timeout=30)
            assert r.status_code == 200

        sync()
        page = browser.new_page()
        plan_fetches = []
        page.on("request", lambda req: plan_fetches.append(req.url) if "/status.json" in req.url else None)
        page.goto(central.url + "/status")
        page.wait_for_selector("article.pcard[data-room='R1']", timeout=30_000)
        page.wait_for_selector("#conn:has-text('实时更新')", timeout=30_000)
        fetched = len(plan_fetches)
        central.store.catch_up()
        serving_before = central.store.room_state("R1").called
        rng = random.Random(11)
        while True:  # until the number called changes
            extend_station(store, "R1", 3, rng=rng, date=today)
            sync()
            central.store.catch_up()
            state = central.store.room_state("R1")
            if state.called != serving_before and state.called is not None:
                break
        want = str(state.called)
        page.wait_for_selector(f"article.pcard[data-room='R1'] .num:text-is('{want}')", timeout=30_000)
        assert len(plan_fetches) == fetched, plan_fetches  # the patch did it, not another /status.json
        page.close()
        store.close()
