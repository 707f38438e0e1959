"""The gate's state read from outside the station: ``photoqueue station --check`` and ``photoqueue diagnose``.

Read-only, like the rest of ``--check``: the station file is opened with SQLite's ``mode=ro`` (no migration,
no witness written), the lock is only tested, the witnesses only read. What it finds is what the station
would refuse at its start (device/store/gate.py), each with its fix.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from photoqueue.device.store.events import RECOVERING, db_path
from photoqueue.device.store.gate import STOP_NAME, Refusal, evidence_refusal, lock_holder, read_stop
from photoqueue.device.store.guard import History
from photoqueue.device.store.outer_witness import DayWitness, default_dir
from photoqueue.device.store.witness import ROW_SQL


class ReadOnlyView:
    """What :func:`evidence_refusal` asks of a store, from a read-only connection."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.station_id = self.db.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()[0]

    def last_seq(self) -> int:
        return self.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def highest_number(self, room: str, date: str) -> int:
        codes = self.db.execute("SELECT coalesce(max(number), 0) FROM codes WHERE room = ? AND date = ?",
                                (room, date)).fetchone()[0]
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'number_floor'").fetchone() is None:
            return codes
        paper = self.db.execute("SELECT coalesce(max(upto), 0) FROM number_floor WHERE room = ? AND date = ?",
                                (room, date)).fetchone()[0]
        return max(codes, paper)

    def chain_at(self, seq: int) -> str:
        rows = self.db.execute(f"SELECT seq, {ROW_SQL} FROM events WHERE seq <= ? ORDER BY seq", (seq,))
        return History().extended(rows).chain

    def close(self) -> None:
        self.db.close()


def numbering_problems(config, date: str | None) -> tuple[list[str], list[str]]:
    """(problems that stop numbering, each with its fix; notes) for the config's data dir and session date."""
    data_dir = Path(config.station.data_dir)
    problems, notes = [], []
    if (data_dir / RECOVERING).exists():
        problems.append(f"{data_dir / RECOVERING}: `photoqueue recover` did not finish; fix: run it again")
    stop = read_stop(data_dir)
    if stop is not None:
        problems.append(f"{data_dir / STOP_NAME}: {_line(stop)}")
    pid = lock_holder(data_dir)
    if pid is not None:
        notes.append(f"a station process (pid {pid}) runs on {data_dir}: manual scans go to it")
    path = db_path(data_dir)
    if date is None or not path.exists() or problems:
        return problems, notes
    try:
        view = ReadOnlyView(path)
    except (sqlite3.Error, TypeError):
        return problems, notes  # named by check_station_file, with its way out
    try:
        outer = DayWitness(default_dir(config.station.witness_dir, data_dir), data_dir, config.station.room, date)
        refusal = evidence_refusal(view, config.station.room, date, outer)
    except sqlite3.Error:
        refusal = None
    finally:
        view.close()
    if refusal is not None:
        problems.append(_line(refusal))
    return problems, notes


def _line(refusal: Refusal) -> str:
    return f"numbering refused ({refusal.reason.value}): {refusal.detail}; fix: {refusal.fix} / {refusal.zh}"


def session_date_or_none(config) -> str | None:
    from photoqueue.device.station.day import session_date

    class _Clock:
        now = staticmethod(dt.datetime.now)

    try:
        return session_date(config, _Clock)
    except Exception:  # a clock or timetable problem: the clock check names it
        return None


def check_numbering(config, _probes):  # diagnose's CHECKS signature
    from photoqueue.device.station.checklist import FAIL, OK, Check

    problems, notes = numbering_problems(config, session_date_or_none(config))
    local = "" if config.central.url else "; no centre: the cross-room duplicate check is local only"
    if problems:
        return Check("numbering", FAIL, "; ".join(problems), "按提示恢复后再取号", "see the fix named above")
    return Check("numbering", OK, ("; ".join(notes) or "the gate is open: history intact, no stop from the centre")
                 + local)
