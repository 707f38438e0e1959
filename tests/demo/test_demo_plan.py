"""The demo's day plan (pure): a class arrives as a crowd, as on the real day, and the progress bar's total is
known before any room starts."""

from __future__ import annotations

import datetime as dt

from photoqueue.demo.day import DemoOptions, Progress, planned_students, shipped_timetable, write_day
from photoqueue.demo.plan import plan_students
from photoqueue.timetable import ClassSlot, RoomDay

DAY = dt.date(2024, 6, 12)


def room_day(*sizes: int) -> RoomDay:
    start = dt.datetime.combine(DAY, dt.time(14, 0))
    return RoomDay(DAY, "A组", tuple(
        ClassSlot(DAY, "A组", f"20财务管理{i + 1}班", n, (start + dt.timedelta(minutes=10 * i)).time(),
                  (start + dt.timedelta(minutes=10 * (i + 1))).time()) for i, n in enumerate(sizes)))


def longest_queue(students, pace_s: float) -> int:
    """The line's longest length with a photographer taking ``pace_s`` a student, from the first arrival."""
    free, done_at, longest = None, [], 0
    for s in students:
        free = max(free or s.arrive_at, s.arrive_at) + dt.timedelta(seconds=pace_s)
        done_at.append(free)
        longest = max(longest, sum(1 for t in done_at if t > s.arrive_at))
    return longest


def test_a_class_of_53_arrives_as_a_crowd_before_its_slot():
    day = room_day(53)
    plan = [s for s in plan_students(day, 2024) if s.behaviour not in ("late", "absent")]
    slot = day.classes[0].start_at
    arrivals = [s.arrive_at for s in plan]
    assert max(arrivals) - min(arrivals) < dt.timedelta(minutes=4)  # all within minutes, not over the slot
    assert min(arrivals) >= slot - dt.timedelta(minutes=5)


def test_the_queue_on_the_screen_grows_to_20_to_40_at_the_measured_pace():
    for seed in (2024, 7, 11):
        plan = [s for s in plan_students(room_day(53, 48, 45), seed) if s.behaviour != "absent"]
        assert 20 <= longest_queue(plan, 9.0) <= 40, seed


def test_the_progress_total_is_every_planned_student_from_the_start(tmp_path):
    options = DemoOptions(data_dir=tmp_path, timetable=shipped_timetable())
    rooms, date = ["第一组", "第二组"], dt.date(2023, 10, 25)
    totals = planned_students(write_day(options, date, rooms), date, rooms, options.seed)
    progress = Progress(totals, enabled=False)
    assert sum(progress.total.values()) == sum(totals.values()) > 0  # before any room has said a word
    progress.update("第一组", 1, totals["第一组"])
    assert progress.total == totals  # a room's first report does not move the total
