"""``photoqueue central ...`` commands, their errors (one line, no traceback), and the docs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from photoqueue.central import accounts
from photoqueue.central.settings import CentralSettings
from photoqueue.central.store import CentralStore
from photoqueue.cli import main
from photoqueue.device.sync.client import SyncSettings
from photoqueue.settings import problems

DOCS = Path(__file__).resolve().parents[2] / "docs" / "central.md"


def test_add_station_prints_a_token_that_authenticates_until_revoked(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["central", "add-station", "--db", db, "--room", "第一组"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("pqs_") and len(token) > 40
    with CentralStore(db) as store:
        assert store.authenticate(token).room == "第一组"
    assert main(["central", "list-stations", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "第一组" in listed and token not in listed
    assert main(["central", "revoke-station", "--db", db, "--room", "第一组"]) == 0
    with CentralStore(db) as store:
        assert store.authenticate(token) is None
    assert main(["central", "revoke-station", "--db", db, "--id", "99"]) == 1


def test_add_user_reads_a_password_file(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    pw = tmp_path / "pw"
    pw.write_text("s3cret-password\n")
    assert main(["central", "add-user", "--db", db, "--name", "alice", "--password-file", str(pw)]) == 0
    with CentralStore(db) as store:
        assert accounts.verify_user(store.db, "alice", "s3cret-password") is not None
        assert accounts.verify_user(store.db, "alice", "wrong") is None
        with store.db.connection() as conn:
            stored = conn.one("SELECT password_hash FROM users")[0]
    assert "s3cret" not in stored and stored.startswith("scrypt$")


def test_add_user_prompts_twice_without_a_file(tmp_path, monkeypatch, capsys):
    answers = iter(["first-password", "other-password"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["central", "add-user", "--db", db, "--name", "bob"]) == 2
    assert "differ" in capsys.readouterr().err


def test_load_timetable_holds_it_at_the_centre(tmp_path, timetable_2024, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["central", "load-timetable", "--db", db, str(timetable_2024)]) == 0
    assert "classes held" in capsys.readouterr().err
    with CentralStore(db) as store:
        assert len(store.timetable().slots) > 10


@pytest.mark.parametrize("argv, words", [
    (["central", "add-station", "--db", "mysql://x", "--room", "A"], "not a store URL"),
    (["central", "add-station", "--db", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", "--room", "A"],
     "cannot connect to PostgreSQL"),
    (["central", "serve", "--db", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", "--port", "1"],
     "cannot connect to PostgreSQL"),
    (["central", "add-user", "--db", "sqlite:///{tmp}/c.db", "--name", "x", "--password-file", "/nonexistent"],
     "cannot read the password"),
    (["central", "load-timetable", "--db", "sqlite:///{tmp}/c.db", "/nonexistent.csv"], "no such file"),
    (["central", "serve", "--db", "sqlite:///{tmp}/c.db", "--set", "rate_burst=lots"], "not a int"),
    (["central", "serve", "--db", "sqlite:///{tmp}/c.db", "--set", "no_such=1"], "unknown setting"),
    (["central", "serve", "--db", "sqlite:///{tmp}/c.db", "--port", "70000"], "not a TCP port"),
])
def test_user_mistakes_are_one_line_without_a_traceback(tmp_path, capsys, argv, words):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err


def test_every_setting_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for cls in (CentralSettings, SyncSettings):
        for f in dataclasses.fields(cls):
            assert f"`{f.name}`" in text, f"{cls.__name__}.{f.name} is not in docs/central.md"
            assert f.metadata.get("help"), f"{cls.__name__}.{f.name} has no help text"


def test_settings_validate_reports_every_problem_at_once():
    assert problems(CentralSettings()) == []
    bad = CentralSettings(db="mysql://x", port=0, pool_size=0, rate_limit_per_s=-1, log_level="loud")
    assert len(problems(bad)) == 5
