"""Crash safety: SIGKILL a process issuing tickets at random moments, hundreds of times.

The child prints a code's number only after ``Session.scan`` returned, i.e. after the commit: a
kill can land anywhere, including between the commit and the print. Whatever the child reported
must be in the database, and re-running the same codes must give the same numbers.
"""

import datetime as dt
import os
import random
import signal
import sqlite3
import time

import pytest

from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session


def _child(data_dir: str, prefix: str, total: int, out) -> None:
    session = Session(EventStore(data_dir + "/station.db"), "A组", "2023-10-25", Rules(b"c" * 32))
    print("ready", file=out, flush=True)
    for i in range(total):
        code = f"{prefix}-{i:05d}"
        session.scan(code, dt.datetime.now())
        print(code, session.state.by_code[code], file=out, flush=True)


class Child:
    """A process forked from this one (photoqueue already imported: no interpreter start, so hundreds of
    rounds stay cheap) that scans ``total`` codes into ``data_dir``, printing each number after its commit."""

    def __init__(self, data_dir, prefix: str, total: int):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into pytest
            status = 1
            try:
                os.close(read)
                with os.fdopen(write, "w", encoding="utf-8") as out:
                    _child(str(data_dir), prefix, total, out)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.stdout = os.fdopen(read, encoding="utf-8")
        self.returncode: int | None = None

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])  # -9 for SIGKILL
        return self.returncode


def spawn(data_dir, prefix, total) -> Child:
    return Child(data_dir, prefix, total)


def reported(proc) -> dict[str, int]:
    out = {}
    for line in proc.stdout.read().splitlines(keepends=True):
        parts = line.split()
        if line.endswith("\n") and len(parts) == 2:  # a line cut short by the kill was never reported
            out[parts[0]] = int(parts[1])
    return out


def check_db(data_dir, expected: dict[str, int]):
    db = sqlite3.connect(data_dir / "station.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = dict(db.execute("SELECT code, number FROM codes"))
    numbers = sorted(rows.values())
    assert numbers == list(range(1, len(numbers) + 1)), "numbers must be 1..N with no gap or duplicate"
    for code, number in expected.items():
        assert rows.get(code) == number, f"{code} was reported as {number} but the database says {rows.get(code)}"
    seqs = [s for (s,) in db.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    db.close()
    return rows


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path):
    rng = random.Random(20231025)
    seen: dict[str, int] = {}
    kills = 0
    for round_no in range(200):
        proc = spawn(tmp_path, "STU", 10 + round_no * 2)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.012))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += proc.returncode == -signal.SIGKILL
        for code, number in reported(proc).items():
            assert seen.setdefault(code, number) == number, f"{code} changed number after a crash"
    assert kills >= 150  # most rounds were really killed mid-run, not finished
    # Re-run every code once more without a kill: each keeps its first number.
    proc = spawn(tmp_path, "STU", 10 + 199 * 2 + 5)
    final = reported(proc)
    assert proc.wait() == 0
    for code, number in seen.items():
        assert final[code] == number
    rows = check_db(tmp_path, final)
    assert len(rows) == 10 + 199 * 2 + 5


def test_two_processes_scanning_into_one_data_dir_get_distinct_consecutive_numbers(tmp_path):
    procs = [spawn(tmp_path, prefix, 150) for prefix in ("LEFT", "RIGHT")]
    results = [reported(p) for p in procs]
    assert [p.wait() for p in procs] == [0, 0]
    for numbers in results:
        values = list(numbers.values())
        assert values == sorted(values)  # each process saw its own numbers rise
    assert not set(results[0].values()) & set(results[1].values())
    rows = check_db(tmp_path, {**results[0], **results[1]})
    assert len(rows) == 300
