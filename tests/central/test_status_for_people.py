"""/status for the people who read it (issue 23, items 7 and 8), in headless Chromium against a real centre with
a room synced through the real sync client: a class leader finds their class's count and amount in under a
minute on a phone (已拍 N 人 · 应交 N × fee 元 under the fee rule); the ticket's QR code opens the student's room
with "前面还有 N 人"; and the page never contradicts itself (a late room's badge beside its class 正在拍摄, an
arrival time after the expected start's, a day that is over)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest

from photoqueue.central import admin
from photoqueue.central.dashboard import live
from photoqueue.central.dashboard.devserver import running_server
from photoqueue.central.settings import CentralSettings
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.demo import screenshots
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session
from photoqueue.timetable import load_timetable

from .test_dashboard_words import KEY, hm, noon_zone, run_room, sync


@pytest.fixture(scope="module")
def late_room(tmp_path_factory):
    """A组 today: 甲班 (10) photographed, 乙班 (8) being shot although its slot ended 100 minutes ago, 丙班 (6)
    still to come: the room runs about an hour and a half late."""
    tmp = tmp_path_factory.mktemp("status")
    zone = noon_zone()
    now = dt.datetime.now(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
    m = lambda k: hm(now + dt.timedelta(minutes=k))  # noqa: E731
    path = tmp / "timetable.csv"
    day = now.date().isoformat()
    path.write_text("date,room,location,start,end,class_name,headcount\n"
                    f"{day},A组,11B-101,{m(-120)},{m(-110)},20会计甲班,10\n"
                    f"{day},A组,11B-101,{m(-110)},{m(-100)},20会计乙班,8\n"
                    f"{day},A组,11B-101,{m(-100)},{m(-90)},20会计丙班,6\n", encoding="utf-8")
    db = f"sqlite:///{tmp}/central.db"
    admin.load_timetable(db, path)
    token = admin.add_station(db, "A组")
    timetable = load_timetable(path)
    run_room(tmp / "a", timetable, "A组", now, [("20会计甲班", 10, 10), ("20会计乙班", 4, 1)])
    store = EventStore(db_path(tmp / "a"))  # and a few minutes ago, still on 乙班: two more, one photo
    session = Session(store, "A组", day, Rules(digest_key=KEY))
    for i, code in enumerate(("code-late-1", "code-late-2")):
        session.scan(code, now - dt.timedelta(minutes=4 - i))
    session.handle(cmd.Advance(), now - dt.timedelta(minutes=2))
    store.close()
    with running_server(CentralSettings(db=db, time_zone=zone)) as url:
        sync(tmp / "a", url, token, "A组", {"printer": "ok", "camera": "ok"})
        yield {"url": url, "now": now}


def phone(browser, url, path="/status"):
    context = browser.new_context(viewport=screenshots.PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(url + path)
    page.wait_for_selector(".pcard", timeout=10_000)
    return context, page


def test_a_class_leader_finds_the_count_and_the_amount(late_room, browser, tmp_path):
    context, page = phone(browser, late_room["url"])
    try:
        page.fill("#search", "甲班")
        line = page.locator("li[data-class='20会计甲班'] .leader").inner_text()
        assert line == "已拍 10 人 · 应交 10 × 20 = 200 元（按已拍人数收费）"
        page.fill("#search", "乙班")
        assert page.locator("li[data-class='20会计乙班'] .leader").inner_text().startswith("已拍 2 人")
        page.screenshot(path=str(tmp_path / "status-leader.png"))
    finally:
        context.close()


def test_a_late_room_reads_as_one_story_and_the_ticket_opens_on_its_number(late_room, browser, tmp_path):
    context, page = phone(browser, late_room["url"], "/status?room=A%E7%BB%84&n=15")
    try:
        card = page.locator(".pcard[data-room='A组']")
        badge = card.locator(".badge").inner_text()
        assert badge.startswith("晚 ") and "未开始" not in badge  # beside 正在拍摄 20会计乙班
        assert card.locator(".now-class .cls").inner_text() == "20会计乙班"
        assert card.locator(".mine").inner_text() == "您的号码 15 · 前面还有 2 人"  # 13 is being called
        when = card.locator("li[data-class='20会计丙班'] .when").inner_text()
        expected, arrive = re.search(r"预计 (\d\d:\d\d)", when), re.search(r"请于 (\d\d:\d\d) 前到场", when)
        if arrive:  # asked to arrive before the expected start, never before a slot long gone
            gap = (dt.datetime.strptime(expected.group(1), "%H:%M") - dt.datetime.strptime(arrive.group(1), "%H:%M"))
            assert dt.timedelta(0) <= gap <= dt.timedelta(minutes=15), when
        else:
            assert "请现在到场排队" in when
        page.screenshot(path=str(tmp_path / "status-late.png"))
    finally:
        context.close()


def test_after_the_day_no_room_is_still_shooting():
    view = {"room": "A组", "date": "2024-06-20", "current_class": {"name": "乙班"}, "now_serving": 12,
            "waiting": 3, "late_min": 90, "latest": "2024-06-20T16:00:00",
            "plan": [{"class": "甲班", "status": "done", "status_zh": "已完成", "scheduled_start": "09:00",
                      "scheduled_end": "09:10", "expected_start": "09:00", "expected_end": "09:10",
                      "start_late_min": 0, "headcount": 10},
                     {"class": "乙班", "status": "shooting", "status_zh": "拍摄中", "scheduled_start": "09:10",
                      "scheduled_end": "09:20", "expected_start": "15:00", "expected_end": "16:30",
                      "start_late_min": 350, "headcount": 8}],
            "class_counts": {"甲班": {"photographed": 10, "expected": 10}, "乙班": {"photographed": 3}}}
    during = live.public_view(view, now=dt.datetime(2024, 6, 20, 16, 10))
    assert not during["over"] and during["classes"][1]["status"] == "shooting"
    for later in (dt.datetime(2024, 6, 20, 16, 45), dt.datetime(2024, 6, 21, 8, 0)):  # idle half an hour; next day
        after = live.public_view(view, now=later, fee=(20.0, "photographed"))
        assert after["over"] and after["current_class"] is None and after["now_serving"] is None
        assert [c["status"] for c in after["classes"]] == ["done", "ended"]
        assert after["classes"][1]["fee"] == 60
