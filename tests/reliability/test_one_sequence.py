"""One room, one sequence (issue 21): the accidents that gave a number twice, as an unlucky day does them.

Real processes killed with SIGKILL (a power cut, Ctrl-C): a gated child numbering on the data dir, and
`photoqueue recover` killed at its steps (``PHOTOQUEUE_RECOVER_KILL_AT``). After each, a new code gets no
number or one above every number the room issued.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rel_helpers import record

ROOM = "A组"
DAY = dt.date.today().isoformat()
CHILD = Path(__file__).resolve().parent / "gated_child.py"


def pq(*args, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "photoqueue", *map(str, args)], capture_output=True, text=True,
                            timeout=120, env={**os.environ, **(env or {})})
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def data(tmp_path) -> Path:
    (tmp_path / "key").write_text("cd" * 32)
    return tmp_path / "data"


def scan(data: Path, *codes: str, check: bool = True) -> subprocess.CompletedProcess:
    return pq("scan", "--data-dir", data, "--room", ROOM, "--date", DAY, "--key-file", data.parent / "key", *codes,
              check=check)


def numbers(result: subprocess.CompletedProcess) -> list[int]:
    return [json.loads(line)["number"] for line in result.stdout.splitlines() if '"number"' in line]


def child(data: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(CHILD), str(data), ROOM, DAY, str(data.parent / "key")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def ask(proc: subprocess.Popen, line: str) -> str:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def test_rm_station_db_star_under_a_running_station_then_a_power_cut_gives_no_number_twice(data):
    proc = child(data)
    try:
        assert [ask(proc, f"scan CODE-{i:04d}") for i in range(1, 31)][-1] == "issued 30"
        for f in data.glob("station.db-*"):  # "the temporary files": -wal, -shm and the witness beside them
            f.unlink()
        assert ask(proc, "scan CODE-0031") == "refused error"  # its own connection sees the WAL gone
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    result = scan(data, "CODE-0032", "CODE-0033", check=False)
    assert result.returncode == 4 and "behind_witness" in result.stderr, result.stderr
    assert numbers(result) == []
    record("rm station.db-* under a running station, then a power cut", 2, 2, 0, numbered_before=30,
           given_again=0, refused="behind_witness")


def backup_and_more(data: Path, tmp_path: Path, before: int, after: int) -> Path:
    scan(data, *[f"CODE-{i:04d}" for i in range(1, before + 1)])
    out = tmp_path / "backup.db"
    pq("backup", "--data-dir", data, "--out", out)
    if after > before:
        scan(data, *[f"CODE-{i:04d}" for i in range(before + 1, after + 1)])
    return out


@pytest.mark.parametrize("step", ["copied", "moved_aside"])
def test_a_power_cut_inside_recover_leaves_a_data_dir_no_one_numbers_on_until_recover_finishes(data, tmp_path, step):
    backup = backup_and_more(data, tmp_path, 40, 40)
    (data / "station.db-wal").unlink(missing_ok=True)  # the damage staff recover from
    cut = pq("recover", "--data-dir", data, "--from", backup, env={"PHOTOQUEUE_RECOVER_KILL_AT": step}, check=False)
    assert cut.returncode == -signal.SIGKILL
    assert (data / "recovering.json").exists()
    refused = scan(data, "CODE-NEW-1", check=False)
    assert refused.returncode == 4 and "recover" in refused.stderr and numbers(refused) == [], refused.stderr
    done = pq("recover", "--data-dir", data, "--from", backup)
    assert "damaged_files_moved_to" in done.stdout
    assert not (data / "recovering.json").exists()
    assert numbers(scan(data, "CODE-NEW-1", "CODE-0007")) == [41, 7]  # above every number; a rescan is a reprint
    record(f"SIGKILL inside recover ({step})", 1, 1, 0, refused_while_unfinished=1, next_number=41)


def test_recover_refuses_a_backup_of_another_station(data, tmp_path):
    other = tmp_path / "other"
    pq("scan", "--data-dir", other, "--room", ROOM, "--date", DAY, "--key-file", data.parent / "key", "OTHER-0001")
    pq("backup", "--data-dir", other, "--out", tmp_path / "other.db")
    scan(data, "CODE-0001")
    result = pq("recover", "--data-dir", data, "--from", tmp_path / "other.db", check=False)
    assert result.returncode == 2 and "备份属于另一台工作站" in result.stderr, result.stderr
    assert numbers(scan(data, "CODE-0002")) == [2]  # nothing was changed
    record("recover from another station's backup", 1, 1, 0, refused=1)


def test_recover_with_no_centre_and_no_witness_needs_the_last_number_on_paper_and_numbers_above_it(data, tmp_path):
    backup = backup_and_more(data, tmp_path, 10, 25)
    for f in [*data.glob("station.db*"), *Path(os.environ["STATE_DIRECTORY"]).glob("*.witness")]:
        if f.name.startswith("station.db") or str(data.resolve()) in f.read_text(errors="replace"):
            f.unlink()
    refused = pq("recover", "--data-dir", data, "--from", backup, check=False)
    assert refused.returncode == 2 and "--last-number" in refused.stderr, refused.stderr
    done = json.loads(pq("recover", "--data-dir", data, "--from", backup, "--last-number", "25").stdout)
    assert done["numbers_on_paper"] == 25
    assert numbers(scan(data, "CODE-NEW-1")) == [26]
    with sqlite3.connect(data / "station.db") as db:  # the gap is in the log, not silent
        assert db.execute("SELECT count(*) FROM events WHERE type = 'numbers_on_paper'").fetchone()[0] == 1
    record("recover with no centre and no witness (--last-number 25)", 1, 1, 0, refused_without=1, next_number=26)


def test_a_spare_data_dir_copied_from_an_older_backup_refuses_while_the_witness_knows_more(data, tmp_path):
    backup = backup_and_more(data, tmp_path, 20, 40)
    (data / "station.db").unlink()
    for f in data.glob("station.db-*"):
        f.unlink()
    (data / "station.db").write_bytes(backup.read_bytes())  # a plain restore of the backup file
    result = scan(data, "CODE-0041", check=False)
    assert result.returncode == 4 and numbers(result) == [], result.stderr
    refused = pq("recover", "--data-dir", data, "--from", backup, check=False)
    assert refused.returncode == 4 and "40" in refused.stderr, refused.stderr
    record("station.db replaced by a backup 20 tickets behind (witness outside the data dir)", 2, 2, 0,
           scan_refused=1, recover_refused=1)
