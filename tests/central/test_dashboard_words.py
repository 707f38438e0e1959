"""What the office and the students meet on the dashboard and /status, in headless Chromium against a real
central server with two rooms synced through the real sync client: the 未取号 split and its sums, a class
over its headcount, the dialogs' defaults, times in the deployment's zone, Chinese badges and the chips'
legend, the phone layout, and /status's days, arrival times, search and labels.

The deployment's time zone is chosen so that its clock reads about noon whenever the test runs, so the
day's slots (an hour ago, now, an hour ahead, tomorrow) never cross midnight."""

from __future__ import annotations

import datetime as dt
import re
import time
import zoneinfo

import httpx
import pytest

from photoqueue.central import admin
from photoqueue.central.dashboard.devserver import running_server
from photoqueue.central.settings import CentralSettings
from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.demo import screenshots
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient
from photoqueue.timetable import load_timetable

STAFF, PASSWORD = "office", "office-password"
KEY = bytes(range(32))


def noon_zone() -> str:
    """A fixed-offset zone whose clock now reads between 11:00 and 13:00."""
    off = 12 - dt.datetime.now(dt.UTC).hour
    off = off - 24 if off > 14 else off + 24 if off < -12 else off
    return "UTC" if off == 0 else f"Etc/GMT{'-' if off > 0 else '+'}{abs(off)}"  # POSIX signs are inverted


def hm(t: dt.datetime) -> str:
    return t.strftime("%H:%M")


