"""Checks that keep a damaged or incomplete station file from numbering.

- ``verify_file``: SQLite's full ``integrity_check`` (``quick_check`` does not compare indexes with
  their rows: one changed byte in ``codes`` passed it and the agency list gave a number to another
  student's code), then every ``codes`` row against the ``ticket_issued`` event that wrote it, then
  the event chain against the witness (see :mod:`.witness`).
- ``FileIds``: the identity of ``-wal`` and ``-shm`` as this connection found them. Deleted or
  replaced under a running station, the connection and other processes no longer see the same
  database; the store then refuses to write.
- ``no_checkpoint_on_close``: a connection whose view is stale must not checkpoint it into the main
  file when it closes; that would overwrite what another process committed.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photoqueue.device.errors import StationError
from photoqueue.device.store.witness import ROW_SQL, Witness, read_witness, witness_path

log = logging.getLogger(__name__)

DAMAGED = 4  # exit status of a command refused because the station's file is damaged or incomplete
WAY_OUT = ("stop every photoqueue process on this data dir; put the files back as they were, or restore the "
           "last `photoqueue backup` copy and run `photoqueue recover` (docs/station.md)")
_ZH = " / 数据库不完整或已损坏，拒绝继续取号，请联系技术人员恢复"


def damaged(path: Path, what: str) -> StationError:
    return StationError(f"{path}: {what}; it will not number on it. Way out: {WAY_OUT}{_ZH}", exit_status=DAMAGED)


@dataclass
class History:
    """The event chain up to ``seq``: a SHA-256 fed every event row in order (see :mod:`.witness`)."""

    seq: int = 0
    hasher: Any = field(default_factory=hashlib.sha256)

    @property
    def chain(self) -> str:
        return self.hasher.hexdigest()

    def extended(self, rows: Iterable[tuple[int, str]]) -> History:
        """A new History after ``rows`` of (seq, row text); this one is left as it was."""
        hasher, seq = self.hasher.copy(), self.seq
        for row_seq, text in rows:
            hasher.update(text.encode())
            seq = row_seq
        return History(seq, hasher)


def verify_file(db: sqlite3.Connection, path: Path, station_id: str) -> History:
    """Refuse (StationError) a file that SQLite, its own tables or its witness say is damaged."""
    rows = [r[0] for r in db.execute("PRAGMA integrity_check(20)")]
    if rows != ["ok"]:
        raise damaged(path, "SQLite's integrity check failed: " + "; ".join(rows[:5]))
    bad = db.execute(
        "SELECT c.number FROM codes c LEFT JOIN events e ON e.seq = c.seq WHERE e.seq IS NULL "
        "OR e.type != 'ticket_issued' OR e.room != c.room OR e.date != c.date "
        "OR json_extract(e.body, '$.code') IS NOT c.code OR json_extract(e.body, '$.number') IS NOT c.number "
        "LIMIT 5").fetchall()
    issued = db.execute("SELECT count(*) FROM events WHERE type = 'ticket_issued'").fetchone()[0]
    codes = db.execute("SELECT count(*) FROM codes").fetchone()[0]
    if bad or issued != codes:
        numbers = ", ".join(str(n) for (n,) in bad)
        raise damaged(path, f"its codes table does not match the events that issued them (tickets {numbers or '?'}; "
                            f"{codes} codes for {issued} tickets issued)")
    return check_witness(db, path, station_id)


def check_witness(db: sqlite3.Connection, path: Path, station_id: str) -> History:
    """The chain of every event; compared with the witness where there is one."""
    witness = read_witness(witness_path(path))
    upto = witness.seq if witness is not None else 0
    history = History().extended(db.execute(f"SELECT seq, {ROW_SQL} FROM events WHERE seq <= ? ORDER BY seq", (upto,)))
    at_witness = history.chain if history.seq == upto else None
    history = history.extended(db.execute(f"SELECT seq, {ROW_SQL} FROM events WHERE seq > ? ORDER BY seq", (upto,)))
    seq = history.seq
    if witness is None:
        return history
    if witness.station_id != station_id:
        raise damaged(path, f"it is station {station_id}, but the witness beside it belongs to station "
                            f"{witness.station_id} (a database from another station, or a new one made in its place)")
    if seq < witness.seq:
        raise damaged(path, f"it holds events up to {seq}, but its witness recorded {witness.seq}: committed tickets "
                            "are missing (a deleted or truncated station.db-wal, or station.db copied without it)")
    if witness.seq and at_witness != witness.chain:
        raise damaged(path, f"its events up to {witness.seq} differ from those its witness recorded "
                            "(changed bytes, or another copy's history)")
    if seq < witness.centre_hw:
        raise damaged(path, f"it holds events up to {seq}, but the centre already holds {witness.centre_hw} of this "
                            "station's events: it is an older copy")
    return history


def refuse_new_file(path: Path) -> None:
    """A file without tables where a witness says a station numbered: never start a new station there."""
    witness = read_witness(witness_path(path))
    if witness is not None and witness.seq > 0:
        raise damaged(path, f"it has no station tables, but its witness recorded {witness.seq} events of station "
                            f"{witness.station_id} (station.db separated from its station.db-wal?)")


def check_station_file(path: Path) -> None:
    """``photoqueue station --check``: the station's database as the station would find it, read-only."""
    if not path.exists():
        refuse_new_file(path)
        return
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise damaged(path, f"SQLite cannot open it: {exc}") from None
    try:
        if not db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            refuse_new_file(path)
            return
        row = db.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()
        if row is None:
            raise damaged(path, "it has no station id")
        verify_file(db, path, row[0])
    except sqlite3.DatabaseError as exc:
        raise damaged(path, f"SQLite cannot read it: {exc}") from None
    finally:
        db.close()


