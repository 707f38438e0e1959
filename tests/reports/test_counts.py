"""The office's reports: fees per class, totals that add up, the make-up list, the agency list."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from photoqueue.core import commands as cmd
from photoqueue.core import queue
from photoqueue.core.counts import class_counts
from photoqueue.core.state import Rules, SessionState
from photoqueue.reports import agency
from photoqueue.reports import counts as reports


def row(room="A组", date="2024-06-01", name="会计1班", expected=50, issued=0, photographed=0, skipped=0,
        voided=0, waiting=0):
    return {"room": room, "date": date, "class": name, "expected": expected, "issued": issued,
            "photographed": photographed, "skipped": skipped, "voided": voided, "waiting": waiting,
            "not_seen": max(expected - (issued - voided), 0)}


def test_fee_is_photographed_times_twenty_yuan_by_default():
    rows = reports.class_rows([row(photographed=37, issued=40, skipped=2, waiting=1)])
    assert rows[0]["fee"] == 37 * 20
    assert rows[0]["fee_fen"] == 37 * 2000


def test_fee_follows_the_configured_amount_to_the_fen():
    rows = reports.class_rows([row(photographed=3, issued=3)], fee_yuan=25.5)
    assert rows[0]["fee"] == 76.5
    assert reports.grand_total(rows)["fee"] == 76.5


def test_college_comes_from_the_map_by_date_room_and_class_or_is_marked_unknown():
    colleges = {("2024-06-01", "A组", "会计1班"): "商学院", "教育1班": "教师教育学院"}
    rows = reports.class_rows([row(), row(name="教育1班"), row(name="无名班")], colleges=colleges)
    assert [r["college"] for r in rows] == ["商学院", "教师教育学院", reports.NO_COLLEGE]


counts = st.integers(min_value=0, max_value=80)
class_row = st.builds(row, room=st.sampled_from(["A组", "B组", "第一组"]),
                      date=st.sampled_from(["2024-06-01", "2024-06-02"]),
                      name=st.sampled_from(["会计1班", "会计2班", "英语A班", "英语B班", "体教17"]),
                      expected=counts, issued=counts, photographed=counts, skipped=counts, voided=counts,
                      waiting=counts)


@given(st.lists(class_row, max_size=30), st.sampled_from([20, 18.5, 0.01]),
       st.dictionaries(st.sampled_from(["会计1班", "英语A班", "体教17"]), st.sampled_from(["商学院", "外语学院"])))
def test_per_college_and_per_day_totals_add_up_to_the_grand_total(classes, fee, colleges):
    report = reports.build_report(classes, fee, colleges)
    for key in (*reports.COUNT_KEYS, "fee_fen", "classes"):
        assert sum(t[key] for t in report.by_college) == report.total[key]
        assert sum(t[key] for t in report.by_day) == report.total[key]
    assert report.total["fee_fen"] == report.total["photographed"] * reports.fee_fen(fee)
    assert report.total["classes"] == len(classes)


def test_makeup_list_has_each_class_with_students_not_photographed_and_how_many():
    rows = reports.class_rows([row(name="全到班", expected=30, issued=30, photographed=30),
                               row(name="缺人班", expected=30, issued=26, photographed=20, skipped=4, waiting=2),
                               row(name="没来班", expected=12)], now=dt.datetime(2024, 6, 2, 8, 0))
    makeup = reports.makeup_list(rows)  # the day after: every class is over
    assert [(m["class"], m["missing"], m["not_seen"], m["skipped"], m["waiting"]) for m in makeup] == [
        ("缺人班", 10, 4, 4, 2), ("没来班", 12, 12, 0, 0)]


def _state():
    state = SessionState(room="A组", date="2024-06-01")
    rules = Rules(digest_key=b"k" * 32)
    now = dt.datetime(2024, 6, 1, 9, 0)
    plan = ({"name": "会计1班", "headcount": 3, "start": "09:00", "end": "09:10"},
            {"name": "会计2班", "headcount": 5, "start": "09:10", "end": "09:20"})
    for command in [cmd.LoadTimetable(plan), *[cmd.Scan(f"student-code-{i}") for i in range(1, 6)],
                    cmd.Advance(), cmd.Skip(), cmd.Advance(), cmd.Void(5, "重复取号"), cmd.Advance()]:
        now += dt.timedelta(seconds=10)
        queue.step(state, command, now, rules)
    return state


def test_agency_list_is_in_shooting_order_with_digests_and_marks_skips_and_voids():
    state = _state()
    rows = agency.agency_list(state)
    assert [(r["number"], r["status"], r["order"]) for r in rows] == [
        (1, "已拍", 1), (2, "过号", ""), (3, "已拍", 2), (5, "作废", ""), (4, "已拍", 3)]
    assert all(len(r["code_digest"]) == 64 and "student-code" not in str(r) for r in rows)
    assert rows[3]["note"] == "作废 重复取号"
    assert rows[0]["class"] == "会计1班" and rows[4]["class"] == "会计2班"


def test_counts_csv_carries_chinese_headings_classes_and_totals():
    report = reports.build_report(class_counts(_state()))
    text = reports.counts_csv(report)
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("日期,拍摄组,学院,班级,应拍")
    assert lines[-1].split(",")[3] == "合计"
    assert lines[-1].split(",")[-1] == str(3 * 20)


def test_totals_carry_the_split_and_the_overflow_and_keep_the_offices_sum():
    classes = [dict(row(name="早班", expected=3, issued=5, photographed=4, waiting=1), absent=0, not_started=0,
                    over=2),
               dict(row(name="晚班", expected=4, issued=1, photographed=1), absent=0, not_started=3, over=0),
               dict(row(name="缺人班", expected=5, issued=2, photographed=2), absent=3, not_started=0, over=0)]
    report = reports.build_report(classes)
    t = report.total
    assert (t["absent"], t["not_started"], t["over"]) == (3, 3, 2)
    assert t["expected"] + t["over"] == t["photographed"] + t["skipped"] + t["waiting"] + t["absent"] + t[
        "not_started"]
    makeup = {m["class"]: m for m in report.makeup}
    # issue 23: a class not over yet is no make-up case, and no make-up row counts anyone "not started"
    assert (makeup["缺人班"]["absent"], makeup["缺人班"]["not_started"]) == (3, 0) and "晚班" not in makeup
    headings = [zh for _, zh in reports.CLASS_COLUMNS]
    assert {"过号", "未到（已过时段）", "未开始", "超出应拍"} <= set(headings) and "未到(过号)" not in headings


def test_rows_from_before_the_split_still_add_up():
    (r,) = reports.class_rows([row(expected=10, issued=12, photographed=11, voided=1)])
    assert (r["absent"], r["not_started"], r["over"]) == (0, 0, 1)


def test_a_report_made_after_a_slot_passed_counts_its_missing_students_absent():
    counted = dict(row(name="午班", expected=4, issued=1, photographed=1), absent=0, not_started=3, over=0,
                   slot_end="14:50")
    (before,) = reports.class_rows([counted], now=dt.datetime(2024, 6, 1, 14, 49))
    (after,) = reports.class_rows([counted], now=dt.datetime(2024, 6, 1, 14, 50))
    (next_day,) = reports.class_rows([counted], now=dt.datetime(2024, 6, 2, 8, 0))
    assert (before["absent"], before["not_started"]) == (0, 3)
    assert (after["absent"], after["not_started"]) == (3, 0) == (next_day["absent"], next_day["not_started"])
