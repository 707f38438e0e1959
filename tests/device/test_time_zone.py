"""One time zone (issue 23, item 5): the sync answer carries the deployment's zone (the centre's `time_zone`), and
a station whose own zone differs says so: in its health (hence on the dashboard's room card), on the hall screen
(an alert) and in `diagnose`. A Pi left in UTC printed 19:19 on tickets while the dashboard said 03:19."""

import json
import time

import httpx
import pytest

from photoqueue.central import admin
from photoqueue.central.dashboard.devserver import running_server
from photoqueue.central.settings import CentralSettings
from photoqueue.device.store.events import db_path
from photoqueue.device.sync.client import SyncClient
from photoqueue.device.sync.clock_check import ZONE_ALERT_KEY, ClockCheck, zone_mismatch

from .test_station_check import config as station_config


@pytest.fixture
def machine_in_utc(monkeypatch):
    """This process's local zone set to UTC, as on a Pi whose zone was never set."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("machine_in_utc")
def test_a_zone_that_differs_is_named_with_the_hours_and_the_fix():
    text = zone_mismatch("Asia/Shanghai")
    assert "本机时区（UTC+00:00）与部署时区 Asia/Shanghai（UTC+08:00）不同" in text and "相差 8 小时" in text
    assert "sudo timedatectl set-timezone Asia/Shanghai" in text
    assert zone_mismatch("UTC") is None and zone_mismatch(None) is None


@pytest.mark.usefixtures("machine_in_utc")
def test_the_sync_answer_gives_the_zone_and_the_station_says_so_on_screen_dashboard_and_diagnose(tmp_path, capsys):
    db = f"sqlite:///{tmp_path}/central.db"
    token = admin.add_station(db, "A组")
    admin.add_user(db, "office", "office-password")
    station = tmp_path / "station"
    from photoqueue.cli import main

    assert main(["scan", "--data-dir", str(station), "--room", "A组", "--date", "2024-06-20", "code-0001"]) == 0
    capsys.readouterr()
    screen = []
    check = ClockCheck()
    check.on_alert = lambda key, text: screen.append((key, text))
    with running_server(CentralSettings(db=db, time_zone="Asia/Shanghai")) as url:
        client = SyncClient(db_path(station), url, token, room="A组", clock_check=check,
                            health=lambda: {"sync": check.status()})
        assert client.sync_once().ok
        assert check.time_zone == "Asia/Shanghai"
        assert screen and screen[-1][0] == ZONE_ALERT_KEY and "Asia/Shanghai" in screen[-1][1]
        assert "Asia/Shanghai" in check.status()["clock_alert"]
        client.sync_once()  # the health with the alert reaches the centre
        client.stop()
        with httpx.Client(base_url=url, timeout=30) as staff:
            assert staff.post("/api/v1/login", json={"name": "office", "password": "office-password"}).status_code == 200
            rooms = json.loads(staff.get("/dashboard/api/snapshot").text)["rooms"]
        assert any("部署时区 Asia/Shanghai" in (r.get("sync_alert") or "") for r in rooms)

        token_file = tmp_path / "token"
        token_file.write_text(token)
        path = station_config(tmp_path, "", room="A组", date="2024-06-20", data_dir=tmp_path / "d2")
        with open(path, "a", encoding="utf-8") as f:
            f.write(f'[central]\nurl = "{url}"\ntoken_file = "{token_file}"\n')
        main(["diagnose", "--config", path, "--only", "central"])
        out = capsys.readouterr().out
        assert "部署时区 Asia/Shanghai" in out and "timedatectl set-timezone" in out
