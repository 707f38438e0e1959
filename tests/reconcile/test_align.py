"""reconcile's alignment on generated days: several hundred students, retakes, a camera minutes off that
drifts, absences, skips, voids, recalls, an undo, and the planted mistakes the notices fear."""

import dataclasses
import datetime as dt

import pytest

from photoqueue.demo.reconcile_day import simulate_day
from photoqueue.reconcile import Photo, reconcile
from photoqueue.reconcile.model import MISALIGNMENTS
from photoqueue.reconcile.timeline import build_turns


def run(day, **kw):
    return reconcile(day.events, day.photos, room=day.room, date=day.date, **kw)


def wrong(day, rec):
    return [(p.file, p.number, day.truth[p.file]) for p in rec.photos if p.number != day.truth[p.file]]


def misalignments(rec):
    """The slips and absent students found (the stretches between slips are checked on their own)."""
    return {(f.kind, f.number) for f in rec.findings if f.kind in MISALIGNMENTS and f.kind != "shifted"}


def stretches(rec):
    return [(f.number, f.last, f.shift) for f in rec.findings if f.kind == "shifted"]


# every single slip, and a double press made good by a forgotten press 20 numbers later
ALL_SLIPS = {"kinds": ("noshow_press", "undo", "forgotten", "void_called"),
             "pairs": (("double_then_forgotten", 20),)}


def test_a_clean_day_has_no_finding_and_every_photo_on_its_number():
    day = simulate_day(400, seed=11, anomalies=False, test_shots=0, offset_s=-312.0, drift_s=3.0)
    rec = run(day)
    assert rec.findings == []
    assert wrong(day, rec) == []
    assert abs(rec.camera_offset_s - day.offset_s) <= 3.0


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_planted_anomaly_is_found_at_its_number(seed):
    day = simulate_day(350, seed=seed, offset_s=-185.0 + 97 * seed, drift_s=(-1) ** seed * 5.0, **ALL_SLIPS)
    rec = run(day)
    planted = set(day.planted)
    assert {k for k, _ in planted} >= {"empty_press", "missing_press", "extra_press"}
    assert misalignments(rec) == planted
    assert stretches(rec) == day.shifted and len(day.shifted) == 2  # the forgotten press's, the pair's
    assert wrong(day, rec) == []  # the shift keeps every photo on its student, before and after
    assert abs(rec.camera_offset_s - day.offset_s) <= 3.0
    assert [(f.kind, f.number) for f in rec.findings if f.kind not in MISALIGNMENTS] == [("before_first_call", 1)]


def test_a_forgotten_press_never_corrected_shifts_nothing_after_it():
    day = simulate_day(300, seed=7, corrected_after=None, kinds=("noshow_press", "undo", "forgotten"))
    (number,) = [n for k, n in day.planted if k == "missing_press"]
    rec = run(day)
    assert ("missing_press", number) in misalignments(rec)
    assert wrong(day, rec) == []
    # the files named are the second student's, photographed while the first one's number was called
    finding = next(f for f in rec.findings if f.kind == "missing_press")
    assert {day.truth[f] for f in finding.files} == {number + 1}
    # and the stretch runs to the day's end, each photo on the number after the screen's
    (stretch,) = [f for f in rec.findings if f.kind == "shifted"]
    assert (stretch.number, stretch.shift) == (number + 1, 1) and "至今仍错位" in stretch.message


def test_a_camera_hours_off_is_found_from_the_data():
    day = simulate_day(200, seed=9, offset_s=3 * 3600 + 17.0, drift_s=0.0, anomalies=False, test_shots=0)
    rec = run(day)
    assert abs(rec.camera_offset_s - day.offset_s) <= 3.0
    assert wrong(day, rec) == [] and rec.findings == []


