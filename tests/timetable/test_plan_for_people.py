"""`timetable plan` for the office: Chinese by default, honest about rooms with no data and delays under a
minute, the published order kept, and --out a corrected timetable that imports back."""

import datetime as dt
import json

from photoqueue.cli import main
from photoqueue.timetable import check_file, load_timetable


def test_plan_speaks_chinese_and_keeps_english_on_request(timetable_2024, capsys):
    assert main(["timetable", "plan", str(timetable_2024)]) == 0
    text = capsys.readouterr().out
    assert "将会延误" in text and "第二组 2023-10-25: 预计 17:20 拍完，比最后时段结束（17:12）晚 8 分钟" in text
    assert "finishes" not in text and "on time" not in text and "waiting" not in text
    assert main(["timetable", "plan", "--lang", "en", str(timetable_2024)]) == 0
    assert "Running late" in capsys.readouterr().out


def test_a_delay_under_a_minute_is_on_time(tmp_path, csv_lines, capsys):
    # 11 s x 55 = 10 min 5 s: the second class starts 5 s after its slot, which is no delay to anyone
    path = csv_lines(tmp_path, "2023-10-25,A组,,09:00,09:10,,一班,55", "2023-10-25,A组,,09:10,09:20,,二班,10")
    assert main(["timetable", "plan", str(path)]) == 0
    text = capsys.readouterr().out
    assert "各班都能按时开始" in text and "按此速度各组均不会延误" in text
    assert "instead of" not in text and "晚 0" not in text


def test_the_published_order_is_kept_and_said(tmp_path, csv_lines, capsys):
    path = csv_lines(tmp_path, "2023-10-25,A组,,09:10,09:20,,二班,10", "2023-10-25,A组,,09:00,09:10,,一班,10")
    assert main(["timetable", "plan", "--json", str(path)]) == 0
    (room,) = json.loads(capsys.readouterr().out)["rooms"]
    assert [c["class"] for c in room["classes"]] == ["二班", "一班"]
    assert main(["timetable", "plan", str(path)]) == 0
    assert "一班（09:00）排在 二班（09:10）之后；按公布的顺序计划" in capsys.readouterr().out


def test_a_room_without_station_data_is_an_estimate_not_late(tmp_path, csv_lines, capsys):
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.session import Session

    path = csv_lines(tmp_path, "2023-10-25,A组,,09:00,09:10,,一班,8", "2023-10-25,B组,,09:00,09:05,,二班,60")
    station = tmp_path / "station"
    station.mkdir()
    session = Session(EventStore(db_path(station)), "A组", "2023-10-25", Rules(digest_key=b"k" * 32))
    session.scan("CODE-0001", dt.datetime(2023, 10, 25, 8, 55))
    session.store.close()
    assert main(["timetable", "plan", "--json", "--data-dir", str(station), str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["no_data"] == [{"room": "B组", "date": "2023-10-25"}]
    assert all(r["room"] != "B组" for r in out["late"])
    assert main(["timetable", "plan", "--data-dir", str(station), str(path)]) == 0
    text = capsys.readouterr().out
    assert "该组没有拍摄数据：以下只是按默认速度的估算" in text and "没有数据、仅为估算的组：B组 2023-10-25" in text


def test_out_writes_a_corrected_timetable_that_imports_back_clean(timetable_2024, tmp_path, capsys):
    out = tmp_path / "corrected.xlsx"
    assert main(["timetable", "plan", "--pace", "11", "--out", str(out), str(timetable_2024)]) == 0
    capsys.readouterr()
    original, corrected = load_timetable(timetable_2024), load_timetable(out)
    assert len(corrected.slots) == len(original.slots)
    late = next(s for s in corrected.slots if s.room == "第二组" and s.date == dt.date(2023, 10, 25)
                and s.name.startswith("22机械"))
    assert late.start == dt.time(17, 10) and late.end == dt.time(17, 20)  # 53 x 11 s from 17:10, rounded up
    findings = {f.rule for f in check_file(out).findings}
    assert not findings & {"overlap", "pace-impossible", "end-before-start"}, findings


def test_out_must_be_xlsx(timetable_2024, tmp_path, capsys):
    assert main(["timetable", "plan", "--out", str(tmp_path / "x.csv"), str(timetable_2024)]) == 2
    assert ".xlsx" in capsys.readouterr().err