def write_timetable(path, now: dt.datetime) -> None:
    """No college column (like the 2024 table). A组: two classes over, one being shot, two later; B组: on its
    last class; tomorrow: A组 with two classes."""
    today, tomorrow = now.date().isoformat(), (now.date() + dt.timedelta(days=1)).isoformat()
    m = lambda k: now + dt.timedelta(minutes=k)  # noqa: E731
    rows = [(today, "A组", m(-90), m(-80), "19补拍班", 3), (today, "A组", m(-70), m(-60), "20财务管理1班", 10),
            (today, "A组", m(-10), m(10), "20会计1班", 12), (today, "A组", m(10), m(20), "20会计2班", 6),
            (today, "A组", m(60), m(70), "21英语1班", 8),
            (today, "B组", m(-20), m(10), "20物流1班", 5),
            (tomorrow, "A组", dt.datetime(2000, 1, 1, 9), dt.datetime(2000, 1, 1, 9, 10), "20财务管理3班", 40),
            (tomorrow, "A组", dt.datetime(2000, 1, 1, 9, 10), dt.datetime(2000, 1, 1, 9, 20), "22市场营销(专升本)", 30)]
    lines = ["date,room,location,start,end,class_name,headcount"]
    lines += [f"{d},{r},11B-10{1 if r == 'A组' else 2},{hm(s)},{hm(e)},{c},{n}" for d, r, s, e, c, n in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_room(data_dir, timetable, room: str, now: dt.datetime, plan) -> None:
    """The room's day up to ``now`` through the real queue core: ``plan`` is [(class, scans, photos)]."""
    store = EventStore(db_path(data_dir))
    session = Session(store, room, now.date().isoformat(), Rules(digest_key=KEY))
    room_day = timetable.room_day(room, now.date())
    t = room_day.classes[0].start_at - dt.timedelta(minutes=3)
    session.load_timetable(room_day, t)
    for k, (name, scans, photos) in enumerate(plan):
        slot = next(c for c in room_day.classes if c.name == name)
        t = max(t, slot.start_at)
        session.handle(cmd.SwitchClass(name), t)
        for i in range(scans):
            t += dt.timedelta(seconds=5)
            session.scan(f"code-{room}-{k}-{i}", t)
        for _ in range(photos):
            t += dt.timedelta(seconds=20)
            session.handle(cmd.Advance(), t)
    store.close()


def sync(data_dir, url, token, room, health) -> None:
    client = SyncClient(db_path(data_dir), url, token, room=room, health=lambda: health)
    try:
        for _ in range(10):
            result = client.sync_once()
            assert result.ok, result.error
            if not result.pending:
                return
    finally:
        client.stop()


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("words")
    zone = noon_zone()
    now = dt.datetime.now(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
    path = tmp / "timetable.csv"
    write_timetable(path, now)
    timetable = load_timetable(path)
    db = f"sqlite:///{tmp}/central.db"
    admin.load_timetable(db, path)
    admin.add_user(db, STAFF, PASSWORD)
    tokens = {room: admin.add_station(db, room) for room in ("A组", "B组")}
    # A组: 19补拍班 all 3 shot; 20财务管理1班 8 of 10 came; 20会计1班 5 scanned so far, 3 shot; then one of
    # 20会计1班's waiting tickets is corrected into 19补拍班 (which is full: one over its headcount)
    run_room(tmp / "a", timetable, "A组", now, [("19补拍班", 3, 3), ("20财务管理1班", 8, 8), ("20会计1班", 5, 3)])
    store = EventStore(db_path(tmp / "a"))
    session = Session(store, "A组", now.date().isoformat(), Rules(digest_key=KEY))
    corrected = session.state.waiting[-1]
    session.handle(cmd.CorrectClass(corrected, "19补拍班"), now)
    store.close()
    run_room(tmp / "b", timetable, "B组", now, [("20物流1班", 3, 1)])
    with running_server(CentralSettings(db=db, time_zone=zone)) as url:
        sync(tmp / "a", url, tokens["A组"], "A组", {"printer": "ok", "camera": "ok"})
        sync(tmp / "b", url, tokens["B组"], "B组", {"printer": "unknown", "camera": "none"})
        yield {"url": url, "now": now, "zone": zone, "corrected": corrected, "timetable": timetable}


def staff_page(browser, url, viewport=screenshots.WALL):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    screenshots.login(page, url, STAFF, PASSWORD)
    page.wait_for_selector(".card .now-serving", timeout=10_000)
    page.wait_for_selector("#classes tbody tr.data", timeout=10_000)
    return context, page


def table(page, selector):
    """The table's visible rows as dicts heading -> text."""
    return page.evaluate("""(sel) => {
        const t = document.querySelector(sel);
        const heads = [...t.querySelectorAll("thead th")].map((th) => th.dataset.key);
        return [...t.querySelectorAll("tbody tr.data")].map((tr) => Object.fromEntries(
            [...tr.children].map((td, i) => [heads[i], td.firstChild ? td.firstChild.textContent : ""])));
    }""", selector)


def n(value: str) -> int:
    return int(value or 0)


# --- the office's counts --------------------------------------------------------------------------


def test_not_seen_is_split_into_absent_and_not_yet_due_and_every_row_adds_up(day, browser):
    context, page = staff_page(browser, day["url"])
    try:
        rows = {r["class"]: r for r in table(page, "#classes")}
        # the class the room finished with two never seen: absent; the class being shot and the later one:
        # not yet due, however many have not come
        assert n(rows["20财务管理1班"]["absent"]) == 2 and n(rows["20财务管理1班"]["not_started"]) == 0
        assert n(rows["20会计1班"]["absent"]) == 0 and n(rows["20会计1班"]["not_started"]) == 12 - 4
        assert n(rows["21英语1班"]["not_started"]) == 8 and n(rows["21英语1班"]["absent"]) == 0
        assert n(rows["20物流1班"]["not_started"]) == 2
        for name, r in rows.items():  # every row, and the 合计 row, adds up
            left = sum(n(r[k]) for k in ("photographed", "skipped", "waiting", "absent", "not_started"))
            assert left == n(r["expected"]) + n(r.get("over", "0")), name
            assert n(r["issued"]) == sum(n(r[k]) for k in ("photographed", "skipped", "waiting", "voided") if k in r), name
        total = rows["合计"]
        assert n(total["absent"]) == 2
        tiles = {el.get_attribute("data-field"): el.inner_text() for el in page.query_selector_all(".tile .v")}
        assert n(tiles["absent"]) == 2 and n(tiles["not_started"]) == n(total["not_started"])
        assert "未到（已过时段）" in page.inner_text("#classes thead") and "未开始" in page.inner_text("#classes thead")
        check = page.inner_text("#sum-check")
        assert f"应拍 {total['expected']}" in check and "超出应拍 1" in check
        # the make-up list holds the finished class, not the ones still to come
        makeup = {r["class"] for r in table(page, "#makeup")}
        assert "20财务管理1班" in makeup and "21英语1班" not in makeup and "20会计1班" not in makeup
    finally:
        context.close()


def test_a_class_over_its_headcount_is_shown_as_such(day, browser):
    context, page = staff_page(browser, day["url"])
    try:
        row = page.locator("#classes tbody tr.data", has_text="19补拍班")
        assert "over" in row.get_attribute("class")
        assert "超出应拍 1 人" in row.inner_text()
        rows = {r["class"]: r for r in table(page, "#classes")}
        assert n(rows["19补拍班"]["over"]) == 1  # 4 tickets for 3 students
        assert all(n(r["over"]) == 0 for name, r in rows.items() if name not in ("19补拍班", "合计"))
    finally:
        context.close()


def test_an_empty_college_column_and_the_useless_college_totals_are_hidden(day, browser):
    context, page = staff_page(browser, day["url"])
    try:
        heads = page.eval_on_selector_all("#classes thead th", "(ths) => ths.map((th) => th.textContent)")
        assert "学院" not in heads and "班级" in heads
        assert not page.is_visible("#colleges-wrap")
    finally:
        context.close()


# --- the words on the cards -----------------------------------------------------------------------


def test_every_badge_is_chinese_and_the_chips_have_a_legend(day, browser):
    context, page = staff_page(browser, day["url"])
    try:
        b = page.locator(".card[data-room='B组'] .health").inner_text()
        assert "未接摄像头" in b and "none" not in b and "打印机状态未知" in b
        legend = page.inner_text("#legend")
        for word in ("排队中", "正在拍摄", "已拍", "过号", "作废"):
            assert word in legend
        for chip in page.query_selector_all(".card .ticket"):  # each chip says its status in words too
            assert re.search(r"排队中|正在拍摄|已拍|过号|作废", chip.get_attribute("title"))
    finally:
        context.close()


def test_command_times_are_in_the_deployments_time_zone(day, browser):
    with httpx.Client(base_url=day["url"]) as client:
        assert client.post("/api/v1/login", json={"name": STAFF, "password": PASSWORD}).status_code == 200
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
        room = next(v for v in client.get("/dashboard/api/snapshot").json()["rooms"] if v["room"] == "A组")
        # a ticket still in line: the centre refuses, before queueing, a void the station would refuse
        number = next(int(n) for n, (_, status) in room["tickets"].items() if status in ("waiting", "called"))
        r = client.post("/dashboard/api/command", headers={"X-CSRF-Token": token},
                        json={"room": "A组", "action": "void", "number": number, "reason": "重复取号"})
        assert r.status_code == 200, r.text
        created = None
        for _ in range(50):  # the snapshot is shared for push_interval_s: the next one has the command
            created = next((c for c in client.get("/dashboard/api/snapshot").json()["commands"]
                            if c["id"] == r.json()["id"]), None)
            if created:
                break
            time.sleep(0.1)
        assert created
    local = dt.datetime.fromisoformat(created["created_at"]).astimezone(zoneinfo.ZoneInfo(day["zone"]))
    context, page = staff_page(browser, day["url"])
    try:
        page.wait_for_selector("#commands tbody tr.data")
        first = table(page, "#commands")[0]
        assert first["time"] == local.strftime("%m-%d %H:%M:%S")
        assert day["zone"] in page.inner_text("#commands thead") or day["zone"] == "UTC"
    finally:
        context.close()


# --- dialogs ------------------------------------------------------------------------------------------


def test_switch_class_defaults_to_the_next_class(day, browser):
    context, page = staff_page(browser, day["url"])
    try:
        page.locator(".card[data-room='A组'] button", has_text="切换到下一班级").click()
        assert page.input_value("#f-class") == "20会计2班"  # after 20会计1班, not the day's first class
    finally:
        context.close()


def test_switch_class_on_the_last_class_defaults_to_staying_and_refuses_a_no_op(day, browser):
    context, page = staff_page(browser, day["url"])
    try:
        page.locator(".card[data-room='B组'] button", has_text="切换到下一班级").click()
        assert page.input_value("#f-class") == "20物流1班"
        assert "最后一个班级" in page.inner_text("#action-note")
        page.click("#action-ok")
        assert "无需切换" in page.inner_text("#action-msg")
    finally:
        context.close()


def test_correct_class_asks_the_ticket_first_and_preselects_no_class(day, browser):
    context, page = staff_page(browser, day["url"])
    try:
        page.locator(".card[data-room='A组'] button", has_text="更正班级").click()
        order = page.eval_on_selector("#action-form", "(f) => [...f.querySelectorAll('input, select')]"
                                                      ".filter((e) => e.offsetParent).map((e) => e.id)")
        assert order == ["f-number", "f-class"]
        assert page.input_value("#f-class") == ""  # not the first class: a choice must be made
        page.click("#action-ok")
        assert "拍摄号" in page.inner_text("#action-msg")
        page.fill("#f-number", "5")
        assert "20财务管理1班" in page.inner_text("#f-number-info")
        assert page.is_disabled("#f-class option[value='20财务管理1班']")  # where it already is
        page.click("#action-ok")
        assert "请选择正确的班级" in page.inner_text("#action-msg")
        page.fill("#f-number", "999")
        assert "还没有发出 999 号" in page.inner_text("#f-number-info")
    finally:
        context.close()


# --- the phone ----------------------------------------------------------------------------------------


def test_on_a_phone_the_tables_show_class_photographed_and_fee_and_the_rest_behind_a_tap(day, browser):
    context, page = staff_page(browser, day["url"], screenshots.PHONE)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= screenshots.PHONE["width"]
        visible = page.eval_on_selector_all("#classes thead th", "(ths) => ths.filter((th) => th.offsetParent)"
                                                                 ".map((th) => th.textContent)")
        assert visible == ["班级", "已拍", "应收费用(元)"]
        detail = page.locator("#classes tbody tr.detail").first
        assert not detail.is_visible()
        page.locator("#classes tbody tr.data").first.click()
        assert detail.is_visible() and "应拍" in detail.inner_text() and "未到（已过时段）" in detail.inner_text()
        for table_id in ("#classes", "#makeup"):
            assert page.eval_on_selector(table_id, "(t) => t.scrollWidth <= t.parentElement.clientWidth")
    finally:
        context.close()


# --- /status ----------------------------------------------------------------------------------------


def status_page(browser, url):
    context = browser.new_context(viewport=screenshots.PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/status")
    page.wait_for_selector(".pcard", timeout=10_000)
    return context, page


def test_status_shows_the_date_and_a_tab_per_day(day, browser):
    context, page = status_page(browser, day["url"])
    try:
        today, tomorrow = day["now"].date(), day["now"].date() + dt.timedelta(days=1)
        assert f"{today.month}月{today.day}日" in page.inner_text("#day") and "今天" in page.inner_text("#day")
        tabs = page.locator("#tabs .tab")
        assert tabs.count() == 2
        assert page.locator(".pcard[data-room='A组'] li[data-class='21英语1班']").count() == 1
        tabs.nth(1).click()
        assert f"{tomorrow.month}月{tomorrow.day}日" in page.inner_text("#day")
        assert page.locator("li[data-class='20财务管理3班']").count() == 1
        assert page.locator("li[data-class='21英语1班']").count() == 0
    finally:
        context.close()


def test_status_says_when_to_arrive_fifteen_minutes_before_the_slot(day, browser):
    context, page = status_page(browser, day["url"])
    try:
        slot = next(c for c in day["timetable"].room_day("A组", day["now"].date()).classes if c.name == "21英语1班")
        arrive = hm(slot.start_at - dt.timedelta(minutes=15))
        assert f"请于 {arrive} 前到场" in page.locator("li[data-class='21英语1班']").inner_text()
        # 20会计2班's arrival time (its slot in 10 minutes, less 15) has passed: come now, not a time gone by
        assert "请现在到场排队" in page.locator("li[data-class='20会计2班']").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("query", ["２０财务", "20财务", " 20 财务 "])
def test_status_search_ignores_full_and_half_width_and_finds_classes_on_every_day(day, browser, query):
    context, page = status_page(browser, day["url"])
    try:
        page.fill("#search", query)
        found = page.eval_on_selector_all("li[data-class]", "(li) => li.map((x) => x.dataset.class)")
        assert {"20财务管理1班", "20财务管理3班"} <= set(found)  # today's, and tomorrow's on its day
        heads = page.inner_text("#rooms")
        tomorrow = day["now"].date() + dt.timedelta(days=1)
        assert f"{tomorrow.month}月{tomorrow.day}日" in heads and "没有找到" not in heads
    finally:
        context.close()


def test_status_a_class_only_on_another_day_is_found_there_not_reported_missing(day, browser):
    context, page = status_page(browser, day["url"])
    try:
        page.fill("#search", "市场营销")
        text = page.inner_text("#rooms")
        assert "没有找到" not in text and "22市场营销(专升本)" in text and "请于 08:55 前到场" in text  # its slot: 09:10
        page.fill("#search", "无此班级")
        assert "没有找到" in page.inner_text("#rooms")
    finally:
        context.close()


def test_status_a_finished_class_says_what_to_do_if_you_were_missed(day, browser):
    context, page = status_page(browser, day["url"])
    try:
        page.fill("#search", "20财务管理1班")
        item = page.locator("li[data-class='20财务管理1班']").inner_text()
        assert "已拍完" in item and "班长" in item and "补拍" in item
        page.fill("#search", "")
        done = page.locator(".pcard[data-room='A组'] details.done-list")
        assert "已拍完的班级（2 个）" in done.inner_text()
        done.locator("summary").click()
        assert done.locator("li").count() == 2 and "补拍" in done.inner_text()
    finally:
        context.close()


def test_status_labels_do_not_wrap_on_a_phone(day, browser):
    context, page = status_page(browser, day["url"])
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= screenshots.PHONE["width"]
        for label in page.query_selector_all(".pcard .now .label"):
            lines = page.evaluate("(el) => el.getClientRects().length === 1 && "
                                  "el.getBoundingClientRect().height < 1.6 * parseFloat(getComputedStyle(el).fontSize)",
                                  label)
            assert lines, label.inner_text()
    finally:
        context.close()
