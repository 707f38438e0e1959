"""The station's exports in one language and shape: the agency CSV and the xlsx share Chinese headings and
values (--lang en: the English CSV), times and dates are date cells, every file says whether raw codes are
inside, the fee rule is configurable and printed, and the settlement slip is print-ready HTML."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from clirun import run_cli

from photoqueue.core import glossary
from photoqueue.reports import counts as reports
from photoqueue.reports.slip import slip_html

DATE = "2020-09-13"


def pq(*args):
    result = run_cli(*args)  # in process (tests/clirun.py)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def station(tmp_path_factory, timetable_2021):
    data = tmp_path_factory.mktemp("station")
    session = ["--data-dir", data, "--room", "A组", "--date", DATE]
    pq("scan", *session, "--timetable", timetable_2021, *[f"collect-code-{i:03d}" for i in range(1, 6)])
    pq("queue", *session, "advance")
    pq("queue", *session, "advance")
    pq("queue", *session, "skip", "3", "--yes", "--reason", "不在")
    pq("queue", *session, "void", "5", "--reason", "重复取号")
    return data


def test_the_agency_csv_and_the_xlsx_share_headings_and_values(station, tmp_path):
    text = pq("export", "--data-dir", station, "--format", "csv")
    assert text.startswith("\ufeff")  # Excel on a Chinese Windows reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "原始采集码" in rows[0][0]  # the first line says the file carries raw codes
    head, body = rows[1], rows[2:]
    pq("export", "--data-dir", station, "--out", tmp_path / "day.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "day.xlsx")["图片社 A组"]
    sheet = list(ws.iter_rows(values_only=True))
    assert list(sheet[0]) == head
    csv_status = [dict(zip(head, r, strict=True))["状态"] for r in body]
    xlsx_status = [dict(zip(head, r, strict=True))["状态"] for r in sheet[1:]]
    assert csv_status == xlsx_status and set(csv_status) <= set(glossary.STATUS_TERM.values()) | {
        glossary.label(k) for k in glossary.STATUS_TERM.values()}
    assert "过号" in csv_status and "photographed" not in text
    first = dict(zip(head, body[0], strict=True))
    assert dt.datetime.strptime(first["拍摄时间"], "%Y-%m-%d %H:%M:%S")  # a time Excel reads as one


def test_english_keeps_the_csv_scripts_read(station):
    rows = list(csv.DictReader(io.StringIO(pq("export", "--data-dir", station, "--format", "csv", "--lang", "en"))))
    assert rows[0]["status"] == "photographed" and rows[0]["code"] == "collect-code-001"


def test_dates_and_times_are_date_cells_and_every_sheet_says_raw_codes_are_inside(station, tmp_path):
    pq("export", "--data-dir", station, "--out", tmp_path / "day.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "day.xlsx")
    agency = wb["图片社 A组"]
    head = [c.value for c in agency[1]]
    row = [c.value for c in agency[2]]
    assert isinstance(row[head.index("日期")], dt.datetime)  # openpyxl reads a date cell back as datetime
    assert isinstance(row[head.index("拍摄时间")], dt.datetime)
    for ws in wb.worksheets:
        assert "原始采集码" in ws.oddHeader.center.text
    lines = [r[0] for r in wb["班级统计"].iter_rows(values_only=True) if r and isinstance(r[0], str)]
    assert "收费标准：每人 20 元，按已拍人数收费" in lines
    assert any(line.startswith("每行都满足：应拍 + 超出应拍 = 已拍") for line in lines)


def test_the_centres_workbook_says_digests_only():
    from photoqueue.reports.xlsx import build_workbook

    wb = build_workbook(reports.build_report([]), {})
    assert "不含原始采集码" in wb.worksheets[0].oddHeader.center.text


@pytest.mark.parametrize("rule, base", [("photographed", 2), ("issued", 4), ("expected", 53)])
def test_the_fee_rule_is_chosen_and_printed(station, rule, base):
    text = pq("export", "--data-dir", station, "--format", "csv", "--report", "counts", "--fee", "10",
              "--fee-rule", rule)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    first = rows[0]
    expected = int(first["应拍"])
    assert int(first["应收费用(元)"]) == 10 * (expected if rule == "expected" else base)


def test_the_settlement_slip_has_a_slip_per_class_with_a_signature_line(station):
    html = pq("export", "--data-dir", station, "--report", "slip", "--fee-rule", "expected")
    assert html.count('class="slip"') == 12  # A组's classes that day
    for word in ("班级", "应拍", "已拍", "金额", "班长（负责人）签字", "收费标准：每人 20 元，按应拍人数收费"):
        assert word in html
    assert "page-break-inside: avoid" in html


def test_the_slip_escapes_what_it_prints():
    rows = [{"room": "A组", "date": DATE, "class": "<b>班</b>", "expected": 3, "issued": 1, "photographed": 1,
             "skipped": 0, "voided": 0, "waiting": 0, "not_seen": 2}]
    html = slip_html(reports.build_report(rows))
    assert "<b>班</b>" not in html and "&lt;b&gt;班&lt;/b&gt;" in html


def test_an_unknown_fee_rule_is_a_clear_error():
    from photoqueue.reports.errors import ReportError

    with pytest.raises(ReportError, match="per"):
        reports.build_report([], fee_rule="per-smile")
