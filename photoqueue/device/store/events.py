"""The event store: one SQLite file per station, the station's source of truth.

- Every change is an append-only event with a gapless per-station sequence number.
- WAL with synchronous=FULL: a transaction that returned from COMMIT survives a power cut.
- Writers take the database lock first (``BEGIN IMMEDIATE``) and read what other writers
  appended before deciding, so two processes numbering into one file still get distinct,
  consecutive numbers.
- The database itself refuses what must never happen, as a last guard under the core's rules:
  a sequence gap, a second number for one code, a number twice or out of order in a session.
- The outbox (events in their public form, no raw codes) is written in the event's own
  transaction; the sync client sends and acknowledges it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from photoqueue.core.events import Event, NumbersOnPaper, TicketIssued, event_from_dict
from photoqueue.device.errors import StationError
from photoqueue.device.store import schema as store_schema
from photoqueue.device.store.guard import (
    FileIds,
    History,
    Stale,
    damaged,
    no_checkpoint_on_close,
    refuse_new_file,
    verify_file,
    witness_of,
)
from photoqueue.device.store.runs import StationRuns
from photoqueue.device.store.schema import SCHEMA_VERSION
from photoqueue.device.store.witness import (
    ROW_SQL,
    WitnessFile,
    read_witness,
    row_text,
    witness_path,
    write_witness,
)

log = logging.getLogger(__name__)

APPLICATION_ID = 0x50514431  # "PQD1": marks a photoqueue station database
DB_NAME = "station.db"

# while this file is in the data dir, `photoqueue recover` has not finished: no store opens the station there
RECOVERING = "recovering.json"


def db_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / DB_NAME


class EventStore(StationRuns):
    """A station's SQLite event log. Use one instance per thread (each has its own connection)."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        self._history = History()  # the event chain as far as this connection has read it
        self._pending: History | None = None  # the chain after the open transaction, once it commits
        self._stale: Stale | None = None  # why this connection must not write any more
        self._ids: FileIds | None = None
        self._witness_file = WitnessFile(witness_path(self.path))
        self._station_id: str | None = None
        self._numbered = 0  # the highest number the open transaction issued (or took from paper)
        if self.path.name == DB_NAME and (self.path.parent / RECOVERING).exists():
            raise damaged(self.path, f"`photoqueue recover` did not finish ({self.path.parent / RECOVERING} is "
                                     "there); run the same `photoqueue recover` again to complete it")
        if not self.path.exists() and not create:
            raise StationError(f"{self.path}: no station database here / 此处没有工作站数据库")
        # the witness outside the data dir (device/store/outer_witness.py), given by the gate; None: not kept here
        self.outer = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if create and not os.access(self.path.parent, os.W_OK):
                raise StationError(f"{self.path.parent}: the data directory is read-only (full card, or the "
                                   "system remounted it read-only) / 数据目录只读，无法记录取号")
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StationError(f"{self.path}: cannot open the station database: {exc}") from None
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StationError(f"{self.path}: not a usable station database ({exc}); "
                               "is it corrupt or another program's file? / 数据库文件损坏或不是本系统的文件") from None
        except StationError:
            self._db.close()
            raise

    # --- opening ----------------------------------------------------------------------------

    def _prepare(self) -> None:
        db = self._db
        db.execute("BEGIN")  # one snapshot: another process may be creating the file between two reads
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            db.execute("COMMIT")
        if app_id != APPLICATION_ID and tables:
            raise StationError(f"{self.path}: this SQLite file belongs to another program, not a photoqueue station "
                               "/ 不是本系统的数据库")
        if version > SCHEMA_VERSION:
            raise StationError(f"{self.path}: written by a newer photoqueue (schema {version}, this one reads "
                               f"{SCHEMA_VERSION}); upgrade photoqueue / 数据库版本过新", exit_status=3)
        self._set_wal()
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        if not tables:
            with self.transaction(guard=False):
                # Another process may have created the schema (and numbered, and written its witness) while
                # we waited for the lock: judge the witness only when the file is still empty under the lock.
                tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if not tables:
                    refuse_new_file(self.path)
                    store_schema.create(db, APPLICATION_ID)
                    db.execute("INSERT INTO meta VALUES ('station_id', ?)", (uuid.uuid4().hex,))
                    log.info("created station database %s", self.path)
            if not tables and read_witness(witness_path(self.path)) is None:
                write_witness(witness_path(self.path), witness_of(self.station_id, self._history))
        if tables:
            self._history = verify_file(db, self.path, self.station_id)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                self._migrate(version)
        self._ids = FileIds.of(self.path)

    def _migrate(self, version: int) -> None:
        """An older file brought to this version's tables (no event changes), in one transaction."""
        try:
            with self.transaction(guard=False):
                store_schema.migrate(self._db, version)
            log.info("%s: schema %d -> %d", self.path, version, SCHEMA_VERSION)
        except (StationError, sqlite3.Error) as exc:  # a read-only copy still exports; numbering needs a writable one
            log.warning("%s: cannot bring the schema from %d to %d: %s", self.path, version, SCHEMA_VERSION, exc)

    def _set_wal(self) -> None:
        # Switching to WAL needs a moment alone with the file; SQLite does not wait for it by itself.
        for attempt in range(100):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        if self._stale is not None and not self._stale.own_wal_gone:
            # our view is stale: a checkpoint on close would write it over what others committed.
            # (Our WAL unlinked is the other way round: then the checkpoint on close is what copies our
            # commits into the main file, which nobody else could write: they refuse it, see refuse_new_file.)
            no_checkpoint_on_close(self._db)
        self._witness_file.close()
        self._db.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def claim(self, room: str, key_check: str) -> None:
        """Bind this station database to one room and one deployment key on first use; refuse others.

        A mistyped ``--room`` would otherwise start a second queue in the station's log (and stop its
        sync: the centre refuses another room's events), and a tool run with another key would write
        digests that match nothing at the centre.
        """
        with self.transaction():
            meta = dict(self._db.execute("SELECT key, value FROM meta WHERE key IN ('room', 'key_check')"))
            if meta.get("room", room) != room:
                raise StationError(f"{self.path}: this is the station of room {meta['room']!r}, not {room!r} "
                                   f"/ 此工作站属于 {meta['room']}", exit_status=2)
            if meta.get("key_check", key_check) != key_check:
                raise StationError(f"{self.path}: this station numbers with another deployment key; give the "
                                   "station's key (--key-file, or [station] key_file) / 部署密钥与本工作站不一致",
                                   exit_status=2)
            for name, value in (("room", room), ("key_check", key_check)):
                if name not in meta:
                    self._db.execute("INSERT INTO meta VALUES (?, ?)", (name, value))

    @property
    def station_id(self) -> str:
        if self._station_id is None:  # it never changes: read once (the witness is written with each commit)
            self._station_id = self._db.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()[0]
        return self._station_id

    # --- transactions -----------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, *, guard: bool = True) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` .. ``COMMIT``: holds the write lock, so what is read inside is current."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StationError(f"{self.path}: cannot lock the station database: {exc}") from None
        self._pending = None
        try:
            if guard:
                self._guard()
            yield
        except BaseException:
            self._pending = None
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._pending = None
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise StationError(f"{self.path}: commit failed, nothing was changed: {exc} / 写入失败") from None
        if self._pending is not None:
            self._history, self._pending = self._pending, None
            self._witness()

    def _guard(self) -> None:
        """Inside the write lock, before anything is decided: is this still the station's whole history?"""
        if self._stale is None and self._ids is not None:
            self._stale = self._ids.changed(self.path)
        if self._stale is None:
            witness = self._witness_file.read()
            last = self.last_seq()
            if witness is not None and witness.seq > last:
                self._stale = Stale(f"this connection sees events up to {last}, but the witness records "
                                    f"{witness.seq}: another process committed what it cannot see (station.db-shm "
                                    "deleted?)")
            elif witness is not None and witness.centre_hw > last:
                self._stale = Stale(f"it holds events up to {last}, but the centre already holds "
                                    f"{witness.centre_hw} of this station's events: it is an older copy")
            elif last < self._history.seq:
                self._stale = Stale(f"its history went back from {self._history.seq} to {last} events")
        if self._stale is not None:
            log.error("%s: %s", self.path, self._stale.why)
            raise damaged(self.path, self._stale.why + "; restart the station to check the file")

    def _witness(self) -> None:
        try:
            self._witness_file.write(witness_of(self.station_id, self._history))
        except OSError as exc:  # the commit stands; a witness behind the file is harmless
            log.warning("%s: cannot write the witness: %s", self.path, exc)
        if self.outer is not None:
            self.outer.record(self.station_id, self._history.seq, self._history.chain, self._numbered)
        self._numbered = 0

    def record_centre_high_water(self, hw: int) -> None:
        """The centre holds this station's events up to ``hw``: a file behind it is an old copy."""
        try:
            self._witness_file.write(witness_of(self.station_id, self._history, hw))
        except OSError as exc:
            log.warning("%s: cannot write the witness: %s", self.path, exc)

    def chain_at(self, seq: int) -> str:
        """The event chain up to ``seq`` (the witnesses' ``chain``)."""
        if seq == self._history.seq:
            return self._history.chain
        return History().extended(self._db.execute(f"SELECT seq, {ROW_SQL} FROM events WHERE seq <= ? ORDER BY seq",
                                                   (seq,))).chain

    def _chain_to(self, last: int) -> History:
        """The chain up to ``last``, reading what other writers appended since this connection looked."""
        history = self._pending or self._history
        if last == history.seq:
            return history
        return history.extended(self._db.execute(f"SELECT seq, {ROW_SQL} FROM events WHERE seq > ? AND seq <= ? "
                                                 "ORDER BY seq", (history.seq, last)))

    def append(self, events: list[Event]) -> list[Event]:
        """Append events inside :meth:`transaction`; returns them with their sequence numbers."""
        if not self._db.in_transaction:
            raise StationError("append() must run inside transaction()")
        seq = self.last_seq()
        history = self._chain_to(seq).extended(())  # a copy: a rolled-back transaction leaves ours as it was
        stored = []
        numbered = 0
        try:
            for event in events:
                seq += 1
                event = event.with_seq(seq)
                body = _dumps(event.to_dict())
                self._db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                                 (seq, event.room, event.date, event.type, body))
                history.hasher.update(row_text(seq, event.room, event.date, event.type, body).encode())
                history.seq = seq
                if isinstance(event, TicketIssued):
                    self._db.execute("INSERT INTO codes VALUES (?, ?, ?, ?, ?)",
                                     (event.room, event.date, event.code, event.number, seq))
                    numbered = max(numbered, event.number)
                elif isinstance(event, NumbersOnPaper):
                    self._db.execute("INSERT INTO number_floor VALUES (?, ?, ?, ?)",
                                     (event.room, event.date, event.upto, seq))
                    numbered = max(numbered, event.upto)
                self._db.execute("INSERT INTO outbox VALUES (?, ?)", (seq, _dumps(event.public_dict())))
                stored.append(event)
            self._pending = history
            self._numbered = numbered  # for the outer witness, once committed
        except sqlite3.IntegrityError as exc:
            raise StationError(f"refused by the station database: {exc}") from None
        except sqlite3.Error as exc:
            raise StationError(f"{self.path}: cannot write: {exc} / 无法写入数据库") from None
        return stored

    # --- reading ----------------------------------------------------------------------------

    def last_seq(self) -> int:
        return self._db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def events(self, *, room: str | None = None, date: str | None = None, after: int = 0) -> Iterator[Event]:
        if room is None:
            rows = self._db.execute("SELECT body FROM events WHERE seq > ? ORDER BY seq", (after,))
        else:
            rows = self._db.execute("SELECT body FROM events WHERE room = ? AND date = ? AND seq > ? ORDER BY seq",
                                    (room, date, after))
        for (body,) in rows:
            yield event_from_dict(json.loads(body))

    def sessions(self) -> list[tuple[str, str]]:
        """(room, date) of every session in this store, oldest first."""
        rows = self._db.execute("SELECT room, date, min(seq) FROM events GROUP BY room, date ORDER BY 3")
        return [(r, d) for r, d, _ in rows]

    def highest_number(self, room: str, date: str) -> int:
        """The highest number this file holds for (room, date): a ticket's, or one given from paper."""
        return self._db.execute(
            "SELECT max((SELECT coalesce(max(number), 0) FROM codes WHERE room = ?1 AND date = ?2), "
            "(SELECT coalesce(max(upto), 0) FROM number_floor WHERE room = ?1 AND date = ?2))", (room, date)).fetchone()[0]

    def adopt_identity(self, station_id: str) -> None:
        """A file with no events takes another station's id (a replacement Pi adopting the room's station, or a
        rebuild): the centre holds the room's history under that id, one stream."""
        with self.transaction():
            if self.last_seq():
                raise StationError(f"{self.path}: it has events; it cannot become station {station_id}")
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'station_id'", (station_id,))
        self._station_id = station_id
        write_witness(witness_path(self.path), witness_of(station_id, self._history))

    def codes(self, room: str, date: str) -> dict[int, str]:
        """number -> raw code, for the photo agency's export (never leaves the station otherwise)."""
        rows = self._db.execute("SELECT number, code FROM codes WHERE room = ? AND date = ?", (room, date))
        return dict(rows.fetchall())

    def backup_to(self, target: sqlite3.Connection) -> None:
        """SQLite's online backup: one consistent snapshot, WAL included, while others keep writing."""
        self._db.backup(target)

    def integrity_check(self) -> str:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0]

    # --- outbox (for the sync client) ------------------------------------------------------

    def outbox_batch(self, limit: int = 500) -> list[dict]:
        rows = self._db.execute("SELECT body FROM outbox ORDER BY seq LIMIT ?", (limit,))
        return [json.loads(body) for (body,) in rows]

    def outbox_size(self) -> int:
        return self._db.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def command_outcome(self, command_id: int) -> tuple[str, str] | None:
        row = self._db.execute("SELECT outcome, reason FROM staff_commands WHERE id = ?", (command_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def record_command(self, command_id: int, outcome: str, reason: str) -> None:
        """Inside :meth:`transaction`, with the command's events: its outcome commits with them or not at all."""
        self._db.execute("INSERT INTO staff_commands VALUES (?, ?, ?)", (command_id, outcome, reason))

    def requeue(self, from_seq: int) -> int:
        """Put events from ``from_seq`` on back in the outbox (the centre lost them: restored from an older
        backup); returns how many. The event log holds every event, so nothing the centre lacks is gone."""
        with self.transaction():
            rows = self._db.execute("SELECT seq, body FROM events WHERE seq >= ? AND seq NOT IN (SELECT seq FROM "
                                    "outbox) ORDER BY seq", (max(1, from_seq),)).fetchall()
            for seq, body in rows:
                self._db.execute("INSERT INTO outbox VALUES (?, ?)",
                                 (seq, _dumps(event_from_dict(json.loads(body)).public_dict())))
        return len(rows)

    def ack(self, upto_seq: int) -> int:
        """The centre holds every event up to ``upto_seq``: drop them from the outbox."""
        with self.transaction():
            cur = self._db.execute("DELETE FROM outbox WHERE seq <= ?", (upto_seq,))
        return cur.rowcount


def _dumps(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))
