"""The dashboard against a real central server on 127.0.0.1, a station made with the real CLI and synced
through the real sync client, and headless Chromium (Debian's /usr/bin/chromium through Playwright)."""

import datetime as dt
import io
import json
import re

import httpx
import openpyxl
import pytest
from clirun import run_cli
from PIL import Image

from photoqueue.central import admin
from photoqueue.central.dashboard.devserver import running_server
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.settings import CentralSettings
from photoqueue.core.state import Rules
from photoqueue.demo import screenshots
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.export import write_xlsx
from photoqueue.device.store.keyfile import load_key
from photoqueue.device.store.session import Session
from photoqueue.device.sync.client import SyncClient

ROOM, DATE = "A组", "2020-09-13"
STAFF, PASSWORD = "office", "office-password"


def pq(*args):
    r = run_cli(*args, check=True)  # in process (tests/clirun.py)
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


class Station:
    """A station data dir driven by the CLI and synced through the real sync client."""

    def __init__(self, data_dir, url, token, timetable):
        self.data_dir, self.timetable = data_dir, timetable
        self.session_args = ["--data-dir", str(data_dir), "--room", ROOM, "--date", DATE]
        self.client = SyncClient(db_path(data_dir), url, token, room=ROOM,
                                 health=lambda: {"printer": "ok", "camera_frames": 42}, on_command=self.apply)
        self.counter = 0

    def scan(self, n=1):
        codes = []
        for _ in range(n):
            self.counter += 1
            codes.append(f"collection-code-{self.counter:05d}")
        return [line["number"] for line in pq("scan", *self.session_args, "--timetable", str(self.timetable),
                                               *codes)]

    def queue(self, *args):
        pq("queue", *self.session_args, *args)

    def apply(self, command):
        """What the station does with a staff command: the queue core applies it as its own event."""
        key = load_key(self.data_dir / "deployment.key")
        store = EventStore(db_path(self.data_dir))
        try:
            Session(store, ROOM, DATE, Rules(digest_key=key)).handle(command, dt.datetime.now())
        finally:
            store.close()

    def sync(self):
        for _ in range(10):
            result = self.client.sync_once()
            assert result.ok, result.error
            if not result.pending:
                return result


@pytest.fixture(scope="module")
def central(tmp_path_factory, timetable_2021):
    tmp = tmp_path_factory.mktemp("central")
    db = f"sqlite:///{tmp}/central.db"
    token = admin.add_station(db, ROOM)
    admin.add_user(db, STAFF, PASSWORD)
    admin.load_timetable(db, timetable_2021)
    with running_server(CentralSettings(db=db)) as url:
        station = Station(tmp / "station", url, token, timetable_2021)
        station.scan(10)
        for _ in range(4):
            station.queue("advance")
        station.queue("skip", "5", "--yes", "--reason", "叫了三次没来")  # 5 is being photographed
        station.sync()
        yield url, station, db
        station.client.stop()


@pytest.fixture
def staff(central):
    url, _, _ = central
    with httpx.Client(base_url=url, timeout=30) as client:
        assert client.post("/api/v1/login", json={"name": STAFF, "password": PASSWORD}).status_code == 200
        page = client.get("/").text
        client.headers["X-CSRF-Token"] = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        yield client


# --- login and CSRF -------------------------------------------------------------------------------


def test_staff_pages_and_data_need_a_login(central):
    url, _, _ = central
    with httpx.Client(base_url=url) as anon:
        page = anon.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        for path in ("/dashboard/api/snapshot", "/dashboard/api/stream", "/dashboard/export/counts.csv",
                     "/dashboard/export/workbook.xlsx", "/dashboard/export/agency.csv"):
            assert anon.get(path).status_code == 401, path
        assert anon.post("/dashboard/api/command", json={"room": ROOM, "action": "next_class"}).status_code == 401


def test_browser_without_login_lands_on_the_login_page(central, browser):
    url, _, _ = central
    page = browser.new_page()
    page.goto(url + "/")
    assert page.url.startswith(url + "/login")
    page.fill("#name", STAFF)
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_selector("#msg:has-text('账号或密码错误')", timeout=20000)  # one scrypt at OWASP's cost
    page.close()


