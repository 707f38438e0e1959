"""The planner: real start and end of each class at a pace, measured progress, the plan command."""

import datetime as dt
import json

import pytest

from photoqueue.cli import main
from photoqueue.core.pace import measure_pace
from photoqueue.settings import problems
from photoqueue.timetable import ClassSlot, RoomDay, load_timetable
from photoqueue.timetable.plan import ClassProgress, PlanSettings, plan_room
from photoqueue.timetable.progress import room_progress

DAY = dt.date(2023, 10, 25)


def at(hms: str) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time.fromisoformat(hms))


def room_day() -> RoomDay:
    def slot(name, start, end, n):
        return ClassSlot(DAY, "A组", name, n, dt.time.fromisoformat(start), dt.time.fromisoformat(end))

    return RoomDay(DAY, "A组", (slot("一班", "08:00", "08:10", 60), slot("二班", "08:10", "08:20", 30),
                                slot("三班", "09:00", "09:10", 20)))


def times(plan):
    return [(c.name, f"{c.start:%H:%M:%S}", f"{c.end:%H:%M:%S}", c.status) for c in plan.classes]


def test_classes_follow_each_other_and_never_start_before_their_slot():
    plan = plan_room(room_day(), 11)
    assert times(plan) == [("一班", "08:00:00", "08:11:00", "waiting"), ("二班", "08:11:00", "08:16:30", "waiting"),
                           ("三班", "09:00:00", "09:03:40", "waiting")]
    assert plan.late_by < dt.timedelta(0) and plan.max_start_delay == dt.timedelta(minutes=1)
    assert plan.find("二班").start_delay == dt.timedelta(minutes=1)
    assert plan.find("二班").end_delay == dt.timedelta(minutes=-3, seconds=-30)


def test_a_slow_pace_makes_the_room_late():
    plan = plan_room(room_day(), 40)
    assert times(plan)[-1] == ("三班", "09:00:00", "09:13:20", "waiting")
    assert plan.late_by == dt.timedelta(minutes=3, seconds=20) and plan.finish == at("09:13:20")
    assert plan.max_start_delay == dt.timedelta(minutes=30)  # 二班 waits from 08:10 to 08:40


def test_early_start_when_the_room_is_free():
    plan = plan_room(room_day(), 11, early=dt.timedelta(minutes=15))
    assert plan.find("三班").start == at("08:45:00")
    assert plan.find("一班").start == at("07:45:00")


def test_now_pushes_what_is_not_shot_yet():
    plan = plan_room(room_day(), 11, now=at("08:30:00"))
    assert times(plan)[:2] == [("一班", "08:30:00", "08:41:00", "waiting"), ("二班", "08:41:00", "08:46:30", "waiting")]


def test_measured_progress_shooting_and_done():
    shooting = {"一班": ClassProgress(photographed=20, accounted=20, first_at=at("08:00:00"), last_at=at("08:04:00"))}
    plan = plan_room(room_day(), 11, now=at("08:05:00"), measured=shooting)
    assert times(plan)[:2] == [("一班", "08:00:00", "08:12:20", "shooting"), ("二班", "08:12:20", "08:17:50", "waiting")]
    assert plan.find("一班").remaining == 40

    done = {"一班": ClassProgress(55, 58, at("08:00:00"), at("08:09:00"), finished=True)}
    plan = plan_room(room_day(), 11, now=at("08:09:30"), measured=done)
    assert times(plan)[:2] == [("一班", "08:00:00", "08:09:00", "done"), ("二班", "08:10:00", "08:15:30", "waiting")]
    everyone = {"一班": ClassProgress(60, 60, at("08:00:00"), at("08:09:00"))}
    assert plan_room(room_day(), 11, measured=everyone).find("一班").status == "done"


def test_plan_to_dict():
    d = plan_room(room_day(), 40).to_dict()
    assert d["late_s"] == 200 and d["max_start_delay_s"] == 1800 and d["pace_s"] == 40
    assert d["classes"][0] == {"class": "一班", "headcount": 60, "status": "waiting", "remaining": 60,
                               "scheduled_start": "2023-10-25T08:00:00", "scheduled_end": "2023-10-25T08:10:00",
                               "start": "2023-10-25T08:00:00", "end": "2023-10-25T08:40:00",
                               "start_delay_s": 0, "end_delay_s": 1800}


def test_measure_pace_leaves_out_breaks():
    t0 = at("09:00:00")
    stamps = [t0 + dt.timedelta(seconds=s) for s in (0, 10, 20, 30, 300, 310)]
    assert measure_pace(stamps) == (10.0, 4)
    assert measure_pace([t0]) == (None, 0)
    assert measure_pace(reversed(stamps), max_gap_s=300) == (62.0, 5)


def test_measure_pace_counts_from_when_the_student_was_in_line():
    t0 = at("09:00:00")
    shots = [t0 + dt.timedelta(seconds=s) for s in (0, 10, 100, 110)]
    # #3 arrived at 90 s, after #2's photo: 10 s for them, not 90; #1 counts from its scan at -8 s
    ready = [t0 - dt.timedelta(seconds=8), t0, t0 + dt.timedelta(seconds=90), t0]
    assert measure_pace(shots, ready_at=ready) == (9.5, 4)
    assert measure_pace(shots) == (pytest.approx(110 / 3), 3)


