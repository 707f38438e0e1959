"""XLSX laid out as the notices print their tables imports to the same model as the CSV transcriptions."""

import datetime as dt
from collections import Counter

import pytest

from photoqueue.cli import main
from photoqueue.timetable import TimetableError, load_timetable
from photoqueue.timetable.check import check_file
from photoqueue.timetable.importer import ImportOptions, parse_file


def rules(report) -> Counter:
    return Counter(f.rule for f in report.findings)


def test_2021_notice_layout_is_the_csv_model(tmp_path, notices, timetable_2021):
    xlsx = notices.x2021(notices.read(timetable_2021), tmp_path / "2021.xlsx")
    assert load_timetable(xlsx).to_dicts() == load_timetable(timetable_2021).to_dicts()
    result = parse_file(xlsx)
    assert any("'备注' holds the class names" in n for n in result.notes)  # C组's header, as printed


def test_2021_notice_layout_finds_the_same_mistakes(tmp_path, notices, timetable_2021):
    xlsx = notices.x2021(notices.read(timetable_2021), tmp_path / "2021.xlsx")
    report = check_file(xlsx)
    assert rules(report) == rules(check_file(timetable_2021))  # and the 小计 and （375人） totals add up
    # rows are the sheet's: title, blank, room title, header, then A组's first class on row 5
    assert {(f.row, f.rule) for f in report.findings if f.rule == "end-before-start"} == {(23, "end-before-start")}


def test_2024_notice_layout_is_the_csv_model(tmp_path, notices, timetable_2024):
    xlsx = notices.x2024(notices.read(timetable_2024), tmp_path / "2024.xlsx")
    assert load_timetable(xlsx, year=2023).to_dicts() == load_timetable(timetable_2024).to_dicts()
    assert rules(check_file(xlsx, ImportOptions(year=2023))) == rules(check_file(timetable_2024))


def test_2024_notice_layout_needs_its_year(tmp_path, notices, timetable_2024, capsys):
    xlsx = notices.x2024(notices.read(timetable_2024), tmp_path / "2024.xlsx")
    with pytest.raises(TimetableError, match="10月25日.*no year"):
        load_timetable(xlsx)
    assert main(["timetable", "check", str(xlsx)]) == 1
    assert "pass --year" in capsys.readouterr().out
    assert main(["timetable", "check", "--year", "2023", str(xlsx)]) == 1  # the published mistakes remain
    assert "malformed-date" not in capsys.readouterr().out


def test_subtotal_and_college_total_that_do_not_add_up(tmp_path, notices, timetable_2021):
    rows = notices.read(timetable_2021)
    report = check_file(notices.x2021(rows, tmp_path / "bad.xlsx", subtotal_delta=1, college_delta=-5))
    subtotals = sorted(f.row for f in report.findings if f.rule == "subtotal")
    # A组: 职业技术学院（370人）on row 5 and 小计 876 on row 17; likewise for B组 and C组
    assert len(subtotals) == 6 and subtotals[:2] == [5, 17]
    message = next(f.message for f in report.findings if f.row == 17)
    assert "876" in message and "875" in message and "小计" in message


def test_title_total_that_does_not_add_up(tmp_path, notices, timetable_2024):
    rows = notices.read(timetable_2024)
    xlsx = notices.x2024(rows, tmp_path / "2024.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    assert ws["A2"].value.endswith("第一组（763人）")
    ws["A2"] = ws["A2"].value.replace("763", "760")
    wb.save(xlsx)
    report = check_file(xlsx, ImportOptions(year=2023))
    assert [(f.row, f.rule) for f in report.findings if f.rule == "subtotal"] == [(2, "subtotal")]


def test_merged_date_across_days(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["日期", "组别", "时间", "班级", "人数"])
    ws.append(["2023年10月25日", "A组", "8:30-8:40", "一班", 50])
    ws.append([None, None, "8:40-8:50", "二班", 50])
    ws.append(["10月26日", None, "8:30-8:40", "三班", 50])
    ws.append([None, None, "8:40-8:50", "四班", 50])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B5")
    ws.merge_cells("A4:A5")
    wb.save(tmp_path / "m.xlsx")
    t = load_timetable(tmp_path / "m.xlsx")
    assert [(s.date, s.room) for s in t.slots] == [
        (dt.date(2023, 10, 25), "A组"), (dt.date(2023, 10, 25), "A组"),
        (dt.date(2023, 10, 26), "A组"), (dt.date(2023, 10, 26), "A组")]