@pytest.mark.usefixtures("central")
def test_staff_actions_need_the_csrf_token_and_the_same_origin(staff):
    body = {"room": ROOM, "action": "next_class"}
    token = staff.headers.pop("X-CSRF-Token")
    assert staff.post("/dashboard/api/command", json=body).status_code == 403
    assert staff.post("/dashboard/api/command", json=body, headers={"X-CSRF-Token": "0" * 40}).status_code == 403
    assert staff.post("/dashboard/api/command", json=body,
                      headers={"X-CSRF-Token": token, "Origin": "http://evil.example"}).status_code == 403


def test_bad_staff_actions_are_refused_with_a_message(staff):
    assert staff.post("/dashboard/api/command", json={"room": ROOM, "action": "void", "number": 3}).status_code == 422
    r = staff.post("/dashboard/api/command", json={"room": "Z组", "action": "next_class"})
    assert r.status_code == 422 and "Z组" in r.json()["error"]
    assert staff.post("/dashboard/api/command", json={"room": ROOM, "action": "explode"}).status_code == 422


# --- live updates, in the browser -----------------------------------------------------------------


def test_a_new_ticket_appears_on_the_dashboard_within_2_s_of_the_sync_without_reload(central, browser):
    url, station, _ = central
    page = browser.new_page()
    screenshots.login(page, url, STAFF, PASSWORD)
    page.wait_for_selector(f'.card[data-room="{ROOM}"] .now-serving', timeout=10_000)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate("window.__sameDocument = true")

    number = station.scan()[0]
    assert page.locator(f'.card[data-room="{ROOM}"] .ticket[data-number="{number}"]').count() == 0
    station.sync()
    page.wait_for_selector(f'.card[data-room="{ROOM}"] .ticket[data-number="{number}"]', timeout=2000)
    page.wait_for_selector(f'.card[data-room="{ROOM}"] .last-number:text-is("{number}")', timeout=2000)
    assert page.evaluate("window.__sameDocument") is True
    assert navigations == []
    # nothing missing shows as a word: a room with no sync alert once showed a line "null"
    words = page.locator(f'.card[data-room="{ROOM}"]').inner_text().split()
    assert not {"null", "undefined", "None", "NaN"} & set(words), words
    page.close()


def test_a_staff_void_reaches_the_station_when_it_syncs_again_and_shows_on_the_dashboard(central, browser):
    url, station, _ = central
    number = station.scan()[0]
    station.sync()
    page = browser.new_page()
    screenshots.login(page, url, STAFF, PASSWORD)
    card = page.locator(f'.card[data-room="{ROOM}"]')
    card.locator(f'.ticket[data-number="{number}"]').wait_for(timeout=10_000)

    card.get_by_role("button", name="作废号码").click()
    page.fill("#f-number", str(number))
    page.fill("#f-reason", "重复取号")
    page.click("#action-ok")
    page.wait_for_selector("#action-msg:has-text('已发送')", timeout=5000)
    page.wait_for_selector(f"#commands td:has-text('作废 {number} 号')", timeout=5000)
    page.wait_for_selector("#commands td:has-text('等待中')", timeout=5000)  # not done before the station commits

    # The station was offline meanwhile; its next sync brings the command, which it applies as its own
    # event, and the sync after that brings the void back to the centre.
    station.sync()
    station.sync()
    page.wait_for_selector(f'.card[data-room="{ROOM}"] .ticket.voided[data-number="{number}"]', timeout=2000)
    page.wait_for_selector("#commands td:has-text('已执行')", timeout=5000)
    page.close()


def test_public_status_page_shows_classes_and_expected_times_without_personal_data(central, browser):
    url, _, _ = central
    doc = httpx.get(url + "/status.json").json()
    room = next(r for r in doc["rooms"] if r["room"] == ROOM)
    # a day of 2020: over, so no class is "being shot" any more (issue 23), the one begun says 已结束
    assert room["over"] and room["current_class"] is None
    assert [c["class"] for c in room["classes"]][:2] == ["建工181高", "社工181、182高"]
    assert room["classes"][0]["status"] == "ended" and room["classes"][0]["photographed"] == 4
    assert all(c["expected_start"] for c in room["classes"])
    text = json.dumps(doc, ensure_ascii=False)
    assert not re.search(r"[0-9a-f]{16}", text), "no code digests"
    assert "collection-code" not in text and "recent" not in text and '"next"' not in text

    page = browser.new_page(viewport=screenshots.PHONE)
    page.goto(url + "/status")
    page.wait_for_selector(f'.pcard[data-room="{ROOM}"] li[data-class="建工181高"]:has-text("已结束")', timeout=5000)
    assert page.locator(f'.pcard[data-room="{ROOM}"] .badge').inner_text() == "已结束"
    page.fill("#search", "文秘")
    page.wait_for_selector('li[data-class="文秘181、182高"]', timeout=2000)
    assert page.locator("li[data-class]").count() == 1
    page.close()


