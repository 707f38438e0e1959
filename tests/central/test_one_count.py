"""One count (issue 23, item 6): the dashboard page, every download, /api/v1/counts and the station export split
未到 / 未开始 through one function (photoqueue.core.counts.split_row), and the make-up list never lists absent
students as "not started". A real centre on 127.0.0.1, a station made with the real CLI, the real sync client."""

import csv
import datetime as dt
import io
import json

import httpx
from clirun import run_cli

from photoqueue.central import admin
from photoqueue.central.dashboard.devserver import running_server
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.settings import CentralSettings
from photoqueue.device.store.events import db_path
from photoqueue.device.sync.client import SyncClient

ROOM = "A组"
DAY = (DashboardSettings().now() - dt.timedelta(days=2)).date().isoformat()  # a day that is over


def pq(*args):
    r = run_cli(*args)  # in process (tests/clirun.py)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_the_page_the_downloads_the_api_and_the_station_export_agree(tmp_path):
    timetable = tmp_path / "t.csv"
    timetable.write_text("date,room,location,start,end,college,class_name,headcount\n"
                         f"{DAY},{ROOM},,09:00,09:10,经管,甲班,5\n{DAY},{ROOM},,09:10,09:20,经管,乙班,4\n"
                         f"{DAY},{ROOM},,09:20,09:30,经管,丙班,6\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path}/central.db"
    token = admin.add_station(db, ROOM)
    admin.add_user(db, "office", "office-password")
    admin.load_timetable(db, timetable)
    station = tmp_path / "station"
    common = ["--data-dir", str(station), "--room", ROOM, "--date", DAY]
    pq("scan", *common, "--timetable", str(timetable), "code-0001", "code-0002", "code-0003")  # 甲班: 3 of 5
    pq("queue", *common, "next-class")
    pq("scan", *common, "code-0004")  # 乙班: 1 of 4, then the day ended (丙班 never reached)
    with running_server(CentralSettings(db=db)) as url:
        client = SyncClient(db_path(station), url, token, room=ROOM)
        for _ in range(10):
            if not client.sync_once().pending:
                break
        client.stop()
        with httpx.Client(base_url=url, timeout=30) as staff:
            assert staff.post("/api/v1/login", json={"name": "office", "password": "office-password"}).status_code == 200
            page = json.loads(staff.get("/dashboard/api/snapshot").text)["report"]
            api = staff.get("/api/v1/counts").json()["classes"]
            counts_csv = staff.get("/dashboard/export/counts.csv").content.decode("utf-8-sig")
            makeup_csv = staff.get("/dashboard/export/makeup.csv").content.decode("utf-8-sig")
    export = json.loads(pq("export", "--data-dir", str(station), "--format", "json"))["classes"]

    want = {"甲班": (2, 0), "乙班": (3, 0), "丙班": (6, 0)}  # the day is over: every never-scanned student is 未到
    assert {r["class"]: (r["absent"], r["not_started"]) for r in page["classes"]} == want
    assert {r["class"]: (r["absent"], r["not_started"]) for r in api} == want
    assert {r["class"]: (r["absent"], r["not_started"]) for r in export} == want
    table = list(csv.DictReader(io.StringIO(counts_csv)))
    assert {r["班级"]: (int(r["未到（已过时段）"]), int(r["未开始"])) for r in table if r["班级"] in want} == want
    makeup = list(csv.DictReader(io.StringIO(makeup_csv)))
    assert {r["班级"] for r in makeup} == {"甲班", "乙班", "丙班"}
    assert all(int(r["未开始"]) == 0 for r in makeup)  # an absent student is never "not started"
    assert [m["not_started"] for m in page["makeup"]] == [0, 0, 0]