def test_room_progress_from_tickets():
    def ticket(n, cls, status, shot=None):
        return {"room": "A组", "date": "2023-10-25", "number": n, "class": cls, "status": status,
                "issued_at": "2023-10-25T07:55:00", "photographed_at": shot}

    tickets = [ticket(1, "一班", "photographed", "2023-10-25T08:00:10"), ticket(2, "一班", "skipped"),
               ticket(3, "二班", "photographed", "2023-10-25T08:01:00+08:00"), ticket(4, "二班", "waiting"),
               {**ticket(5, "一班", "photographed", "2023-10-25T08:00:00"), "room": "B组"}]
    progress = room_progress(tickets, room_day())
    assert progress.classes["一班"] == ClassProgress(1, 2, at("08:00:10"), at("08:00:10"), finished=True)
    assert progress.classes["二班"].photographed == 1 and not progress.classes["二班"].finished
    assert progress.classes["三班"] == ClassProgress()
    assert len(progress.photographed_at) == 2 and progress.latest == max(progress.photographed_at)


def test_settings_validate():
    assert problems(PlanSettings()) == []
    assert problems(PlanSettings(pace_s=0)) and problems(PlanSettings(early_min=-1))
    with pytest.raises(ValueError):
        plan_room(room_day(), 0)


def test_plan_command_on_the_2024_timetable(timetable_2024, capsys):
    assert main(["timetable", "plan", "--json", str(timetable_2024)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["rooms"]) == 4 and {r["pace_s"] for r in out["rooms"]} == {11.0}
    late = {(r["room"], r["date"]): r["late_s"] for r in out["late"]}
    second = next(r for r in out["rooms"] if (r["room"], r["date"]) == ("第二组", "2023-10-25"))
    assert second["finish"] == "2023-10-25T17:19:43"  # 53 students cannot fit 17:10-17:12
    assert late[("第二组", "2023-10-25")] == 7 * 60 + 43
    assert main(["timetable", "plan", "--lang", "en", str(timetable_2024)]) == 0
    text = capsys.readouterr().out
    assert "Running late" in text and "第二组 2023-10-25: finishes 17:20, 8 min after its last slot" in text


def test_plan_command_pace_option(timetable_2021, capsys):
    assert main(["timetable", "plan", "--pace", "6", "--json", str(timetable_2021)]) == 0
    rooms = json.loads(capsys.readouterr().out)["rooms"]
    assert len(rooms) == 3 and all(r["late_s"] < 0 for r in rooms)  # every room finishes early at 6 s
    assert main(["timetable", "plan", "--pace", "-1", str(timetable_2021)]) == 2
    assert "pace_s" in capsys.readouterr().err


def test_plan_with_a_station_data_dir(tmp_path, csv_lines, capsys):
    """A station that shot 12 students 20 s apart: the plan uses that pace and what is already done."""
    from photoqueue.core import commands as cmd
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.session import Session

    path = csv_lines(tmp_path, "2023-10-25,A组,,09:00,09:10,,一班,8", "2023-10-25,A组,,09:10,09:20,,二班,8",
                     "2023-10-25,A组,,09:20,09:30,,三班,8")
    station = tmp_path / "station"
    station.mkdir()
    session = Session(EventStore(db_path(station)), "A组", "2023-10-25", Rules(digest_key=b"k" * 32))
    session.load_timetable(load_timetable(path).room_day("A组", DAY), at("08:50:00"))
    for i in range(16):
        session.scan(f"CODE-{i:04d}", at("08:55:00"))
    for k in range(12):  # #1 is called at its scan; each press photographs the called ticket
        session.handle(cmd.Advance(), at("09:00:00") + dt.timedelta(seconds=20 * k))
    session.store.close()

    assert main(["timetable", "plan", "--json", "--data-dir", str(station), str(path)]) == 0
    (room,) = json.loads(capsys.readouterr().out)["rooms"]
    assert (room["pace_s"], room["pace_source"], room["now"]) == (20.0, "measured", "2023-10-25T09:03:40")
    got = [(c["class"], c["status"], c["start"][11:], c["end"][11:], c["remaining"]) for c in room["classes"]]
    assert got == [("一班", "done", "09:00:00", "09:02:20", 0), ("二班", "shooting", "09:02:40", "09:05:00", 4),
                   ("三班", "waiting", "09:20:00", "09:22:40", 8)]

    assert main(["timetable", "plan", "--json", "--pace", "30", "--now", "09:10", "--data-dir", str(station),
                 str(path)]) == 0
    (room,) = json.loads(capsys.readouterr().out)["rooms"]
    assert room["pace_source"] == "given" and room["classes"][1]["end"] == "2023-10-25T09:12:00"


def test_plan_with_a_missing_data_dir(tmp_path, timetable_2024, capsys):
    assert main(["timetable", "plan", "--data-dir", str(tmp_path / "nope"), str(timetable_2024)]) == 1
    assert "no such data directory" in capsys.readouterr().err
