"""The station database's schema and its versions.

Every table change is a new version: ``SCHEMA_VERSION`` goes up by one and ``MIGRATIONS`` gets the
statements that bring a file of the version before to it, applied in order inside one transaction. The
version is kept twice: SQLite's ``PRAGMA user_version`` (read before anything else, so a newer file is
refused untouched) and ``meta.schema_version`` (what a person sees with ``sqlite3 station.db 'select * from
meta'``). Two tables (``staff_commands``, ``station_runs``) were once added without a version change; they
are versions 2 and 3 now, made with ``IF NOT EXISTS`` because files of version 1 may already have them.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 4

# version 1: the event log, the codes it numbered and the outbox
_BASE = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    seq  INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    date TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX events_session ON events (room, date, seq);
CREATE TRIGGER events_gapless BEFORE INSERT ON events
WHEN NEW.seq != (SELECT coalesce(max(seq), 0) + 1 FROM events)
BEGIN SELECT RAISE(ABORT, 'event sequence gap'); END;
CREATE TRIGGER events_append_only BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TABLE codes (
    room   TEXT NOT NULL,
    date   TEXT NOT NULL,
    code   TEXT NOT NULL,
    number INTEGER NOT NULL,
    seq    INTEGER NOT NULL REFERENCES events (seq),
    PRIMARY KEY (room, date, code),
    UNIQUE (room, date, number)
);
-- max(number) reads the UNIQUE index's last entry; count(*) walked every row, slower each scan of a long day
CREATE TRIGGER codes_consecutive BEFORE INSERT ON codes
WHEN NEW.number != (SELECT coalesce(max(number), 0) + 1 FROM codes WHERE room = NEW.room AND date = NEW.date)
BEGIN SELECT RAISE(ABORT, 'ticket number out of order'); END;
CREATE TABLE outbox (
    seq  INTEGER PRIMARY KEY REFERENCES events (seq),
    body TEXT NOT NULL
);
"""

# version 2: the outcome of each staff command from the centre, committed with its events (Session.handle_staff)
_STAFF = """
CREATE TABLE IF NOT EXISTS staff_commands (id INTEGER PRIMARY KEY, outcome TEXT NOT NULL, reason TEXT NOT NULL);
"""

# version 3: one row per start of a station process, its session date and who confirmed it (date_confirm.py)
_RUNS = """
CREATE TABLE IF NOT EXISTS station_runs (id INTEGER PRIMARY KEY, room TEXT NOT NULL, date TEXT NOT NULL,
    pid INTEGER NOT NULL, boot_id TEXT NOT NULL, started_at TEXT NOT NULL, confirmed_by TEXT, confirmed_at TEXT);
"""

# version 4: numbers staff say went out on paper (a NumbersOnPaper event, `recover --last-number N`): the
# next number of that session is above them, so the consecutive-number rule counts them too
_PAPER = """
CREATE TABLE IF NOT EXISTS number_floor (room TEXT NOT NULL, date TEXT NOT NULL, upto INTEGER NOT NULL,
    seq INTEGER NOT NULL REFERENCES events (seq));
CREATE INDEX IF NOT EXISTS number_floor_session ON number_floor (room, date, upto);
DROP TRIGGER IF EXISTS codes_consecutive;
CREATE TRIGGER codes_consecutive BEFORE INSERT ON codes
WHEN NEW.number != max((SELECT coalesce(max(number), 0) FROM codes WHERE room = NEW.room AND date = NEW.date),
                       (SELECT coalesce(max(upto), 0) FROM number_floor WHERE room = NEW.room AND date = NEW.date)) + 1
BEGIN SELECT RAISE(ABORT, 'ticket number out of order'); END;
"""

# MIGRATIONS[v] brings a file of version v - 1 to version v
MIGRATIONS: dict[int, str] = {2: _STAFF, 3: _RUNS, 4: _PAPER}


def create(db: sqlite3.Connection, application_id: int) -> None:
    """A new file's schema at the current version (inside the caller's transaction)."""
    for statement in split(_BASE):
        db.execute(statement)
    migrate(db, 1)
    db.execute(f"PRAGMA application_id = {application_id}")


def migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring a file of ``version`` to ``SCHEMA_VERSION`` (inside the caller's transaction)."""
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for statement in split(MIGRATIONS[target]):
            db.execute(statement)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def split(script: str) -> list[str]:
    """Split a script into statements (triggers contain ';' inside BEGIN .. END); executescript() would
    commit on its own, so the statements run one by one inside the caller's transaction."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        text = "\n".join(buf)
        if text.rstrip().endswith(";") and sqlite3.complete_statement(text):
            out.append(text)
            buf = []
    return out
