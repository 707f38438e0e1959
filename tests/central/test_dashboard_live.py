"""Each room's live view (pure): pace, minutes behind, when each class is expected, and the public form."""

import dataclasses
import datetime as dt
import json
import re
import types
from pathlib import Path

from photoqueue.central.dashboard import live
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.dashboard.snapshot import SnapshotCache
from photoqueue.core import commands as cmd
from photoqueue.core import queue
from photoqueue.core.state import Rules, SessionState
from photoqueue.settings import problems

DAY = dt.date(2024, 6, 1)
PLAN = ({"name": "会计1班", "headcount": 20, "start": "09:00", "end": "09:05"},
        {"name": "会计2班", "headcount": 30, "start": "09:05", "end": "09:15"},
        {"name": "英语1班", "headcount": 30, "start": "09:30", "end": "09:40"})


def at(hh, mm, ss=0):
    return dt.datetime.combine(DAY, dt.time(hh, mm, ss))


def room(pace_s=20, photos=15, room_name="A组"):
    """A room that started at 09:00 and photographs one student every ``pace_s`` seconds."""
    state = SessionState(room=room_name, date=DAY.isoformat())
    rules = Rules(digest_key=b"k" * 32)
    t = at(8, 55)
    queue.step(state, cmd.LoadTimetable(PLAN), t, rules)
    t = at(9, 0)
    for i in range(photos + 3):
        queue.step(state, cmd.Scan(f"student-code-{i:04d}"), t, rules)
    for _ in range(photos):
        t += dt.timedelta(seconds=pace_s)
        queue.step(state, cmd.Advance(), t, rules)
    return state, t


def test_pace_is_measured_from_the_photos_once_there_are_enough():
    state, t = room(pace_s=20, photos=15)
    view = live.room_view(state, None, t)
    assert view["pace_source"] == "measured" and view["pace_s"] == 20.0
    few, t2 = room(pace_s=20, photos=5)
    view = live.room_view(few, None, t2, default_pace_s=11.0)
    assert view["pace_source"] == "default" and view["pace_s"] == 11.0


def test_a_slow_room_shows_minutes_behind_and_later_classes_move_with_it():
    state, t = room(pace_s=20, photos=15)  # 20 students in a 5-minute slot at 20 s: done at 09:06:40
    view = live.room_view(state, None, t)
    assert view["current_class"]["name"] == "会计1班"
    assert view["late_min"] == 2
    plan = {c["class"]: c for c in view["plan"]}
    assert plan["会计1班"]["status"] == "shooting"
    assert plan["会计2班"]["expected_start"] == "09:06" and plan["会计2班"]["scheduled_start"] == "09:05"
    assert plan["英语1班"]["expected_start"] == "09:30"  # its slot is later than the room will be free
    assert view["next_class"]["class"] == "会计2班"


def test_a_fast_room_runs_ahead():
    state, t = room(pace_s=5, photos=15)
    assert live.room_view(state, None, t)["late_min"] < 0


def test_the_staff_view_carries_station_health_and_recent_tickets():
    state, t = room()
    station = {"station_id": "s1", "online": True, "last_seen_at": "x", "seconds_since_seen": 7.3,
               "outbox_pending": 0, "health": {"printer": "failing", "camera_frames": 0, "alerts": ["缺纸"]}}
    view = live.room_view(state, station, t)
    assert (view["printer"], view["camera"], view["alerts"], view["seen_ago_s"]) == ("failing", "no_frames",
                                                                                   ["缺纸"], 5)
    assert view["now_serving"] == 16 and view["waiting"] == 2 and view["last_number"] == 18
    assert [r["number"] for r in view["recent"]][:3] == [18, 17, 16]


def test_a_stations_unhealthy_parts_are_on_its_card_before_its_screen_alerts():
    state, t = room()
    station = {"station_id": "s1", "online": True, "seconds_since_seen": 1,
               "health": {"healthy": False, "unhealthy": {"clock": "not synchronised (connect the network)"},
                          "alerts": ["缺纸"]}}
    view = live.room_view(state, station, t)
    assert view["unhealthy"] == {"clock": "not synchronised (connect the network)"}
    assert view["alerts"] == ["clock: not synchronised (connect the network)", "缺纸"]


def test_the_public_view_has_no_digests_and_no_numbers_but_the_one_being_served():
    state, t = room()
    pub = live.public_view(live.room_view(state, None, t))
    text = json.dumps(pub, ensure_ascii=False)
    assert not re.search(r"[0-9a-f]{16}", text)
    assert set(pub) == {"room", "date", "location", "current_class", "now_serving", "waiting", "late_min", "clock",
                        "online", "over", "classes"}
    assert pub["now_serving"] == 16
    assert all(set(c) == {"class", "status", "status_zh", "scheduled_start", "expected_start", "expected_end",
                          "start_late_min", "arrive_by", "photographed"} for c in pub["classes"])


def test_a_session_numbered_on_another_day_is_read_at_its_times_of_day():
    state, t = room()
    moved = state.copy()
    moved.date = "2023-10-25"  # the CLI's --date: the events carry today's wall clock
    view = live.room_view(moved, None, t)
    assert view["late_min"] == live.room_view(state, None, t)["late_min"]


def test_a_room_without_station_data_shows_its_timetable():
    from photoqueue.timetable.model import ClassSlot, RoomDay

    day = RoomDay(DAY, "B组", (ClassSlot(DAY, "B组", "商务1班", 40, dt.time(10, 0), dt.time(10, 10), location="101"),))
    view = live.scheduled_view(day)
    assert view["classes"][0]["expected_start"] == "10:00" and view["location"] == "101"


def test_settings_validate_every_field_and_come_from_the_service_settings():
    assert problems(DashboardSettings()) == []
    bad = DashboardSettings(fee_yuan=-1, push_interval_s=0, keepalive_s=0, default_pace_s=0, min_intervals=0,
                            max_gap_s=0, recent_commands=-1, time_zone="Mars/Olympus", arrive_early_min=-5)
    assert len(problems(bad)) == 9
    app = types.SimpleNamespace(state=types.SimpleNamespace(settings=types.SimpleNamespace(fee_yuan=25.0, port=1)))
    assert DashboardSettings.from_app(app).fee_yuan == 25.0


def test_every_setting_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "dashboard.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(DashboardSettings):
        assert f.metadata["help"]
        assert f"`{f.name}`" in doc, f.name


def test_snapshot_cache_computes_once_while_fresh():
    calls = []
    cache = SnapshotCache(max_age_s=60)
    for _ in range(3):
        assert cache.get("staff", lambda: calls.append(1) or {"n": len(calls)}) == '{"n":1}'
    assert len(calls) == 1


def test_the_fee_is_a_service_setting():
    """`central serve --set fee_yuan=25` reaches the dashboard's fees."""
    from types import SimpleNamespace

    from photoqueue.central.settings import CentralSettings

    service = CentralSettings().with_values({"fee_yuan": "25"})
    app = SimpleNamespace(state=SimpleNamespace(settings=service))
    assert DashboardSettings.from_app(app).fee_yuan == 25.0
    assert problems(CentralSettings(fee_yuan=-1)) == ["fee_yuan: -1 is not between 0 and 10000"]
