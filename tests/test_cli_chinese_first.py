"""Chinese first for every message staff meet (issue 23, item 10): argparse's own words (usage, "the following
arguments are required", invalid values, the help option) in Chinese, English with --lang en or an English
locale; every successful staff action says what it did; scan and backup say in Chinese what the JSON says."""

import json

import pytest

from photoqueue.cli import main


@pytest.fixture
def chinese(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def run(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.usefixtures("chinese")
def test_argparse_speaks_chinese_and_english_on_request(capsys, monkeypatch):
    status, _, err = run(["queue"], capsys)
    assert status == 2 and "用法：photoqueue queue" in err and "错误：缺少必需的参数：--data-dir, --room" in err
    status, _, err = run(["ticket", "preview", "--number", "x"], capsys)
    assert status == 2 and "参数 --number 的值 'x' 无效（应为整数）" in err
    status, out, _ = run(["--help"], capsys)
    assert status == 0 and "显示帮助信息并退出" in out and "手工录入采集码" in out and "show this help" not in out
    status, out, _ = run(["timetable", "check", "--help"], capsys)
    assert "位置参数" in out and "显示帮助信息并退出" in out
    status, out, _ = run(["central", "--help"], capsys)
    assert "从中心删除某一天" in out and "在中心保存时间表" in out  # every level's command list
    status, out, _ = run(["--lang", "en", "--help"], capsys)
    assert "show this help message and exit" in out and "usage: photoqueue" in out
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    status, _, err = run(["queue"], capsys)
    assert status == 2 and "the following arguments are required" in err and "缺少" not in err


@pytest.mark.usefixtures("chinese")
def test_every_staff_action_says_what_it_did(tmp_path, capsys):
    common = ["--data-dir", str(tmp_path / "s"), "--room", "A组", "--date", "2024-06-20"]
    status, out, err = run(["scan", *common, "code-0001", "code-0002", "code-0003"], capsys)
    assert status == 0 and json.loads(out.splitlines()[0])["number"] == 1  # the JSON stays for machines
    assert "code-0001：取号 1 号" in err
    assert "1 号已拍完，正在拍摄 2 号" in run(["queue", *common, "advance"], capsys)[1]
    assert "2 号已标记过号" in run(["queue", *common, "skip", "2", "--yes", "--reason", "叫了三次没来"], capsys)[1]
    assert "2 号已召回，排到队首" in run(["queue", *common, "recall", "2"], capsys)[1]
    assert "3 号已作废" in run(["queue", *common, "void", "3", "--yes", "--reason", "误取"], capsys)[1]
    status, out, err = run(["backup", "--data-dir", str(tmp_path / "s"), "--out", str(tmp_path / "b.db")], capsys)
    assert status == 0 and json.loads(out)["events"] > 0 and "已备份到" in err


@pytest.mark.usefixtures("chinese")
def test_the_centres_staff_commands_say_what_they_did(tmp_path, capsys):
    db = f"sqlite:///{tmp_path}/c.db"
    password = tmp_path / "pw"
    password.write_text("a-long-password\n")
    assert run(["central", "add-user", "--db", db, "--name", "office", "--password-file", str(password)],
               capsys)[2].startswith("工作人员账号 office 已可登录")
    run(["central", "add-station", "--db", db, "--room", "A组", "--force"], capsys)
    assert "已吊销 拍摄组 A组 的 1 个工作站令牌" in run(["central", "revoke-station", "--db", db, "--room", "A组"],
                                                capsys)[2]