def test_screenshots_of_the_wall_the_phone_and_status(central, browser, tmp_path):
    url, _, _ = central
    paths = screenshots.take(url, tmp_path, STAFF, PASSWORD, browser)
    sizes = [Image.open(p).size for p in paths]
    assert sizes == [(1920, 1080), (780, 1688), (780, 1688)]
    for p in paths:
        colours = Image.open(p).convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours and len(colours) > 50, f"{p.name} looks blank"


def test_the_fee_follows_the_dashboard_settings(central):
    _, _, db = central  # a second server on the same store, with another fee
    with running_server(CentralSettings(db=db), dashboard=DashboardSettings(fee_yuan=25)) as other:
        with httpx.Client(base_url=other) as client:
            client.post("/api/v1/login", json={"name": STAFF, "password": PASSWORD})
            total = client.get("/dashboard/api/snapshot").json()["report"]["total"]
    assert total["photographed"] > 0 and total["fee"] == 25 * total["photographed"]


# --- exports ----------------------------------------------------------------------------------------


def _class_rows(wb):
    rows = list(wb["班级统计"].iter_rows(values_only=True))
    head = rows[0]
    body = [dict(zip(head, r, strict=True)) for r in rows[1:]]
    return [r for r in body if r["班级"]], next(r for r in body if r["日期"] == "合计")


def test_dashboard_xlsx_opens_and_its_sums_equal_the_api_totals(central, staff):
    url, station, _ = central
    counts = staff.get("/api/v1/counts").json()["classes"]
    wb = openpyxl.load_workbook(io.BytesIO(staff.get("/dashboard/export/workbook.xlsx").content))
    classes, total = _class_rows(wb)
    for key, zh in (("expected", "应拍"), ("photographed", "已拍"), ("skipped", "过号"), ("voided", "作废"),
                    ("waiting", "排队中"), ("not_seen", "未取号"), ("issued", "已取号")):
        assert sum(r[zh] for r in classes) == sum(c[key] for c in counts) == total[zh], key
    assert total["应收费用(元)"] == 20 * sum(c["photographed"] for c in counts)
    assert [r["班级"] for r in classes] == [c["class"] for c in counts]
    college_rows = [r for r in wb["学院与日期合计"].iter_rows(min_row=2, values_only=True) if r[0].startswith("学院")]
    assert sum(r[4] for r in college_rows) == total["已拍"]
    agency = [r for r in wb[f"图片社 {ROOM}"].iter_rows(min_row=2, values_only=True)]
    assert len(agency) == sum(c["issued"] for c in counts)


def test_station_xlsx_and_the_centre_agree(central, staff, tmp_path):
    url, station, _ = central
    station.sync()
    counts = staff.get("/api/v1/counts").json()["classes"]
    classes, total = _class_rows(openpyxl.load_workbook(write_xlsx(station.data_dir, tmp_path / "s.xlsx")))
    assert total["已拍"] == sum(c["photographed"] for c in counts)
    assert total["应收费用(元)"] == 20 * total["已拍"]


@pytest.mark.parametrize("name", ["counts.csv", "makeup.csv", "agency.csv", "counts.xlsx", "makeup.xlsx",
                                  "agency.xlsx"])
def test_every_export_downloads(staff, name):
    r = staff.get(f"/dashboard/export/{name}")
    assert r.status_code == 200
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    if name.endswith(".csv"):
        text = r.content.decode("utf-8-sig")
        assert text.splitlines()[0].split(",")[0] in ("日期", "照片序")
    else:
        assert openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames


def test_agency_csv_is_per_room_in_shooting_order_with_digests(staff):
    lines = staff.get("/dashboard/export/agency.csv", params={"room": ROOM}).content.decode("utf-8-sig").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    photographed = [r for r in rows if r[6] == "已拍"]
    assert [int(r[0]) for r in photographed] == list(range(1, len(photographed) + 1))
    assert all(re.fullmatch(r"[0-9a-f]{64}", r[4]) for r in rows)
    assert "collection-code" not in "\n".join(lines)
