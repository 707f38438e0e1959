"""Importing timetables as staff write them, and clear errors for files that cannot be read."""

import datetime as dt
import zipfile

import pytest

from photoqueue.cli import main
from photoqueue.timetable import TimetableError, load_timetable
from photoqueue.timetable.check import check_file
from photoqueue.timetable.importer import ImportOptions, parse_file
from photoqueue.timetable.loader import TimetableError as LoaderTimetableError

CN_HEADER = "日期,组别,地点,拍摄时间,学院,班级,人数"
CN_ROWS = (
    "2023-10-25,第一组,行政附楼1号会议室,14:30—14:40,经管学院,20财务管理1班,53",
    "2023-10-25,第一组,行政附楼1号会议室,14:40－14:45,经管学院,20财务管理(留学),17",
    "2023-10-25,第一组,行政附楼1号会议室,14:45~14:50,建工学院,20商务英语A班,31",
    "2023-10-25,第一组,行政附楼1号会议室,14:50-14:55,建工学院,20商务英语B班,32",
)


def test_shared_files_keep_the_model_api(timetable_2021, timetable_2024):
    t21, t24 = load_timetable(timetable_2021), load_timetable(timetable_2024)
    assert (len(t21.slots), len(t24.slots)) == (37, 96)
    assert t21.rooms == ["A组", "B组", "C组"] and t21.dates == [dt.date(2020, 9, 13)]
    assert t24.rooms == ["第一组", "第二组"] and t24.dates == [dt.date(2023, 10, 25), dt.date(2023, 10, 26)]
    day = t24.room_day("第一组", dt.date(2023, 10, 26))
    assert day.names[0] == "20机械设计制造及其自动化1班" and day.expected == 768 + 402
    assert day.after("20网络工程1班") is None and day.get("20环境设计").start == dt.time(13, 5)
    first = t24.slots[0]
    assert (first.row, first.location, first.college) == (2, "行政附楼1号会议室", "")
    assert [s.to_dict() for s in t24.slots] == t24.to_dicts()
    assert type(t24).from_dicts(t24.to_dicts()).to_dicts() == t24.to_dicts()
    assert LoaderTimetableError is TimetableError


def test_chinese_headers_and_every_dash(tmp_path, csv_lines):
    t = load_timetable(csv_lines(tmp_path, *CN_ROWS, header=CN_HEADER))
    assert [(s.start, s.end) for s in t.slots] == [
        (dt.time(14, 30), dt.time(14, 40)), (dt.time(14, 40), dt.time(14, 45)),
        (dt.time(14, 45), dt.time(14, 50)), (dt.time(14, 50), dt.time(14, 55))]
    assert t.slots[0].college == "经管学院" and t.slots[0].room == "第一组"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_encodings_import_the_same(tmp_path, csv_lines, encoding):
    utf8 = load_timetable(csv_lines(tmp_path, *CN_ROWS, header=CN_HEADER, name="u.csv"))
    other = load_timetable(csv_lines(tmp_path, *CN_ROWS, header=CN_HEADER, name="o.csv", encoding=encoding))
    assert other.to_dicts() == utf8.to_dicts()


def test_gbk_note_and_tab_separated(tmp_path, csv_lines):
    path = csv_lines(tmp_path, *(r.replace(",", "\t") for r in CN_ROWS), header=CN_HEADER.replace(",", "\t"),
                     encoding="gbk")
    result = parse_file(path)
    assert len(result.slots()) == 4 and any("GBK" in n for n in result.notes)


def test_english_headers_start_end_and_extra_columns(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "A组,8:30,8:55,建工181高,49,yes,2020-09-13",
                     header="Room,Start Time,End Time,Class Name,Students,Printed,Date")
    result = parse_file(path)
    (slot,) = result.slots()
    assert (slot.room, slot.start, slot.name, slot.headcount, slot.date) == (
        "A组", dt.time(8, 30), "建工181高", 49, dt.date(2020, 9, 13))
    assert any("'Printed' is not used" in n for n in result.notes)


