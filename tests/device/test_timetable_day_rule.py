"""A timetable never stops a room on the day (issue 23, item 4): the published 2024 timetable's mistakes
(row 42: 53 students in 17:10-17:12 on day 1; row 75: an overlap on day 2) are warnings with the plan at the
station's `--check` and start, only the room's own day is checked, and the centre's `load-timetable` and the
demo apply the same rule (photoqueue.timetable.fit.day_warnings)."""

import datetime as dt
import logging

from photoqueue.cli import main
from photoqueue.timetable import load_timetable
from photoqueue.timetable.fit import day_warnings

from .test_station_check import config


def test_the_published_2024_timetable_starts_both_days_of_the_second_room(tmp_path, timetable_2024, capsys):
    day1 = tmp_path / "day1"
    day1.mkdir()
    assert main(["station", "--config", config(day1, timetable_2024, room="第二组", date="2023-10-25"),
                 "--check"]) == 0
    err = capsys.readouterr().err
    assert "第 42 行" in err and "不影响开始" in err and "pace-impossible" not in err.split("第 42 行")[0]
    assert "预计 17:20 拍完，比最后时段（17:12）晚 8 分钟" in err  # the warning comes with the plan
    assert "第 75 行" not in err  # the other day's overlap is not this day's
    day2 = tmp_path / "day2"
    day2.mkdir()
    assert main(["station", "--config", config(day2, timetable_2024, room="第二组", date="2023-10-26"),
                 "--check"]) == 0
    err = capsys.readouterr().err
    assert "第 75 行" in err and "第 42 行" not in err


def test_the_centre_and_the_demo_apply_the_stations_rule(tmp_path, timetable_2024, capsys, caplog):
    timetable = load_timetable(timetable_2024)
    rule = day_warnings(timetable, "第二组", dt.date(2023, 10, 25))
    assert rule and not any("第 75 行" in w for w in rule)
    assert main(["central", "load-timetable", "--db", f"sqlite:///{tmp_path / 'c.db'}", str(timetable_2024)]) == 0
    err = capsys.readouterr().err
    assert all(w in err for w in rule) and "stations refuse" not in err
    assert all(w in err for w in day_warnings(timetable, "第二组", dt.date(2023, 10, 26)))
    from photoqueue.demo.day import DemoOptions, _resolve

    options = DemoOptions(data_dir=tmp_path / "demo", timetable=timetable_2024, date="2023-10-25")
    with caplog.at_level(logging.WARNING, logger="photoqueue.demo"):
        assert _resolve(options) == (dt.date(2023, 10, 25), ["第一组", "第二组"])
    assert all(w in caplog.text for w in rule)
