"""timetable check: every published mistake in both real timetables, nothing else; each rule on its own."""

import json
import re

import pytest

from photoqueue.cli import main
from photoqueue.settings import problems
from photoqueue.timetable.check import CheckSettings, check_file, check_rows
from photoqueue.timetable.importer import ImportOptions

# Gone through by hand, row by row (header = row 1). See docs/timetable.md, "The published mistakes".
EXPECTED_2021 = {
    (4, "error", "overlap"),            # A组 文秘 9:20-9:55 starts inside 社工 8:55-9:25
    (7, "warning", "pace-slow"),        # A组 体教17: 54 students in 12:30-13:25 = 61 s each
    (15, "warning", "pace-slow"),       # B组 电商: 68 students in 9:25-10:55 = 79 s each
    (16, "error", "end-before-start"),  # B组 国贸 10:55-10:20
    (17, "error", "overlap"),           # B组 国商 10:25-10:50 inside 电商 9:25-10:55
    (18, "error", "overlap"),           # B组 旅游 10:50-11:20 starts before 电商 ends at 10:55
}
EXPECTED_2024 = {
    (42, "error", "pace-impossible"),   # 第二组 25日 17:10-17:12 for 53 students
    (75, "error", "overlap"),           # 第二组 26日 10:20-10:30 given to 化工2班 and 学前教育 both
    (85, "warning", "hole"),            # 第一组 26日 afternoon: nothing 13:40-14:40
    (97, "warning", "pace-slow"),       # 第二组 26日 体育教育2班 14:25-15:35 for 41 students
    # issue 23: slots a class overruns by a minute or more at the plan's 11 s a student (the one pace rule)
    *((row, "warning", "pace-tight") for row in (4, 5, 6, 26, 27, 28, 29, 30, 40, 47, 48, 54, 61, 63, 73, 78, 79,
                                                   80, 82, 83, 84)),
}


def triples(report):
    return {(f.row, f.severity, f.rule) for f in report.findings}


def test_2021_every_published_mistake_and_nothing_else(timetable_2021):
    report = check_file(timetable_2021)
    assert triples(report) == EXPECTED_2021
    assert len(report.findings) == len(EXPECTED_2021)  # one finding per problem, not repeated
    assert report.rows == 37


def test_2024_every_published_mistake_and_nothing_else(timetable_2024):
    report = check_file(timetable_2024)
    assert triples(report) == EXPECTED_2024
    assert len(report.findings) == len(EXPECTED_2024)
    assert report.rows == 96


def test_overlap_names_the_other_row(timetable_2024):
    (f,) = [f for f in check_file(timetable_2024).findings if f.rule == "overlap"]
    assert "row 74" in f.message and "第 74 行" in f.message and "20学前教育(师)" in f.message


def test_messages_are_english_and_chinese(timetable_2021, timetable_2024):
    for path in (timetable_2021, timetable_2024):
        for f in check_file(path).findings:
            english, chinese = f.message.split(" / ", 1)
            assert re.search(r"[a-z]{3}", english) and re.search(r"[\u4e00-\u9fff]", chinese), f.message


