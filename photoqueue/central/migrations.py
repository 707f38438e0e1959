"""Schema migrations: ordered steps, each applied once, recorded in ``schema_version``.

Keep the SQL portable between SQLite and PostgreSQL: TEXT, INTEGER, BIGINT, ``{id_pk}`` for an
auto-numbered key. A new step goes at the end of ``STEPS`` with the next version number;
published steps are never edited.
"""

from __future__ import annotations

import datetime as dt
import logging

from photoqueue.central.db import Database
from photoqueue.central.errors import CentralError

log = logging.getLogger(__name__)

STEPS: list[tuple[int, str, list[str]]] = [
    (1, "stations, streams, events, tickets, duplicates, commands, timetable, users", [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # A registration: one token (kept as its SHA-256), bound to a room, and on first use to
        # the station database (its station_id) that uses it.
        """CREATE TABLE stations (
            id {id_pk}, room TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL, revoked_at TEXT, station_id TEXT)""",
        # One station database's stream of events: its high-water mark and what it last told us.
        """CREATE TABLE streams (
            station_id TEXT PRIMARY KEY, room TEXT NOT NULL, high_water BIGINT NOT NULL DEFAULT 0,
            first_seen_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, pending INTEGER,
            health TEXT NOT NULL DEFAULT '{{}}')""",
        """CREATE TABLE events (
            station_id TEXT NOT NULL, seq BIGINT NOT NULL, room TEXT NOT NULL, date TEXT NOT NULL,
            type TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL,
            PRIMARY KEY (station_id, seq))""",
        "CREATE INDEX events_session ON events (room, date)",
        """CREATE TABLE tickets (
            station_id TEXT NOT NULL, room TEXT NOT NULL, date TEXT NOT NULL, number INTEGER NOT NULL,
            code_digest TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (station_id, room, date, number))""",
        "CREATE INDEX tickets_digest ON tickets (date, code_digest)",
        """CREATE TABLE duplicates (
            station_id TEXT NOT NULL, room TEXT NOT NULL, date TEXT NOT NULL, number INTEGER NOT NULL,
            other_room TEXT NOT NULL, other_number INTEGER NOT NULL, found_at TEXT NOT NULL, flagged_at TEXT,
            PRIMARY KEY (station_id, room, date, number, other_room))""",
        """CREATE TABLE commands (
            id {id_pk}, room TEXT NOT NULL, kind TEXT NOT NULL, args TEXT NOT NULL, created_at TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '', acked_at TEXT, acked_by TEXT)""",
        "CREATE INDEX commands_room ON commands (room, acked_at)",
        """CREATE TABLE timetable (
            date TEXT NOT NULL, room TEXT NOT NULL, position INTEGER NOT NULL, class_name TEXT NOT NULL,
            headcount INTEGER NOT NULL, start_time TEXT, end_time TEXT, college TEXT NOT NULL DEFAULT '',
            location TEXT NOT NULL DEFAULT '', PRIMARY KEY (date, room, position))""",
        """CREATE TABLE users (
            id {id_pk}, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, created_at TEXT NOT NULL,
            disabled_at TEXT)""",
    ]),
    (2, "staff sessions", [
        # A staff login: the cookie carries a random id, kept here only as its SHA-256. Ended at logout,
        # on a password change and by `central revoke-sessions` (revoked_at); expires_at in Unix seconds.
        """CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, created_at TEXT NOT NULL,
            expires_at BIGINT NOT NULL, revoked_at TEXT)""",
        "CREATE INDEX sessions_user ON sessions (user_id)",
    ]),
    # (2 is issue 14's "staff sessions"; this step follows it, whichever branch lands first)
    (3, "staff commands: outcome and reason from the station, expiry, cancel", [
        "ALTER TABLE commands ADD COLUMN outcome TEXT",
        "ALTER TABLE commands ADD COLUMN reason TEXT",
        "ALTER TABLE commands ADD COLUMN expires_at TEXT",
        "ALTER TABLE commands ADD COLUMN cancelled_at TEXT",
        "ALTER TABLE commands ADD COLUMN cancelled_by TEXT",
    ]),
    (4, "one station per room and day, events set aside, takeover tokens", [
        # The station id that numbers a room's day: the first one whose events for (room, date) were taken.
        """CREATE TABLE room_days (
            room TEXT NOT NULL, date TEXT NOT NULL, station_id TEXT NOT NULL, bound_at TEXT NOT NULL,
            PRIMARY KEY (room, date))""",
        # A store that took events before this step: the earliest station of each (room, date) holds it.
        """INSERT INTO room_days (room, date, station_id, bound_at)
            SELECT e.room, e.date, min(e.station_id), min(e.received_at) FROM events e
            WHERE e.received_at = (SELECT min(f.received_at) FROM events f WHERE f.room = e.room AND f.date = e.date)
            GROUP BY e.room, e.date""",
        # Events of a station id refused because another one holds the room's day: kept for staff to see,
        # never folded, never counted.
        """CREATE TABLE set_aside_events (
            station_id TEXT NOT NULL, seq BIGINT NOT NULL, room TEXT NOT NULL, date TEXT NOT NULL,
            type TEXT NOT NULL, body TEXT NOT NULL, holder TEXT NOT NULL, received_at TEXT NOT NULL,
            PRIMARY KEY (station_id, seq))""",
        "CREATE INDEX set_aside_room ON set_aside_events (room, date)",
        # A token made by replace-station: pre-bound to the replaced station's id, which the new Pi adopts.
        "ALTER TABLE stations ADD COLUMN takeover INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX stations_station ON stations (station_id)",
        "CREATE INDEX tickets_session ON tickets (room, date)",
    ]),
    (5, "staff commands: when a command was first handed to the station (it can no longer be cancelled)", [
        "ALTER TABLE commands ADD COLUMN handed_at TEXT",
    ]),
]

LATEST = STEPS[-1][0]


def current_version(db: Database) -> int:
    with db.connection() as conn:
        if not _has_table(conn, "schema_version"):
            return 0
        row = conn.one("SELECT max(version) FROM schema_version")
        return int(row[0] or 0)


def _has_table(conn, name: str) -> bool:
    if conn.dialect == "sqlite":
        return conn.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) is not None
    return conn.one("SELECT to_regclass(?)", (name,))[0] is not None


def migrate(db: Database) -> int:
    """Bring the schema up to date; returns the version. Safe when several processes start at once."""
    with db.write() as conn:
        if conn.dialect == "postgresql":
            conn.execute("SELECT pg_advisory_xact_lock(7336001)")  # one migrator at a time
        if not _has_table(conn, "schema_version"):
            conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                         "applied_at TEXT NOT NULL)")
        version = int(conn.one("SELECT coalesce(max(version), 0) FROM schema_version")[0])
        if version > LATEST:
            raise CentralError(f"{db.describe()}: schema version {version} is newer than this photoqueue "
                               f"({LATEST}); upgrade photoqueue", exit_status=3)
        for number, description, statements in STEPS:
            if number <= version:
                continue
            for statement in statements:
                conn.execute(statement.format(id_pk=db.id_pk))
            conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                         (number, description, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
            log.info("%s: applied migration %d (%s)", db.describe(), number, description)
            version = number
    return version
