"""未取号 split by the clock (photoqueue.reports.due): absent (class over) against not yet due, a class over
its headcount, and sums that add up in every total."""

from __future__ import annotations

import datetime as dt

from photoqueue.reports import due
from photoqueue.reports.counts import build_report

NOW = dt.datetime(2024, 6, 12, 15, 0)
TODAY = NOW.date()


def row(cls, expected, issued=0, photographed=0, skipped=0, voided=0, waiting=0, date="2024-06-12", room="A组"):
    return {"date": date, "room": room, "class": cls, "expected": expected, "issued": issued,
            "photographed": photographed, "skipped": skipped, "voided": voided, "waiting": waiting,
            "not_seen": max(expected - (issued - voided), 0)}


def test_a_class_is_over_by_its_rooms_plan_else_by_its_slot_and_by_its_day():
    assert due.class_over("2024-06-11", TODAY, NOW)  # yesterday
    assert not due.class_over("2024-06-13", TODAY, NOW)  # tomorrow
    assert due.class_over("2024-06-12", TODAY, NOW, plan_status="done", slot_end=NOW + dt.timedelta(hours=1))
    # a late room has not reached it: its students were never called, so they are not absent
    assert not due.class_over("2024-06-12", TODAY, NOW, plan_status="waiting", slot_end=NOW - dt.timedelta(hours=1))
    assert not due.class_over("2024-06-12", TODAY, NOW, plan_status="shooting")
    assert due.class_over("2024-06-12", TODAY, NOW, slot_end=NOW - dt.timedelta(minutes=1))
    assert not due.class_over("2024-06-12", TODAY, NOW, slot_end=NOW + dt.timedelta(minutes=1))
    assert not due.class_over("not a date", TODAY, NOW)


def test_mid_day_the_460_not_seen_split_into_absent_and_not_yet_due():
    rows = [row("早班", 53, issued=50, photographed=49, skipped=1), row("中班", 53, issued=20, photographed=15,
                                                                       waiting=5),
            row("晚班", 60)]
    report = due.apply(build_report(rows).to_dict(), lambda r: r["class"] == "早班")
    by = {r["class"]: r for r in report["classes"]}
    assert (by["早班"]["absent"], by["早班"]["not_started"]) == (3, 0)
    assert (by["中班"]["absent"], by["中班"]["not_started"]) == (0, 33)
    assert (by["晚班"]["absent"], by["晚班"]["not_started"]) == (0, 60)
    assert (report["total"]["absent"], report["total"]["not_started"]) == (3, 93)
    assert [m["class"] for m in report["makeup"]] == ["早班"]  # the others still have time


def test_sums_add_up_with_a_void_and_a_class_over_its_headcount():
    # the day: after a class correction one class ends with more tickets than its headcount
    rows = [row("甲班", 40, issued=42, photographed=40, voided=1, waiting=1), row("乙班", 40, issued=37,
                                                                              photographed=36, skipped=1),
            row("丙班", 30, issued=10, photographed=10, date="2024-06-13")]
    report = due.apply(build_report(rows).to_dict(), lambda r: r["date"] == "2024-06-12")
    by = {r["class"]: r for r in report["classes"]}
    assert by["甲班"]["over"] == 1 and by["甲班"]["absent"] == 0
    for r in [*report["classes"], report["total"], *report["by_day"], *report["by_college"]]:
        assert r["photographed"] + r["skipped"] + r["waiting"] + r["absent"] + r["not_started"] == r["expected"] + r["over"]
        assert r["issued"] == r["photographed"] + r["skipped"] + r["waiting"] + r["voided"]
    assert report["total"]["over"] == 1 and report["total"]["absent"] == 3 and report["total"]["not_started"] == 20
