"""No traceback anywhere a person can reach: every subcommand, with bad arguments and a closed stdin, ends in
a message and an exit status (issue 15). Run in-process, so an escaping exception fails the test outright."""

from __future__ import annotations

import argparse
import io
import signal
import sys

import pytest

from photoqueue.cli import build_parser, main
from photoqueue.errors import PhotoqueueError

BAD_PATH = "/nonexistent/目录/x"


def leaf_commands() -> list[tuple[list[str], argparse.ArgumentParser]]:
    out = []

    def walk(parser, prefix):
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out.append((prefix, parser))
        for a in subs:
            for name, sub in a.choices.items():
                walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return [(p, parser) for p, parser in out if p]


def bad_argvs(prefix: list[str], parser: argparse.ArgumentParser) -> list[list[str]]:
    """A mistyped option; and every option that takes a value given a path that is not there, with the
    positionals too, so each command gets past argparse to its own checks."""
    positional, valued = [], []
    for a in parser._actions:
        if isinstance(a, argparse._HelpAction | argparse._VersionAction):
            continue
        if not a.option_strings:
            positional.append(a)
        elif a.nargs != 0 and a.choices is None and getattr(a.type, "__name__", "str") in ("str", "given"):
            valued.append(a.option_strings[-1])
    argvs = [[*prefix, "--no-such-option"]]
    argv = list(prefix)
    for opt in valued:
        argv += [opt, BAD_PATH]
    argvs.append(argv + [BAD_PATH for a in positional if a.choices is None])
    return argvs


CASES = [argv for prefix, parser in leaf_commands() for argv in bad_argvs(prefix, parser)]


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(a) or "-" for a in CASES])
def test_bad_arguments_and_a_closed_stdin_give_a_message_not_a_traceback(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # whatever a command makes by mistake, it makes here
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    def hung(_signum, _frame):  # a command that serves instead of refusing: fail, do not hang the suite
        raise AssertionError(f"{argv} did not refuse within 60 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse: usage and a message, exit 2
        status = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    err = capsys.readouterr().err
    assert status not in (0, None), (argv, err)
    assert "Traceback" not in err and err.strip(), (argv, err)


def test_add_user_with_input_ending_at_the_second_prompt_creates_nothing(tmp_path, monkeypatch, capsys):
    """`printf 'pw\\n' | photoqueue central add-user ...`: getpass reads the pipe, then meets its end."""
    import getpass

    answers = iter(["pw-secret-1"])

    def prompt(_text=""):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(getpass, "getpass", prompt)
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["central", "add-user", "--db", db, "--name", "alice"]) == 2
    err = capsys.readouterr().err
    assert "no password read" in err and "--password-file" in err and "Traceback" not in err


def test_station_with_a_data_dir_that_cannot_be_created_says_so(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\nroom = "A"\ndata_dir = "{blocker / "data"}"\n[printer]\nkind = "dummy"\n',
                      encoding="utf-8")
    for extra in ([], ["--check"]):
        assert main(["station", "--config", str(config), *extra]) == 2
        err = capsys.readouterr().err
        assert "data_dir" in err and "is a file, not a directory" in err and "Traceback" not in err


def test_every_error_class_is_a_photoqueue_error():
    """What main() turns into a message is PhotoqueueError; the layers' classes all derive from it."""
    from photoqueue.central.errors import CentralError
    from photoqueue.device.errors import StationError
    from photoqueue.reports.errors import ReportError
    from photoqueue.timetable.errors import TimetableError

    for cls in (CentralError, StationError, ReportError, TimetableError):
        assert issubclass(cls, PhotoqueueError)