def test_check_json_and_exit_status(timetable_2024, capsys):
    assert main(["timetable", "check", "--json", str(timetable_2024)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {(f["row"], f["severity"], f["rule"]) for f in out["findings"]} == EXPECTED_2024
    assert all(set(f) == {"row", "severity", "rule", "message"} for f in out["findings"])


def test_clean_timetable_exits_0(tmp_path, csv_lines, capsys):
    path = csv_lines(tmp_path, "2023-10-25,A组,,08:30,08:40,,一班,50", "2023-10-25,A组,,08:40,08:50,,二班,50")
    assert main(["timetable", "check", str(path)]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out


def test_warnings_alone_exit_0(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "2023-10-25,A组,,08:30,09:30,,一班,50")  # 72 s a student
    assert main(["timetable", "check", str(path)]) == 0
    assert triples(check_file(path)) == {(2, "warning", "pace-slow")}


def test_every_bad_row_is_reported_not_only_the_first(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2023-10-25,A组,,08:30,08:40,,一班,50",
        "2023-10-25,A组,,8点3刻,08:50,,二班,50",      # malformed time
        "2023-10-32,A组,,08:50,09:00,,三班,50",      # malformed date
        "2023-10-25,A组,,09:00,09:10,,,50",          # no class name
        "2023-10-25,A组,,09:10,09:20,,五班,0",       # zero
        "2023-10-25,A组,,09:20,09:30,,六班,-3",      # negative
        "2023-10-25,A组,,09:30,09:40,,七班,约50",    # not a number
        "2023-10-25,A组,,09:40,09:50,,八班,",        # missing
        "2023-10-25,A组,,09:50,10:00,,一班,50",      # the same class twice
        "2023-10-25,A组,,10:00,10:10,,（十班）,50",
        "2023-10-25,A组,,10:10,10:20,,(十班),50",     # the same class, other brackets
    )
    assert {(f.row, f.rule) for f in check_file(path).findings} == {
        (3, "malformed-time"), (4, "malformed-date"), (5, "missing-class"), (6, "headcount"),
        (7, "headcount"), (8, "headcount"), (9, "headcount"), (10, "duplicate-class"), (12, "duplicate-class"),
    }


def test_end_equal_to_start_is_an_error_and_not_also_a_pace(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "2023-10-25,A组,,08:30,08:30,,一班,50")
    assert triples(check_file(path)) == {(2, "error", "end-before-start")}


def test_pace_thresholds_are_strict(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2023-10-25,A组,,08:00,08:05,,一班,60",   # exactly 5 s: fine
        "2023-10-25,A组,,08:05,08:10,,二班,61",   # 4.9 s: impossible
        "2023-10-25,A组,,08:10,08:20,,三班,10",   # exactly 60 s: fine
        "2023-10-25,A组,,08:20,08:30,,四班,9",    # 66.7 s: slow
    )
    # the tight-pace warning (issue 15) set to the impossible line, so only these two thresholds are under test
    loose = CheckSettings(tight_pace_s=5.0)
    assert {(f.row, f.rule) for f in check_file(path, settings=loose).findings} == {(3, "pace-impossible"),
                                                                                     (5, "pace-slow")}


def test_slots_faster_than_a_photographer_works_are_warned(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2023-10-26,第二组,,10:50,10:55,,车辆2班,43",  # 7 s a student: the room runs late
        "2023-10-26,第二组,,10:55,11:05,,车辆3班,55",  # 10.9 s: 5 s over at 11 s a student, on time
        "2023-10-26,第二组,,11:05,11:10,,车辆4班,30",  # 10 s: 30 s over, a minute as the plan rounds
    )
    found = {(f.row, f.severity, f.rule) for f in check_file(path).findings}
    assert found == {(2, "warning", "pace-tight"), (4, "warning", "pace-tight")}
    assert not check_file(path, settings=CheckSettings(tight_pace_s=6.5)).findings


def test_touching_slots_do_not_overlap_and_rooms_and_dates_are_separate(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2023-10-25,A组,,08:30,08:40,,一班,50",
        "2023-10-25,A组,,08:40,08:50,,二班,50",
        "2023-10-25,B组,,08:30,08:40,,三班,50",   # same time, other room
        "2023-10-26,A组,,08:30,08:40,,四班,50",   # same time, other day
    )
    assert check_file(path).findings == []


def test_holes_inside_a_half_day_but_not_lunch(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2023-10-25,A组,,08:00,08:10,,一班,50",
        "2023-10-25,A组,,08:40,08:50,,二班,50",   # 30 min gap: not more than 30
        "2023-10-25,A组,,09:21,09:31,,三班,50",   # 31 min: a hole
        "2023-10-25,A组,,11:00,11:10,,四班,50",   # 89 min: a hole
        "2023-10-25,A组,,13:30,13:40,,五班,50",   # 140 min, but across lunch
        "2023-10-25,A组,,14:20,14:30,,六班,50",   # 40 min: an afternoon hole
    )
    assert {(f.row, f.rule) for f in check_file(path).findings} == {(4, "hole"), (5, "hole"), (7, "hole")}


def test_hole_after_an_overlap_counts_from_the_latest_end(tmp_path, csv_lines):
    path = csv_lines(
        tmp_path,
        "2023-10-25,A组,,08:00,09:00,,一班,60",
        "2023-10-25,A组,,08:10,08:20,,二班,50",   # inside 一班
        "2023-10-25,A组,,09:20,09:30,,三班,50",   # 20 min after 一班 ends: not a hole
    )
    assert {(f.row, f.rule) for f in check_file(path).findings} == {(3, "overlap")}


def test_settings_change_the_thresholds(tmp_path, csv_lines):
    path = csv_lines(tmp_path, "2023-10-25,A组,,08:00,08:10,,一班,100")  # 6 s a student
    assert {f.rule for f in check_file(path).findings} == {"pace-tight"}  # over its slot at the plan's pace
    assert check_file(path, settings=CheckSettings(tight_pace_s=5)).findings == []
    rules = {f.rule for f in check_file(path, settings=CheckSettings(min_pace_s=8)).findings}
    assert rules == {"pace-impossible"}
    assert problems(CheckSettings(min_pace_s=70)) and problems(CheckSettings(lunch="noon"))
    assert problems(CheckSettings()) == []


def test_check_rows_works_on_a_loaded_timetable(timetable_2024):
    from photoqueue.timetable import load_timetable

    found = {(f.row, f.rule) for f in check_rows(load_timetable(timetable_2024).slots)}
    assert found == {(row, rule) for row, _, rule in EXPECTED_2024}


@pytest.mark.parametrize("option", [ImportOptions(), ImportOptions(year=2023)])
def test_file_level_problem_is_one_finding(tmp_path, option):
    path = tmp_path / "empty.csv"
    path.write_text("")
    report = check_file(path, option)
    assert [(f.row, f.rule, f.severity) for f in report.findings] == [(0, "file", "error")]
    assert "empty" in report.findings[0].message