def test_blank_cells_carry_down_and_subtotals_are_left_out(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2020-09-13,A组,11B-103,8:30-8:55,职业技术学院,49,建工181高",
        ",,,8:55-9:25,,63,社工181、182高",
        ",,,9:25-9:55,教师教育学院,74,文秘181、182高",
        ",,,,小计,186,",
        ",B组,11B-105,8:30-9:25,商学院,116,财务171、172、173",
        ",,,,合计,302,",
        header="日期,组别,地点,拍摄时间,二级学院,人数,班级")
    result = parse_file(path)
    slots = result.slots()
    assert [(s.date, s.room, s.location, s.college) for s in slots] == [
        (dt.date(2020, 9, 13), "A组", "11B-103", "职业技术学院"),
        (dt.date(2020, 9, 13), "A组", "11B-103", "职业技术学院"),
        (dt.date(2020, 9, 13), "A组", "11B-103", "教师教育学院"),
        (dt.date(2020, 9, 13), "B组", "11B-105", "商学院")]
    assert [s.row for s in slots] == [2, 3, 4, 6]
    assert result.findings == []


def test_subtotal_that_does_not_add_up(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2020-09-13,A组,8:30-8:55,职业技术学院（110人）,建工181高,49",
        ",,8:55-9:25,,社工181、182高,63",
        ",,,小计,111,",
        ",,9:25-9:55,工学院,电信171,60",
        ",,,合计：170,,",
        header="日期,组别,拍摄时间,学院,班级,人数")
    found = {(f.row, f.rule) for f in check_file(path).findings}
    assert found == {(2, "subtotal"), (4, "subtotal"), (6, "subtotal")}  # 110, 111 and 170 all wrong
    slots = load_timetable(path).slots  # subtotals are not loading errors
    assert [s.college for s in slots] == ["职业技术学院", "职业技术学院", "工学院"]


def test_month_day_dates_need_a_year(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "10月25日(周三),A组,8:30-8:40,一班,50", "26日,A组,8:30-8:40,二班,50",
                     header="日期,组别,时间,班级,人数")
    with pytest.raises(TimetableError, match=r"10月25日.*no year.*--year"):
        load_timetable(path)
    t = load_timetable(path, year=2023)
    assert t.dates == [dt.date(2023, 10, 25), dt.date(2023, 10, 26)]
    assert main(["timetable", "check", "--year", "2023", str(path)]) == 0


def test_year_comes_from_the_dates_written_in_full(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "2023-10-25,A组,8:30-8:40,一班,50", "10月26日,A组,8:30-8:40,二班,50",
                     header="日期,组别,时间,班级,人数")
    assert load_timetable(path).dates == [dt.date(2023, 10, 25), dt.date(2023, 10, 26)]


def test_one_room_file_takes_the_room_from_option_title_or_file_name(tmp_path, csv_lines):
    rows = ("2023-10-25,8:30-8:40,一班,50",)
    named = csv_lines(tmp_path, *rows, header="日期,时间,班级,人数", name="第二组.csv")
    assert load_timetable(named).rooms == ["第二组"]
    assert load_timetable(named, room="C组").rooms == ["C组"]
    plain = csv_lines(tmp_path, *rows, header="日期,时间,班级,人数", name="day.csv")
    assert load_timetable(plain).rooms == ["day"]
    titled = csv_lines(tmp_path, "B组，拍摄地点：11B-105,,,", "日期,时间,班级,人数", *rows, header="", name="x.csv")
    slot = load_timetable(titled).slots[0]
    assert (slot.room, slot.location, slot.row) == ("B组", "11B-105", 3)


def test_file_without_dates_takes_date_option(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "8:30-8:40,一班,50", header="时间,班级,人数", name="A组.csv")
    with pytest.raises(TimetableError, match="no 日期/date column"):
        load_timetable(path)
    assert load_timetable(path, date=dt.date(2023, 10, 25)).dates == [dt.date(2023, 10, 25)]


def test_unreadable_row_stops_loading_and_names_the_row(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "2023-10-25,A组,,08:30,08:40,,一班,50", "2023-10-25,A组,,8:40,,,二班,50",
                     "2023-10-25,A组,,08:50,09:00,,三班,five")
    with pytest.raises(TimetableError, match=r"row 3: no end time.*1 more"):
        load_timetable(path)


def _error(path, **kw) -> str:
    with pytest.raises(TimetableError) as info:
        load_timetable(path, **kw)
    return str(info.value)


