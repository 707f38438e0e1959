"""One door to a number (issue 21): `photoqueue scan` and the station go through the same NumberGate.

Real processes on a real data dir: the `photoqueue` command line in subprocesses, a gated child process
holding the data dir (tests/reliability/gated_child.py), the witness outside the data dir in this test
run's own state directory ($STATE_DIRECTORY, set by tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from photoqueue.device.store.outer_witness import day_path, default_dir

ROOM = "A组"
TODAY = dt.date.today().isoformat()
CHILD = Path(__file__).resolve().parents[1] / "reliability" / "gated_child.py"


def pq(*args, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "photoqueue", *map(str, args)], capture_output=True, text=True,
                            timeout=120, env={**os.environ, **(env or {})})
    if check:
        assert result.returncode == 0, result.stderr
    return result


def scan(data: Path, *codes: str, date: str | None = TODAY, check: bool = True) -> subprocess.CompletedProcess:
    return pq("scan", "--data-dir", data, "--room", ROOM, *(("--date", date) if date else ()),
              "--key-file", data.parent / "key", *codes, check=check)


def numbers(result: subprocess.CompletedProcess) -> list[int]:
    return [json.loads(line)["number"] for line in result.stdout.splitlines() if '"number"' in line]


@pytest.fixture
def data(tmp_path) -> Path:
    (tmp_path / "key").write_text("ab" * 32)
    return tmp_path / "data"


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_a_scan_while_another_process_holds_the_data_dir_is_refused_naming_its_pid(data):
    scan(data, "CODE-0001")
    child = subprocess.Popen([sys.executable, str(CHILD), str(data), ROOM, TODAY, str(data.parent / "key")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        result = scan(data, "CODE-0002", check=False)
        assert result.returncode == 1 and f"pid {child.pid}" in result.stderr, result.stderr
        assert "请在正在运行的工作站上扫码" in result.stderr
        no_traceback(result)
    finally:
        child.stdin.write("quit\n")
        child.stdin.close()
        child.wait(30)
    assert numbers(scan(data, "CODE-0002")) == [2]  # the lock went with the process


def test_a_second_station_process_on_the_same_data_dir_does_not_start(data, tmp_path):
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\nroom = "{ROOM}"\ndata_dir = "{data}"\nkey_file = "{tmp_path / "key"}"\n'
                      f'date = "{TODAY}"\nscreen = false\n[printer]\nkind = "dummy"\n', encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(CHILD), str(data), ROOM, TODAY, str(tmp_path / "key")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        result = pq("station", "--config", config, "--headless", check=False)
        assert result.returncode != 0 and f"pid {child.pid}" in result.stderr, result.stderr
        no_traceback(result)
    finally:
        child.stdin.write("quit\n")
        child.stdin.close()
        child.wait(30)


def test_a_scan_without_date_into_a_session_that_already_exists_is_refused(data):
    """The clock's date already has a session (yesterday's, if the Pi's clock came back a day behind):
    manual entry does not number in it unless staff give the date."""
    assert numbers(scan(data, "CODE-0001")) == [1]
    result = scan(data, "CODE-0002", date=None, check=False)
    assert result.returncode == 1 and "--date" in result.stderr, result.stderr
    no_traceback(result)
    assert numbers(scan(data, "CODE-0002")) == [2]  # given explicitly, it numbers


def test_a_restored_plain_copy_of_the_data_dir_is_refused(data, tmp_path):
    scan(data, *[f"CODE-{i:04d}" for i in range(1, 11)])
    shutil.copytree(data, tmp_path / "copy")  # the obvious backup: witness included
    scan(data, *[f"CODE-{i:04d}" for i in range(11, 31)])
    shutil.rmtree(data)
    shutil.copytree(tmp_path / "copy", data)
    result = scan(data, "CODE-NEW", check=False)
    assert result.returncode == 4 and "behind_witness" in result.stderr and "recover" in result.stderr, result.stderr
    assert numbers(result) == []
    no_traceback(result)


def test_a_deleted_and_remade_data_dir_is_refused(data):
    scan(data, *[f"CODE-{i:04d}" for i in range(1, 6)])
    shutil.rmtree(data)
    result = scan(data, "CODE-0006", check=False)
    assert result.returncode == 4 and "number 5" in result.stderr, result.stderr
    assert numbers(result) == []


def test_a_store_with_events_and_no_witness_anywhere_is_refused(data):
    scan(data, *[f"CODE-{i:04d}" for i in range(1, 6)])
    (data / "station.db-witness").unlink()
    day_path(default_dir(), data, ROOM, TODAY).unlink()
    result = scan(data, "CODE-0006", check=False)
    assert result.returncode == 4 and "no_witness" in result.stderr and "--last-number" in result.stderr, result.stderr
    assert numbers(result) == []


def test_an_outer_witness_other_users_can_write_is_refused_in_one_line(data):
    scan(data, "CODE-0001")
    witness = day_path(default_dir(), data, ROOM, TODAY)
    witness.chmod(0o666)
    result = scan(data, "CODE-0002", check=False)
    assert result.returncode == 4 and "written by other users" in result.stderr, result.stderr
    no_traceback(result)
    witness.chmod(0o600)
    if os.geteuid() == 0:  # only root can give a file away; as another user the mode check above is the test
        os.chown(witness, 12345, 12345)
        result = scan(data, "CODE-0002", check=False)
        assert result.returncode == 4 and "belongs to uid 12345" in result.stderr, result.stderr
        no_traceback(result)


def test_an_unreadable_inner_witness_gives_one_line_not_a_traceback(data):
    scan(data, "CODE-0001")
    witness = data / "station.db-witness"
    witness.unlink()
    witness.mkdir()  # unreadable as a file, whoever runs the test (root reads a mode-000 file)
    result = scan(data, "CODE-0002", check=False)
    assert result.returncode != 0 and "witness" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    no_traceback(result)
