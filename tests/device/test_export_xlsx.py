"""``photoqueue export --format xlsx``: the workbook opens, and its numbers are the station's counts."""

import datetime as dt
import json

import openpyxl
import pytest
from clirun import run_cli

from photoqueue.device.store import export as export_xlsx
from photoqueue.device.store.export import collect

DATE = "2020-09-13"


def pq(*args, check=True):
    return run_cli(*args, check=check)  # in process (tests/clirun.py)


@pytest.fixture(scope="module")
def station(tmp_path_factory, timetable_2021):
    data = tmp_path_factory.mktemp("station")
    session = ["--data-dir", str(data), "--room", "A组", "--date", DATE]
    pq("scan", *session, "--timetable", str(timetable_2021), *[f"collect-code-{i:03d}" for i in range(1, 13)])
    for _ in range(6):
        pq("queue", *session, "advance")
    pq("queue", *session, "skip", "7", "--yes", "--reason", "叫了三次没来")  # 7 is being photographed
    pq("queue", *session, "void", "10", "--reason", "重复取号")
    pq("queue", *session, "correct-class", "11", "社工181、182高")
    return data


def sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_cli_writes_a_workbook_with_counts_makeup_and_agency_sheets(station, tmp_path):
    out = tmp_path / "day.xlsx"
    pq("export", "--data-dir", str(station), "--format", "xlsx", "--out", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["班级统计", "学院与日期合计", "补拍名单", "图片社 A组"]

    head, rows = sheet_rows(wb["班级统计"])
    classes = [dict(zip(head, r, strict=True)) for r in rows if r[3]]
    counts = collect(station)["classes"]
    assert [(c["班级"], c["应拍"], c["已拍"], c["过号"], c["作废"]) for c in classes] == [
        (c["class"], c["expected"], c["photographed"], c["skipped"], c["voided"]) for c in counts]
    total = next(dict(zip(head, r, strict=True)) for r in rows if r[0] == "合计")
    assert total["已拍"] == sum(c["photographed"] for c in counts) == 6
    assert total["应收费用(元)"] == 6 * 20 == sum(c["应收费用(元)"] for c in classes)


def test_makeup_sheet_lists_classes_with_students_not_photographed(station, tmp_path):
    out = export_xlsx.write_xlsx(station, tmp_path / "w.xlsx")
    head, rows = sheet_rows(openpyxl.load_workbook(out)["补拍名单"])
    first = dict(zip(head, rows[0], strict=True))
    assert first["班级"] == "建工181高"
    assert first["需补拍"] == 49 - 6
    assert len(rows) == 12  # nobody of the other eleven classes is photographed yet


def test_agency_sheet_is_in_shooting_order_with_codes_and_marks(station, tmp_path):
    out = export_xlsx.write_xlsx(station, tmp_path / "w.xlsx")
    head, rows = sheet_rows(openpyxl.load_workbook(out)["图片社 A组"])
    rows = [dict(zip(head, r, strict=True)) for r in rows]
    photographed = [r for r in rows if r["状态"] == "已拍"]
    assert [r["照片序"] for r in photographed] == [1, 2, 3, 4, 5, 6]
    assert [r["拍摄号"] for r in photographed] == [1, 2, 3, 4, 5, 6]
    assert all(r["采集码"] == f"collect-code-{r['拍摄号']:03d}" and len(r["采集码摘要"]) == 64 for r in rows)
    assert next(r for r in rows if r["拍摄号"] == 7)["状态"] == "过号"
    assert next(r for r in rows if r["拍摄号"] == 10)["备注"].startswith("作废")
    assert next(r for r in rows if r["拍摄号"] == 11)["班级"] == "社工181、182高"


def test_colleges_come_from_a_timetable_when_given(station, tmp_path, timetable_2021):
    out = export_xlsx.write_xlsx(station, tmp_path / "w.xlsx", timetable=timetable_2021, fee_yuan=18)
    head, rows = sheet_rows(openpyxl.load_workbook(out)["学院与日期合计"])
    keys = [r[0] for r in rows]
    assert "学院：职业技术学院" in keys
    total = dict(zip(head, rows[-1], strict=True))
    assert total["应收费用(元)"] == 6 * 18


def test_missing_data_dir_or_out_is_a_message_not_a_traceback(tmp_path):
    r = pq("export", "--data-dir", str(tmp_path / "nope"), "--format", "xlsx", "--out", str(tmp_path / "x.xlsx"),
           check=False)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "no such data directory" in r.stderr
    r = pq("export", "--data-dir", str(tmp_path), "--format", "xlsx", check=False)
    assert r.returncode == 2 and "--out" in r.stderr and "Traceback" not in r.stderr


def test_json_export_still_matches_the_counts(station):
    r = pq("export", "--data-dir", str(station), "--format", "json")
    # split at the time of the export, as the centre splits at the time of the request (one rule)
    assert json.loads(r.stdout)["classes"] == collect(station, dt.datetime.now())["classes"]
