"""Chinese first in every --help (issue 23, item 10): each option's help text and each command's description
shows in Chinese, wrapped to an 80-column terminal (a Chinese character takes two columns); with --lang en or an
English locale argparse shows the English each module wrote, and no Chinese it did not write."""

import argparse
import re

import pytest

from photoqueue.cli import build_parser, main

CJK = re.compile(r"[\u4e00-\u9fff]")


def flat(text):
    return " ".join(text.split())


def english(text):
    return len(CJK.findall(text)) * 2 < len(re.findall(r"[A-Za-z]", text))


def columns(line):
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in line)


def parsers(parser, path=("photoqueue",)):
    yield " ".join(path), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


def helped(parser):
    """Every action of ``parser`` that has a help text, the command lists' entries too."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from (a for a in action._choices_actions if a.help)
        elif action.help and action.help is not argparse.SUPPRESS:
            yield action


def formatted(parser, action):
    formatter = parser._get_formatter()
    formatter.add_argument(action)
    return formatter.format_help()


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def test_every_help_text_of_every_command_shows_in_chinese_within_80_columns():
    missing, wide, seen = [], [], 0
    for where, parser in parsers(build_parser("zh")):
        for action in helped(parser):
            seen += 1
            out = formatted(parser, action)
            name = f"{where} {'/'.join(action.option_strings) or action.dest}"
            if not CJK.search(out) or (english(action.help) and flat(action.help) in flat(out)):
                missing.append(f"{name}: {action.help}")
            wide += [f"{name}: {line}" for line in out.splitlines() if CJK.search(line) and columns(line) > 78]
        if parser.description and english(parser.description):
            if not CJK.search(parser.format_help().split("\n\n")[1]):
                missing.append(f"{where} description: {parser.description}")
    assert seen > 140
    assert not missing, "\n".join(missing)
    assert not wide, "\n".join(wide)


def test_english_on_request_shows_the_english_as_written():
    for where, parser in parsers(build_parser("en")):
        for action in helped(parser):
            out = formatted(parser, action)
            assert flat(action.help) in flat(out), (where, action.help)
            assert set(CJK.findall(out)) <= set(CJK.findall(action.help)), (where, out)


def test_the_helps_staff_read(capsys, monkeypatch):
    for argv, zh, en in ((["scan", "--help"], "工作站的数据目录", "the station's data directory"),
                         (["queue", "--help"], "作废某号、或让正在拍摄的学生过号的原因", "why a ticket is voided"),
                         (["export", "--help"], "每人收费（元，默认 20）", "fee per student in yuan"),
                         (["central", "serve", "--help"], "TCP 端口（默认 8600）", "TCP port (default 8600)")):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert zh in out and en not in out and out.startswith("用法：photoqueue")
        with pytest.raises(SystemExit):
            main(["--lang", "en", *argv])
        out = capsys.readouterr().out
        assert en in out and not CJK.search(out.replace("第一组", ""))
        monkeypatch.setenv("LANG", "en_US.UTF-8")
        with pytest.raises(SystemExit):
            main(argv)
        assert en in capsys.readouterr().out
        monkeypatch.delenv("LANG")