def test_missing_required_column_is_named(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "2023-10-25,A组,08:30,08:40,一班", header="date,room,start,end,class_name")
    message = _error(path)
    assert "missing column 人数/headcount" in message and "缺少列" in message
    no_end = csv_lines(tmp_path, "2023-10-25,A组,08:30,一班,5", header="日期,组别,开始,班级,人数", name="e.csv")
    assert "missing column 结束/end" in _error(no_end)
    no_time = csv_lines(tmp_path, "2023-10-25,A组,一班,5", header="日期,组别,班级,人数", name="n.csv")
    assert "拍摄时间/time" in _error(no_time)


def test_empty_files_and_sheets(tmp_path):
    import openpyxl

    (tmp_path / "empty.csv").write_text("")
    assert "empty sheet" in _error(tmp_path / "empty.csv")
    (tmp_path / "blank.csv").write_text(",,,\n\n,,\n")
    assert "empty sheet" in _error(tmp_path / "blank.csv")
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    assert "empty sheet" in _error(tmp_path / "empty.xlsx")
    (tmp_path / "header.csv").write_text("日期,组别,时间,班级,人数\n")
    assert "no class rows" in _error(tmp_path / "header.csv")


def test_files_that_are_not_timetables(tmp_path):
    assert "no such file" in _error(tmp_path / "missing.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xls" in _error(tmp_path / "old.xls")
    with zipfile.ZipFile(tmp_path / "notice.docx", "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert "Word document" in _error(tmp_path / "notice.docx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    assert "damaged" in _error(tmp_path / "broken.xlsx")
    (tmp_path / "latin1.csv").write_bytes("日期".encode("utf-16-le")[:3] + b"\xff\xfe\x00\x81\x30")
    assert "neither UTF-8 nor GBK" in _error(tmp_path / "latin1.csv") or "binary" in _error(
        tmp_path / "latin1.csv")
    (tmp_path / "words.csv").write_text("foo,bar,baz\n1,2,3\n")
    assert "no header row" in _error(tmp_path / "words.csv")


@pytest.mark.parametrize("command", ["check", "plan"])
def test_cli_never_shows_a_traceback(tmp_path, capsys, command):
    (tmp_path / "empty.csv").write_text("")
    status = main(["timetable", command, str(tmp_path / "empty.csv")])
    captured = capsys.readouterr()
    assert status == 1 and "Traceback" not in captured.out + captured.err
    assert "empty sheet" in captured.out + captured.err


def test_xlsx_typed_cells(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "A组"
    ws.append(["日期", "开始", "结束", "班级", "人数", "备注"])
    ws.append([dt.datetime(2023, 10, 25), dt.time(8, 30), dt.time(8, 40), "一班", 50.0, "早到"])
    ws.append([45224, 0.3611111111, 8.5, "二班", 40, None])  # serial date, day fraction, "8.50" typed as 8.5
    wb.save(tmp_path / "typed.xlsx")
    t = load_timetable(tmp_path / "typed.xlsx")
    assert [(s.room, s.date, s.start, s.end, s.headcount) for s in t.slots] == [
        ("A组", dt.date(2023, 10, 25), dt.time(8, 30), dt.time(8, 40), 50),
        ("A组", dt.date(2023, 10, 25), dt.time(8, 40), dt.time(8, 50), 40)]


def test_workbook_with_a_sheet_per_room_and_a_notes_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    for room in ("A组", "B组"):
        ws = wb.create_sheet(room)
        ws.append(["日期", "拍摄时间", "班级", "人数"])
        ws.append(["2023-10-25", "8:30-8:40", f"{room}一班", 50])
        ws.append([None, "8:40-8:55", f"{room}二班", 2])
    wb["Sheet"].append(["各班提前15分钟到场"])
    wb.save(tmp_path / "rooms.xlsx")
    result = parse_file(tmp_path / "rooms.xlsx")
    assert [(s.room, s.name) for s in result.slots()] == [
        ("A组", "A组一班"), ("A组", "A组二班"), ("B组", "B组一班"), ("B组", "B组二班")]
    assert any("'Sheet' skipped" in n for n in result.notes)
    report = check_file(tmp_path / "rooms.xlsx", ImportOptions())
    assert {(f.sheet, f.row, f.rule) for f in report.findings} == {("A组", 3, "pace-slow"), ("B组", 3, "pace-slow")}
