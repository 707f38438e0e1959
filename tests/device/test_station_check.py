"""`station --check` (and the station's start) refuses a day that will go wrong, each with its fix: a room or
date the timetable does not have, a data_dir that cannot be written (a timetable's own mistakes only warn)."""

import pytest

from photoqueue.cli import main


def config(tmp_path, timetable, room="第一组", date="", data_dir=None):
    key = tmp_path / "k.key"
    key.write_text("ab" * 32)
    path = tmp_path / "station.toml"
    data_dir = data_dir or tmp_path / "d"
    path.write_text(f'[station]\nroom = "{room}"\ndata_dir = "{data_dir}"\ntimetable = "{timetable}"\n'
                    f'key_file = "{key}"\ndate = "{date}"\n[printer]\nkind = "dummy"\n', encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("start", [["--check"], ["--headless"]])
def test_a_room_the_timetable_does_not_have_is_refused_with_the_closest_name(tmp_path, timetable_2024, capsys,
                                                                                start):
    assert main(["station", "--config", config(tmp_path, timetable_2024, room="第三组"), *start]) == 2
    err = capsys.readouterr().err
    assert "[station] room" in err and "第三组" in err and "第一组" in err and "set room as the timetable" in err
    assert not (tmp_path / "d").exists()  # refused before anything was made


def test_a_date_the_room_has_no_classes_on_is_refused_with_its_days(tmp_path, timetable_2024, capsys):
    assert main(["station", "--config", config(tmp_path, timetable_2024, date="2023-10-27"), "--check"]) == 2
    err = capsys.readouterr().err
    assert "[station] date" in err and "2023-10-25, 2023-10-26" in err


def test_a_timetable_with_errors_in_this_room_warns_and_another_rooms_errors_are_not_said(tmp_path,
                                                                                         timetable_2021, capsys):
    # 2021: B组 has the reversed slot 10:55-10:20 and overlaps; A组 an overlap (row 4); C组 none. Issue 23: a
    # timetable never stops a room on the day (tests/device/test_timetable_day_rule.py)
    assert main(["station", "--config", config(tmp_path, timetable_2021, room="B组"), "--check"]) == 0
    err = capsys.readouterr().err
    assert "B组" in err and "不影响开始" in err and "ends before it starts" in err and "第 4 行" not in err
    assert main(["station", "--config", config(tmp_path, timetable_2021, room="C组", date="2020-09-13"),
                 "--check"]) == 0


def test_a_data_dir_that_cannot_be_made_is_refused_at_check_and_at_start(tmp_path, timetable_2024, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = config(tmp_path, timetable_2024, date="2023-10-25", data_dir=blocker / "data")
    for start in (["--check"], ["--headless"]):
        assert main(["station", "--config", path, *start]) == 2
        err = capsys.readouterr().err
        assert "[station] data_dir" in err and "choose another data_dir" in err and "Traceback" not in err


def test_a_check_without_a_date_notes_a_day_the_room_has_no_classes(tmp_path, timetable_2024, capsys):
    """Checked the day before: fine, with a note that the station would not start on such a day."""
    assert main(["station", "--config", config(tmp_path, timetable_2024), "--check"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().endswith(": ok")
    assert "note: today" in captured.err
