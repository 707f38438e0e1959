import datetime as dt
import json

import pytest

from photoqueue.display import CurrentClass, DateCheck, DisplayError, DisplayState, Flash, NextClass

DESIGN_EXAMPLE = {
    "room": "第一组",
    "now_serving": 17,
    "next": [18, 19, 20],
    "current_class": {"name": "20财务管理1班", "done": 12, "expected": 53},
    "next_class": {"name": "20商务英语A班", "start": "14:40", "expected": 31},
    "waiting": 8,
    "alerts": ["打印机缺纸"],
}


def test_design_example_reads():
    s = DisplayState.from_dict(DESIGN_EXAMPLE)
    assert s.room == "第一组" and s.now_serving == 17 and s.next == (18, 19, 20)
    assert s.current_class == CurrentClass("20财务管理1班", 12, 53)
    assert s.next_class == NextClass("20商务英语A班", dt.time(14, 40), 31)
    assert s.waiting == 8 and s.alerts == ("打印机缺纸",)


def test_round_trip_with_added_fields():
    until = dt.datetime(2023, 10, 25, 14, 32, 9)
    s = DisplayState.from_dict(
        DESIGN_EXAMPLE
        | {
            "location": "行政附楼1号会议室",
            "wait_minutes": 3.5,
            "late_minutes": -2,
            "clock": "14:32:05",
            "flash": {"kind": "reprint", "number": 15, "text": "", "until": until.isoformat()},
            "date_check": {"date": "2024-10-25", "confirmed_by": ""},
        }
    )
    assert s.flash == Flash("reprint", "", 15, until)
    assert s.date_check == DateCheck(dt.date(2024, 10, 25), "")
    assert s.clock == dt.time(14, 32, 5)
    assert DisplayState.from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_states_compare_by_value_and_hash():
    a, b = DisplayState.from_dict(DESIGN_EXAMPLE), DisplayState.from_dict(DESIGN_EXAMPLE)
    assert a == b and hash(a) == hash(b)
    assert a != DisplayState.from_dict(DESIGN_EXAMPLE | {"waiting": 9})


def test_empty_state_is_valid():
    assert DisplayState.from_dict({}) == DisplayState()


def test_flash_until_as_time_of_day():
    s = DisplayState.from_dict(
        {"flash": {"kind": "issued", "number": 3, "until": "14:00:10"}}, today=dt.date(2023, 10, 25)
    )
    assert s.flash.until == dt.datetime(2023, 10, 25, 14, 0, 10)
    assert s.flash.active(dt.datetime(2023, 10, 25, 14, 0, 9))
    assert not s.flash.active(dt.datetime(2023, 10, 25, 14, 0, 10))


def test_every_problem_reported_at_once():
    bad = {
        "room": 3,
        "now_serving": -1,
        "nxt": [1],
        "next": [1, "2"],
        "current_class": {"name": "x", "done": 1.5},
        "next_class": {"start": "25:00"},
        "alerts": "paper",
        "late_minutes": "5",
        "flash": {"kind": "boom"},
        "date_check": {"date": "25/10/2024"},
    }
    with pytest.raises(DisplayError) as err:
        DisplayState.from_dict(bad)
    msg = str(err.value)
    for needle in (
        "room: expected text",
        "now_serving",
        "'nxt': unknown key (did you mean 'next'?)",
        "next[1]",
        "current_class.done",
        "next_class.name: missing",
        "next_class.start",
        "alerts: expected a list",
        "late_minutes",
        "flash.kind",
        "date_check.date: expected a date YYYY-MM-DD",
    ):
        assert needle in msg, needle


def test_not_an_object():
    with pytest.raises(DisplayError, match="expected a JSON object"):
        DisplayState.from_dict([1, 2])


def test_load_errors_name_the_file(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(DisplayError, match="no such state file"):
        DisplayState.load(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"room": ', encoding="utf-8")
    with pytest.raises(DisplayError, match=r"broken.json: not valid JSON \(line 1"):
        DisplayState.load(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"waiting": "many"}', encoding="utf-8")
    with pytest.raises(DisplayError, match=r"(?s)wrong.json: .*waiting"):
        DisplayState.load(wrong)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(DESIGN_EXAMPLE, ensure_ascii=False), encoding="utf-8")
    assert DisplayState.load(good).now_serving == 17
