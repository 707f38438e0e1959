"""`photoqueue queue ...` for the people in the room: a Chinese summary, numbers required, stray words and
unconfirmed skips of the student being photographed refused with the reason, nothing changed by a refusal."""

import io
import json

import pytest

from photoqueue.cli import main

ROOM, DATE = "第一组", "2023-10-25"


@pytest.fixture
def station(tmp_path, timetable_2024, capsys):
    assert main(["scan", "--data-dir", str(tmp_path), "--room", ROOM, "--date", DATE, "--timetable",
                 str(timetable_2024), *(f"CODE-{i:04d}-X" for i in range(1, 4))]) == 0
    capsys.readouterr()
    return tmp_path


def queue(station, *args, stdin=""):
    """Run one staff action with ``stdin`` as its input ("" is a closed, empty stdin)."""
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(["queue", "--data-dir", str(station), "--room", ROOM, "--date", DATE, *map(str, args)])
    finally:
        sys.stdin = saved


def called(station, capsys):
    assert queue(station, "status", "--json") == 0
    return json.loads(capsys.readouterr().out)["called"]


def test_status_is_one_chinese_line_first_and_json_on_request(station, capsys):
    assert queue(station, "status") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "正在拍摄 1 号 · 等候 2 人 · 20财务管理1班 已拍 0/53"
    assert out[2] == "下一位：2、3"
    assert queue(station, "status", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["called"] == 1 and data["waiting"] == [2, 3] and "classes" in data


def test_an_action_answers_with_the_summary(station, capsys):
    assert queue(station, "advance") == 0
    # what it did (issue 23), then the summary
    assert capsys.readouterr().out.strip().splitlines() == ["1 号已拍完，正在拍摄 2 号",
                                                            "正在拍摄 2 号 · 等候 1 人 · 20财务管理1班 已拍 1/53"]


@pytest.mark.parametrize("args, says", [
    (("advance", "5"), "takes no '5'"),
    (("undo", "x"), "takes no 'x'"),
    (("status", "now"), "takes no 'now'"),
    (("skip",), "needs a ticket NUMBER"),
    (("recall", "two"), "not 'two'"),
    (("reprint", "2", "3"), "takes no '3'"),
])
def test_missing_and_stray_arguments_are_refused_and_change_nothing(station, capsys, args, says):
    assert queue(station, *args) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert called(station, capsys) == 1


def test_skipping_the_student_being_photographed_needs_a_reason_and_a_confirmation(station, capsys):
    assert queue(station, "skip", "1") == 1  # closed stdin: no reason, nothing changed
    assert "--reason" in capsys.readouterr().err
    assert queue(station, "skip", "1", "--reason", "叫了三次没来") == 1  # closed stdin: not confirmed
    assert "--yes" in capsys.readouterr().err
    assert queue(station, "skip", "1", "--reason", "叫了三次没来", stdin="n\n") == 1
    assert "not confirmed" in capsys.readouterr().err
    assert called(station, capsys) == 1
    assert queue(station, "skip", "1", stdin="叫了三次没来\ny\n") == 0  # reason and yes typed at the prompts
    assert "正在拍摄 2 号" in capsys.readouterr().out


def test_skipping_someone_still_in_line_needs_no_confirmation(station, capsys):
    assert queue(station, "skip", "3") == 0
    assert "正在拍摄 1 号 · 等候 1 人" in capsys.readouterr().out


def test_voiding_always_needs_a_reason_and_the_one_being_photographed_a_yes(station, capsys):
    assert queue(station, "void", "3") == 1
    assert "needs a --reason" in capsys.readouterr().err
    assert queue(station, "void", "1", "--reason", "重复取号") == 1
    assert "--yes" in capsys.readouterr().err
    assert queue(station, "void", "1", "--reason", "重复取号", "--yes") == 0
    assert "正在拍摄 2 号" in capsys.readouterr().out


def test_refusals_say_why(station, capsys):
    assert queue(station, "void", "999", "--reason", "x") == 1
    err = capsys.readouterr().err
    assert "没有 999 号（今天已发 1–3 号）" in err and "there is no ticket 999" in err
    assert queue(station, "advance") == 0
    capsys.readouterr()
    assert queue(station, "void", "1", "--reason", "x") == 1
    assert "1 号已拍" in capsys.readouterr().err
    assert queue(station, "recall", "2") == 1
    assert "正在拍摄" in capsys.readouterr().err
    assert queue(station, "correct-class", "2") == 1
    err = capsys.readouterr().err
    assert "没有给出班级" in err and "20商务英语A班" in err  # the day's classes to choose from
    assert queue(station, "correct-class", "2", "20商务英语A斑") == 1
    assert "did you mean '20商务英语A班'" in capsys.readouterr().err
    assert queue(station, "correct-class", "2", "20商务英语Ａ班") == 0  # typed full-width: the same class
    capsys.readouterr()
    assert queue(station, "status", "--json") == 0
    rows = {r["class"]: r for r in json.loads(capsys.readouterr().out)["classes"]}
    assert rows["20商务英语A班"]["issued"] == 1


def test_a_mistyped_action_gets_a_did_you_mean(station, capsys):
    with pytest.raises(SystemExit) as exit_:
        queue(station, "statsu")
    assert exit_.value.code == 2
    assert "did you mean 'status'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["queu"])
    assert "did you mean 'queue'" in capsys.readouterr().err


def test_unprinted_says_so_when_every_ticket_printed(tmp_path, capsys):
    assert main(["scan", "--data-dir", str(tmp_path), "--room", "A组", "--date", DATE, "CODE-0001-X"]) == 0
    capsys.readouterr()
    from photoqueue.core import commands as cmd
    from photoqueue.device.cli import sessions as cli

    class Args:
        data_dir, room, date, key_file = str(tmp_path), "A组", DATE, None

    import datetime as dt

    session = cli.open_session(Args(), existing=True)
    session.handle(cmd.RecordPrint(1, ok=True), dt.datetime(2023, 10, 25, 9))
    session.store.close()
    assert main(["queue", "--data-dir", str(tmp_path), "--room", "A组", "--date", DATE, "unprinted"]) == 0
    assert "没有未打印的号" in capsys.readouterr().out
