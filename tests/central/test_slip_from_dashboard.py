"""The settlement slip of a class prints from the dashboard (issue 23, item 7): each class row links to its slip
(/dashboard/export/slip.html?room=R&class=C), an HTML page that opens to print, with 已拍 and the amount under the
deployment's fee rule. A real centre on 127.0.0.1, a station made with the real CLI and synced for real."""

import httpx

from photoqueue.central import admin
from photoqueue.central.dashboard.devserver import running_server
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.settings import CentralSettings
from photoqueue.cli import main
from photoqueue.device.store.events import db_path
from photoqueue.device.sync.client import SyncClient

DAY = "2024-06-20"


def test_a_classs_slip_opens_from_the_dashboard_under_the_fee_rule(tmp_path, capsys):
    timetable = tmp_path / "t.csv"
    timetable.write_text("date,room,location,start,end,college,class_name,headcount\n"
                         f"{DAY},A组,,09:00,09:10,,甲班,5\n{DAY},A组,,09:10,09:20,,乙班,4\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path}/c.db"
    token = admin.add_station(db, "A组")
    admin.add_user(db, "office", "office-password")
    common = ["--data-dir", str(tmp_path / "s"), "--room", "A组", "--date", DAY]
    assert main(["scan", *common, "--timetable", str(timetable), "code-0001", "code-0002", "code-0003"]) == 0
    for _ in range(2):
        assert main(["queue", *common, "advance"]) == 0
    capsys.readouterr()
    with running_server(CentralSettings(db=db), dashboard=DashboardSettings(fee_rule="issued")) as url:
        client = SyncClient(db_path(tmp_path / "s"), url, token, room="A组")
        while client.sync_once().pending:
            pass
        client.stop()
        with httpx.Client(base_url=url, timeout=30) as staff:
            assert staff.post("/api/v1/login", json={"name": "office", "password": "office-password"}).status_code == 200
            assert "/dashboard/export/slip.html" in staff.get("/").text
            r = staff.get("/dashboard/export/slip.html", params={"room": "A组", "class": "甲班"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-disposition"].startswith("inline")
    assert "甲班" in r.text and "乙班" not in r.text
    assert "按取号人数收费" in r.text and "60" in r.text  # 3 numbers issued x 20 yuan, the deployment's rule