@dataclass(frozen=True)
class FileIds:
    """(device, inode) of the WAL and shared-memory files as this connection uses them."""

    wal: tuple[int, int] | None
    shm: tuple[int, int] | None

    @classmethod
    def of(cls, path: Path) -> FileIds:
        return cls(_ident(f"{path}-wal"), _ident(f"{path}-shm"))

    def changed(self, path: Path) -> Stale | None:
        """What happened to the files since, or None."""
        now = FileIds.of(path)
        if self.wal is not None and now.wal != self.wal:
            return Stale(own_wal_gone=True, why="station.db-wal was deleted or replaced under this process")
        if self.shm is not None and now.shm != self.shm:
            return Stale(own_wal_gone=False, why="station.db-shm was deleted or replaced under this process")
        return None


@dataclass(frozen=True)
class Stale:
    """Why a connection must not write any more. ``own_wal_gone``: its own WAL was unlinked (nobody else
    can have written through it, so its checkpoint at close is what saves its commits); otherwise its
    view is behind another writer's, and a checkpoint at close would write over that writer's commits."""

    why: str
    own_wal_gone: bool = False


def _ident(p: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


_SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE = 1006


def no_checkpoint_on_close(db: sqlite3.Connection) -> bool:
    """Tell SQLite not to checkpoint this connection's view when it closes (sqlite3_db_config;
    Python 3.12 has ``setconfig``, 3.11 does not). The connection handle is the first field after
    the object header of CPython's connection object."""
    setconfig = getattr(db, "setconfig", None)
    if setconfig is not None:  # Python 3.12+
        setconfig(_SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)
        return True
    try:
        import _sqlite3

        lib = ctypes.CDLL(_sqlite3.__file__)
        handle = ctypes.c_void_p.from_address(id(db) + object.__basicsize__).value
        out = ctypes.c_int(-1)
        rc = lib.sqlite3_db_config(ctypes.c_void_p(handle), ctypes.c_int(_SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE),
                                   ctypes.c_int(1), ctypes.byref(out))
        return rc == 0 and out.value == 1
    except (OSError, AttributeError, ValueError) as exc:
        log.error("cannot keep SQLite from checkpointing a stale view on close: %s", exc)
        return False


def witness_of(station_id: str, history: History, centre_hw: int = 0) -> Witness:
    return Witness(station_id=station_id, seq=history.seq, chain=history.chain, centre_hw=centre_hw)