def test_confidence_is_high_on_clean_stretches_and_lower_at_a_finding():
    day = simulate_day(300, seed=2, **ALL_SLIPS)
    rec = run(day)
    bad = {n for _, n in day.planted} | {n for a, b, _ in day.shifted for n in range(a, b + 1)}
    by_number = rec.by_number()
    clean = [p.confidence for n, ps in by_number.items() if all(abs(n - b) > 3 for b in bad) for p in ps]
    assert min(clean) >= 0.5 and sum(clean) / len(clean) > 0.9
    (number,) = [a - 1 for a, _, shift in day.shifted if shift == 1]  # the forgotten press staff made good
    assert max(p.confidence for p in by_number[number + 1]) < 0.8


def test_photos_before_the_first_call_and_after_the_last_press_are_named_not_assigned():
    day = simulate_day(60, seed=4, anomalies=False, test_shots=3)
    last = day.photos[-1].taken + dt.timedelta(minutes=5)
    photos = day.photos + [Photo("IMG_9998.JPG", last), Photo("IMG_9999.JPG", last + dt.timedelta(seconds=2))]
    closed = [e for e in day.events]
    rec = reconcile(closed, photos, room=day.room, date=day.date)
    kinds = {f.kind: f for f in rec.findings}
    assert set(kinds["before_first_call"].files) == {p.file for p in day.photos[:3]}
    assert kinds["after_last_call"].files == ("IMG_9998.JPG", "IMG_9999.JPG")
    assert {p.file for p in rec.photos if p.number is None} == {p.file for p in day.photos[:3]} | {
        "IMG_9998.JPG", "IMG_9999.JPG"}


def test_photos_from_another_day_are_left_out_with_a_message():
    day = simulate_day(80, seed=5, anomalies=False, test_shots=0)
    stray = Photo("OLD_0001.JPG", day.photos[0].taken - dt.timedelta(days=3))
    rec = run(dataclasses.replace(day, photos=[stray, *day.photos]))
    (other,) = [f for f in rec.findings if f.kind == "other_day"]
    assert other.files == ("OLD_0001.JPG",) and "2024-06-09" in other.message
    assert "OLD_0001.JPG" not in {p.file for p in rec.photos}
    assert wrong(day, rec) == []


def test_a_long_wait_after_a_call_is_named_at_its_number_and_an_idle_room_is_not():
    day = simulate_day(120, seed=6, kinds=("late",), test_shots=0)
    (number,) = [n for k, n in day.planted if k == "long_gap"]
    rec = run(day)
    assert [(f.kind, f.number) for f in rec.findings] == [("long_gap", number)]
    assert "分钟没有照片" in rec.findings[0].message
    assert wrong(day, rec) == []


def issued(count: int, at: str, env: dict) -> list[dict]:
    """Tickets 1..count as the log's rows, the first called at once (the room was idle)."""
    return [{"type": "ticket_issued", "number": n, "called": n == 1, "code_digest": f"d{n}", "class_name": "c",
             "at": at, **env} for n in range(1, count + 1)]


def test_undo_reopens_the_turn_and_drops_the_undone_one():
    at = "2024-06-12T09:00:{:02d}"
    env = {"room": "A", "date": "2024-06-12"}
    events = [
        *issued(3, at.format(0), env),
        {"type": "advanced", "photographed": 1, "called": 2, "at": at.format(10), **env},
        {"type": "advance_undone", "photographed": 1, "called": 2, "at": at.format(12), **env},
        {"type": "advanced", "photographed": 1, "called": 2, "at": at.format(20), **env},
        {"type": "ticket_skipped", "number": 2, "called": 3, "at": at.format(30), **env},
        {"type": "ticket_recalled", "number": 2, "called": False, "at": at.format(31), **env},
        {"type": "advanced", "photographed": 3, "called": 2, "at": at.format(40), **env},
    ]
    turns = build_turns(events, "2024-06-12")
    assert [(t.number, t.outcome) for t in turns] == [(1, "press"), (2, "skip"), (3, "press"), (2, "open")]
    assert turns[0].end - turns[0].start == 20 and len(turns[0].undone) == 1


