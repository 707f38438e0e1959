"""The gate seen from outside the station (`station --check`, `diagnose`), and the store's schema versions
(issue 21): real files, the real command line in subprocesses."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from photoqueue.device.store.events import EventStore
from photoqueue.device.store.gate import STOP_NAME
from photoqueue.device.store.schema import MIGRATIONS, SCHEMA_VERSION

ROOM = "A组"
TODAY = dt.date.today().isoformat()


def pq(*args, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "photoqueue", *map(str, args)], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ))
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def station(tmp_path):
    """A config and a data dir that numbered 10 tickets today."""
    (tmp_path / "key").write_text("ef" * 32)
    data = tmp_path / "data"
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\nroom = "{ROOM}"\ndata_dir = "{data}"\nkey_file = "{tmp_path / "key"}"\n'
                      f'date = "{TODAY}"\nscreen = false\n[printer]\nkind = "dummy"\n', encoding="utf-8")
    pq("scan", "--data-dir", data, "--room", ROOM, "--date", TODAY, "--key-file", tmp_path / "key",
       *[f"CODE-{i:04d}" for i in range(1, 6)])
    return config, data


def test_station_check_names_a_copy_behind_the_witness_with_its_fix(station, tmp_path):
    config, data = station
    assert pq("station", "--check", "--config", config).returncode == 0
    shutil.copytree(data, tmp_path / "copy")
    pq("scan", "--data-dir", data, "--room", ROOM, "--date", TODAY, "--key-file", tmp_path / "key", "CODE-0006")
    shutil.rmtree(data)
    shutil.copytree(tmp_path / "copy", data)
    result = pq("station", "--check", "--config", config, check=False)
    assert result.returncode == 2 and "behind_witness" in result.stderr and "photoqueue recover" in result.stderr
    assert "Traceback" not in result.stderr


def test_diagnose_shows_a_stop_from_the_centre_with_its_fix(station):
    config, data = station
    (data / STOP_NAME).write_text(json.dumps({"reason": "diverged", "detail": "the centre answered 409"}))
    result = pq("diagnose", "--config", config, "--only", "numbering", "--json", check=False)
    check = json.loads(result.stdout)["checks"][0]
    assert result.returncode == 1 and check["status"] == "fail" and "diverged" in check["detail"]
    assert "recover" in check["detail"]
    refused = pq("station", "--check", "--config", config, check=False)
    assert refused.returncode == 2 and "diverged" in refused.stderr


def test_diagnose_says_the_duplicate_check_is_local_only_without_a_centre(station):
    config, _ = station
    check = json.loads(pq("diagnose", "--config", config, "--only", "numbering", "--json").stdout)["checks"][0]
    assert check["status"] == "ok" and "local only" in check["detail"]


def test_every_table_change_is_a_schema_version_and_an_old_file_is_brought_up_in_order(tmp_path):
    assert sorted(MIGRATIONS) == list(range(2, SCHEMA_VERSION + 1))
    path = tmp_path / "station.db"
    EventStore(path).close()
    with sqlite3.connect(path) as db:  # a file as version 1 wrote it: no staff_commands, runs, number_floor
        db.executescript("DROP TABLE staff_commands; DROP TABLE station_runs; DROP TABLE number_floor; "
                         "DELETE FROM meta WHERE key = 'schema_version'; PRAGMA user_version = 1;")
    with EventStore(path) as store:
        assert store.highest_number("A", "2024-01-01") == 0
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"staff_commands", "station_runs", "number_floor"} <= tables
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