def test_a_live_forgotten_press_is_a_shift_until_staff_press_for_it():
    day = simulate_day(120, seed=3, corrected_after=2, kinds=("forgotten",))
    (number,) = [n for k, n in day.planted if k == "missing_press"]
    (fix,) = [n for k, n in day.planted if k == "extra_press"]
    # the day as the station saw it at moments: cut the events and the photos at a station time
    def at(cut_number, extra_s=0.0):
        events, photos = [], []
        for e in day.events:
            events.append(e)
            if getattr(e, "called", None) == cut_number and e.type == "advanced":
                break
        cut = dt.datetime.fromisoformat(events[-1].at) + dt.timedelta(seconds=extra_s)
        photos = [p for p, t in zip(day.photos, day.shot_times, strict=True)
                  if day.events[0].at and dt.datetime.fromisoformat(day.date) + dt.timedelta(hours=8, minutes=30,
                                                                                              seconds=t) < cut]
        return reconcile(events, photos, room=day.room, date=day.date)

    assert at(number - 5).shift == 0 and at(number - 5).live == []
    during = at(number + 2, extra_s=4.0)
    assert during.shift == 1 and any(f"{number} 号之后少了一次按键" in a for a in during.live)
    after = at(fix + 1, extra_s=1.0)
    assert after.shift == 0 and after.live == []


def test_a_folder_that_covers_half_the_day_says_so_once_not_per_number():
    day = simulate_day(200, seed=8, anomalies=False, test_shots=0)
    half = day.photos[: len(day.photos) // 2]
    rec = run(dataclasses.replace(day, photos=half))
    (gap,) = rec.findings
    assert gap.kind == "not_covered" and "在这个文件夹里没有照片" in gap.message
    assert all(p.number == day.truth[p.file] for p in rec.photos)


def test_too_few_photos_to_learn_the_clock_are_named():
    day = simulate_day(60, seed=3, anomalies=False, test_shots=0)
    rec = run(dataclasses.replace(day, photos=day.photos[10:13]))
    assert "few_photos" in {f.kind for f in rec.findings}


def _day_events(presses: int):
    """A clean stretch as plain rows: numbers called every 10 s, each photographed 6 s after its call."""
    env = {"room": "A", "date": "2024-06-12"}
    t0 = dt.datetime(2024, 6, 12, 9, 0, 0)
    rows = issued(presses + 5, t0.isoformat(), env)
    photos = []
    for n in range(1, presses + 1):
        photos.append(Photo(f"IMG_{n:04d}.JPG", t0 + dt.timedelta(seconds=10 * (n - 1) + 6 + 120)))  # camera +120 s
        rows.append({"type": "advanced", "photographed": n, "called": n + 1,
                     "at": (t0 + dt.timedelta(seconds=10 * n)).isoformat(), **env})
    return rows, photos, t0, env


def test_a_live_double_press_alerts_at_once_and_an_undo_clears_it():
    rows, photos, t0, env = _day_events(30)
    at = t0 + dt.timedelta(seconds=301)
    rows.append({"type": "advanced", "photographed": 31, "called": 32, "at": at.isoformat(), **env})  # the slip
    # a press a second after the call: nobody could have been photographed; the screen is one ahead
    (alert,) = reconcile(rows, photos, room="A", date="2024-06-12").live
    assert "31 号连按了两次" in alert and "请按住按键撤销一次" in alert
    nxt = Photo("IMG_0031.JPG", at + dt.timedelta(seconds=5 + 120))  # student 31 walks in, as the line says
    rec = reconcile(rows, [*photos, nxt], room="A", date="2024-06-12")
    assert rec.shift == -1 and any("31 号连按了两次" in a for a in rec.live)
    assert rec.by_number()[31][0].file == "IMG_0031.JPG"  # photographed under 32, still 31's photo
    undone = [*rows, {"type": "advance_undone", "photographed": 31, "called": 32,
                      "at": (at + dt.timedelta(seconds=2)).isoformat(), **env}]  # a hold of the button
    rec = reconcile(undone, [*photos, nxt], room="A", date="2024-06-12")
    assert rec.live == [] and rec.by_number()[31][0].file == "IMG_0031.JPG"
