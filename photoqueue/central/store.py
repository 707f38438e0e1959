"""The central store: every station's events, exactly once, and what is derived from them.

- ``ingest`` takes one station's batch in one transaction: events already held are ignored
  (a replay changes nothing), new ones must continue the station's gapless sequence from its
  high-water mark (a gap is refused with the seq expected), and each is stamped with the
  server's receive time. The answer is the new high-water mark: everything up to it is
  committed, so the station may drop it from its outbox.
- Counts are never pushed: they are a fold of the stored events (see :mod:`.projection`).
- Duplicates (a code digest holding two numbers on one date: in two rooms, or in one room) are found
  at ingest and reported to both stations until their DuplicateFlagged event arrives.
- Staff commands for a room wait in ``commands`` until the station acknowledges them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from photoqueue.central import accounts, roomdays
from photoqueue.central import commands as staff_commands
from photoqueue.central.accounts import Registration, utcnow
from photoqueue.central.batch import health_text, parse_batch
from photoqueue.central.db import Conn, Database
from photoqueue.central.errors import CentralError
from photoqueue.central.migrations import migrate
from photoqueue.central.projection import Projection
from photoqueue.core.digest import key_fingerprint
from photoqueue.core.errors import CoreError
from photoqueue.core.events import DuplicateFlagged, Event, TicketIssued, event_from_dict
from photoqueue.timetable import ClassSlot, RoomDay, Timetable

log = logging.getLogger(__name__)

DUPLICATES_PER_ANSWER = 200  # more wait for the next answer, once the station has flagged these


def purged_dates(db_or_conn) -> set[str]:
    """The days removed with ``central purge`` (kept in ``meta``: no schema step)."""
    def read(conn) -> set[str]:
        row = conn.one("SELECT value FROM meta WHERE key = 'purged_dates'")
        return set(json.loads(row[0])) if row else set()

    if hasattr(db_or_conn, "connection"):
        with db_or_conn.connection() as conn:
            return read(conn)
    return read(db_or_conn)


class CentralStore:
    def __init__(self, url: str, *, pool_size: int = 8, command_expiry_s: float = 300.0):
        self.db = Database(url, pool_size=pool_size)
        self.command_expiry_s = command_expiry_s  # a staff command not taken by then is no longer sent
        # station_id -> (why its last sync was refused, when): the dashboard shows it as the room's alert
        self.sync_errors: dict[str, tuple[str, str]] = {}
        self.projection = Projection()
        self.deployment_key = b""  # made at the store's first open (see roomdays.ensure_key)

    def open(self) -> CentralStore:
        """Migrate the schema and fold what the store holds."""
        try:
            migrate(self.db)
            self.deployment_key = roomdays.ensure_key(self.db)
            self.projection.skip_dates = purged_dates(self.db)
            self.catch_up()
        except self.db.error_types() as exc:
            raise CentralError(f"{self.db.describe()}: {exc}") from None
        return self

    def close(self) -> None:
        self.db.close()

    def purge_date(self, date: str) -> dict[str, int]:
        """Remove a day (a rehearsal) from everything the centre shows and exports: its tickets, duplicates,
        room-day bindings, set-aside events and timetable rows go; its events stay in the log (each station's
        seqs must stay contiguous) but are never folded or counted again. Returns rows removed per table."""
        removed = {}
        with self.db.write() as conn:
            for table in ("tickets", "duplicates", "room_days", "set_aside_events", "timetable"):
                removed[table] = conn.execute(f"DELETE FROM {table} WHERE date = ?", (date,)).rowcount
            removed["events"] = conn.one("SELECT count(*) FROM events WHERE date = ?", (date,))[0]
            dates = sorted(purged_dates(conn) | {date})
            conn.execute("DELETE FROM meta WHERE key = 'purged_dates'")
            conn.execute("INSERT INTO meta (key, value) VALUES ('purged_dates', ?)", (json.dumps(dates),))
        self.projection.skip_dates = set(dates)
        with self.projection.lock:
            for station_id in list(self.projection.folded):
                self.projection.drop(station_id)
        self.catch_up()
        return removed

    @property
    def key_fingerprint(self) -> str:
        return key_fingerprint(self.deployment_key)

    def __enter__(self) -> CentralStore:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- ingest ---------------------------------------------------------------------------

    def authenticate(self, token: str) -> Registration | None:
        with self.db.connection() as conn:
            return accounts.authenticate(conn, token)

    def ingest(self, reg: Registration, station_id: str, raw_events: list[Any], **kwargs) -> dict[str, Any]:
        """One station's batch (see ``_ingest``); a refusal is kept for the dashboard until a sync succeeds."""
        key = station_id if isinstance(station_id, str) else ""
        try:
            answer = self._ingest(reg, station_id, raw_events, **kwargs)
        except CentralError as exc:
            self.sync_errors[key or f"room:{reg.room}"] = (str(exc), utcnow())
            raise
        self.sync_errors.pop(key, None)
        self.sync_errors.pop(f"room:{reg.room}", None)
        return answer

    def hello(self, reg: Registration, **fields: Any) -> dict[str, Any]:
        """A station's hello (see :func:`roomdays.hello`); a refusal shows on the dashboard like a sync's."""
        try:
            return roomdays.hello(self.db, self.deployment_key, reg, **fields)
        except CentralError as exc:
            self.sync_errors[fields.get("station_id") or f"room:{reg.room}"] = (str(exc), utcnow())
            raise

    def _ingest(self, reg: Registration, station_id: str, raw_events: list[Any], *, health: dict | None = None,
                pending: int | None = None, acked_commands: list[int] | None = None,
                command_outcomes: dict | None = None, key_fingerprint: str | None = None) -> dict[str, Any]:
        """Checks, in order: the batch's form; a room day another station id holds (the events are set aside,
        409 room_held); another deployment key named by ``key_fingerprint`` (409 key_mismatch: its digests
        would never match another room's; a batch without events carries no digest and is not judged, nor
        one that names no key, from a station older than the centre's key); then the stream (see _take)."""
        if not isinstance(station_id, str) or not station_id or len(station_id) > 100:
            raise CentralError("station_id must be the station database's id (a non-empty string)", http_status=422)
        if reg.station_id is not None and reg.station_id != station_id:
            raise roomdays.token_bound(reg.station_id, station_id)
        acked_commands = [] if acked_commands is None else acked_commands
        if not isinstance(acked_commands, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                           for i in acked_commands):
            raise CentralError("acked_commands must be a list of command ids", http_status=422)
        outcomes = staff_commands.parse_outcomes(command_outcomes)
        events, bodies = parse_batch(raw_events, reg.room)
        health_json = health_text(health)
        now = utcnow()
        folded_new = False
        dates = {e.date for e in events}
        try:
            with self.db.write() as conn:
                held = roomdays.conflict(conn, reg.room, dates, station_id)
                if held is not None:  # kept aside (committed), then refused below; binds and claims nothing
                    roomdays.set_aside(conn, station_id, [(e.seq, e.date, e.type, bodies[e.seq]) for e in events],
                                       reg.room, held[1], now)
                elif events and key_fingerprint is not None and key_fingerprint != self.key_fingerprint:
                    raise roomdays.key_mismatch(str(key_fingerprint)[:64])
                else:
                    answer = self._take(conn, reg, station_id, events, bodies, now, health_json,
                                        pending, acked_commands, outcomes)
                    folded_new = answer["accepted"] > 0
        except BaseException:
            if folded_new:
                self.projection.drop(station_id)  # folded what was not committed: fold again from the store
            raise
        if held is not None:
            raise roomdays.room_held(reg.room, held[0], held[1])
        return answer

    def _take(self, conn: Conn, reg: Registration, station_id: str, events: list[Event], bodies: dict[int, str],
              now: str, health_json: str | None, pending: int | None, acked_commands: list[int],
              outcomes: dict) -> dict[str, Any]:
        """The batch of a station that holds its room's days (or is the first to claim them), inside the write
        transaction. What it folds is dropped again when it raises (the caller drops it when the commit fails)."""
        if reg.station_id is None:
            roomdays.bind(conn, reg, station_id)
        elif reg.takeover:
            roomdays.end_takeover(conn, reg)
        hw = self._lock_stream(conn, station_id, reg.room, now)
        new = [e for e in events if e.seq > hw]
        if len(new) < len(events):
            self._check_replay(conn, station_id, [e.seq for e in events if e.seq <= hw], bodies, hw)
        if new and new[0].seq != hw + 1:
            raise CentralError(f"gap: the centre holds this station's events up to {hw}; "
                               f"the batch starts at {new[0].seq}", http_status=409,
                               extra={"reason": "gap", "expected_seq": hw + 1, "high_water": hw})
        contiguous = [e for i, e in enumerate(new) if e.seq == hw + 1 + i]
        if self.projection.folded_upto(station_id) < hw:
            self._fold_stored(conn, station_id, hw)
        try:
            self.projection.fold(station_id, contiguous, now)  # refuses (422) what does not fold
            roomdays.claim(conn, reg.room, {e.date for e in contiguous}, station_id, now)
            self._insert(conn, station_id, contiguous, bodies, now)
            new_hw = contiguous[-1].seq if contiguous else hw
            # a request that does not say its outbox size or health leaves the last ones standing
            conn.execute("UPDATE streams SET high_water = ?, last_seen_at = ?, pending = coalesce(?, pending), "
                         "health = coalesce(?, health) WHERE station_id = ?",
                         (new_hw, now, pending, health_json, station_id))
            acked = staff_commands.acknowledge(conn, reg.room, str(reg.id), acked_commands, outcomes, now)
            commands = staff_commands.hand_over(conn, reg.room, now)  # handed: no longer cancellable
            duplicates = self._open_duplicates(conn, station_id)
        except BaseException:
            if contiguous:
                self.projection.drop(station_id)  # folded what was not committed: fold again from the store
            raise
        return {"station_id": station_id, "high_water": new_hw, "accepted": len(contiguous),
                "already_held": len(events) - len(new), "duplicates": duplicates, "commands": commands,
                "acked_commands": acked, "server_time": now}

    def _check_replay(self, conn: Conn, station_id: str, seqs: list[int], bodies: dict[int, str], hw: int) -> None:
        """A replayed event must be the one held: a station whose history differs from the centre's (a
        database restored from an old backup, another install reusing its id) is refused, not merged."""
        rows = conn.all("SELECT seq, body FROM events WHERE station_id = ? AND seq >= ? AND seq <= ?",
                        (station_id, seqs[0], seqs[-1]))
        held = dict(rows)
        for seq in seqs:
            if seq in held and json.loads(held[seq]) != json.loads(bodies[seq]):
                raise CentralError(f"seq {seq} differs from the event the centre holds for this station: its "
                                   "history has diverged (restored from an old copy?)", http_status=409,
                                   extra={"reason": "diverged", "conflict_seq": seq, "high_water": hw})

    def _lock_stream(self, conn: Conn, station_id: str, room: str, now: str) -> int:
        conn.execute("INSERT INTO streams (station_id, room, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (station_id) DO NOTHING", (station_id, room, now, now))
        stream_room, hw = conn.one("SELECT room, high_water FROM streams WHERE station_id = ?" + conn.for_update,
                                   (station_id,))
        if stream_room != room:
            raise CentralError(f"station {station_id} writes for room {stream_room}, not {room}", http_status=403)
        return int(hw)

    def _insert(self, conn: Conn, station_id: str, events: list[Event], bodies: dict[int, str], now: str) -> None:
        conn.executemany("INSERT INTO events (station_id, seq, room, date, type, body, received_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(station_id, e.seq, e.room, e.date, e.type, bodies[e.seq], now) for e in events])
        issued = [e for e in events if isinstance(e, TicketIssued)]
        if issued:
            self._find_duplicates(conn, station_id, issued, now)
            conn.executemany("INSERT INTO tickets (station_id, room, date, number, code_digest, seq) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             [(station_id, e.room, e.date, e.number, e.code_digest, e.seq) for e in issued])
        for e in events:
            if isinstance(e, DuplicateFlagged):
                conn.execute("UPDATE duplicates SET flagged_at = ? WHERE station_id = ? AND room = ? AND date = ? "
                             "AND number = ? AND other_room = ? AND flagged_at IS NULL",
                             (now, station_id, e.room, e.date, e.number, e.other_room))

    def _find_duplicates(self, conn: Conn, station_id: str, issued: list[TicketIssued], now: str) -> None:
        """A code digest holding two numbers on one date is a duplicate, in two rooms or in the same room
        (two stations, or one that numbered a code twice): both tickets are reported."""
        by_date: dict[str, dict[str, list[TicketIssued]]] = {}
        for e in issued:
            by_date.setdefault(e.date, {}).setdefault(e.code_digest, []).append(e)
        found = []
        for date, mine in by_date.items():
            digests = list(mine)
            held: dict[str, list[tuple[str, str, int]]] = {}
            for i in range(0, len(digests), 500):
                part = digests[i:i + 500]
                rows = conn.all("SELECT station_id, room, number, code_digest FROM tickets WHERE date = ? "
                                f"AND code_digest IN ({','.join('?' * len(part))})", (date, *part))
                for other_station, other_room, other_number, digest in rows:
                    held.setdefault(digest, []).append((other_station, other_room, int(other_number)))
            for digest, new in mine.items():
                others = list(held.get(digest, []))
                for e in new:  # against what was held and the batch's earlier tickets
                    for other_station, other_room, other_number in others:
                        found.append((station_id, e.room, date, e.number, other_room, other_number, now))
                        found.append((other_station, other_room, date, other_number, e.room, e.number, now))
                    others.append((station_id, e.room, e.number))
        conn.executemany("INSERT INTO duplicates (station_id, room, date, number, other_room, other_number, found_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", found)

    def _open_duplicates(self, conn: Conn, station_id: str) -> list[dict[str, Any]]:
        rows = conn.all("SELECT room, date, number, other_room, other_number FROM duplicates "
                        "WHERE station_id = ? AND flagged_at IS NULL ORDER BY date, number LIMIT ?",
                        (station_id, DUPLICATES_PER_ANSWER))
        return [{"date": d, "number": n, "other_room": o, "other_number": on} for r, d, n, o, on in rows
                if not self.projection.ticket_flagged(station_id, r, d, n, o)]

    # --- the projection ---------------------------------------------------------------------

    def _fold_stored(self, conn: Conn, station_id: str, upto: int) -> None:
        start = self.projection.folded_upto(station_id)
        rows = conn.all("SELECT body, received_at FROM events WHERE station_id = ? AND seq > ? AND seq <= ? "
                        "ORDER BY seq", (station_id, start, upto))
        events = [event_from_dict(json.loads(body)) for body, _ in rows]
        self.projection.fold(station_id, events, rows[-1][1] if rows else "")

    def catch_up(self) -> None:
        """Fold whatever the store holds that the projection has not folded (other processes' ingests,
        streams dropped after a failure, everything at start)."""
        with self.db.connection() as conn:
            for station_id, hw in conn.all("SELECT station_id, high_water FROM streams"):
                if self.projection.folded_upto(station_id) < hw:
                    try:
                        self._fold_stored(conn, station_id, hw)
                    except (CentralError, CoreError, ValueError) as exc:
                        log.error("station %s: its stored events do not fold: %s", station_id, exc)

    # --- reading ------------------------------------------------------------------------------

    def counts(self) -> list[dict[str, Any]]:
        """Per-class counts of every room and date, in the shape of the station export's ``classes``."""
        self.catch_up()
        return self.projection.class_counts()

    def rooms(self, *, stale_s: float = 60.0) -> list[dict[str, Any]]:
        """The live state of every room: each station's latest session, when it was last heard from,
        its outbox lag, the health it reported and what was set aside there (see :mod:`.roomview`)."""
        from photoqueue.central.roomview import rooms

        return rooms(self, stale_s)

    def event_count(self, station_id: str | None = None) -> int:
        with self.db.connection() as conn:
            if station_id is None:
                return int(conn.one("SELECT count(*) FROM events")[0])
            return int(conn.one("SELECT count(*) FROM events WHERE station_id = ?", (station_id,))[0])

    def stored_events(self, station_id: str) -> list[dict[str, Any]]:
        """One station's stored events (public form, with ``received_at``), in seq order: for staff and tests."""
        with self.db.connection() as conn:
            rows = conn.all("SELECT body, received_at FROM events WHERE station_id = ? ORDER BY seq", (station_id,))
        return [dict(json.loads(b), received_at=r) for b, r in rows]

    def station_events(self, reg: Registration, after: int, limit: int = 2000) -> dict[str, Any]:
        """The token's own station's events after ``after`` (public form), for ``photoqueue recover``."""
        if reg.station_id is None:
            raise CentralError("this token has not synced yet: the centre holds no events of its station",
                               http_status=404)
        with self.db.connection() as conn:
            row = conn.one("SELECT high_water FROM streams WHERE station_id = ?", (reg.station_id,))
            rows = conn.all("SELECT body FROM events WHERE station_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                            (reg.station_id, after, limit))
        return {"station_id": reg.station_id, "high_water": int(row[0]) if row else 0,
                "events": [json.loads(b) for (b,) in rows]}

    def high_waters(self) -> dict[str, int]:
        with self.db.connection() as conn:
            return {sid: int(hw) for sid, hw in conn.all("SELECT station_id, high_water FROM streams")}

    def duplicates(self, date: str | None = None) -> list[dict[str, Any]]:
        """Every duplicate found, across rooms or in one (staff only: these join tickets through a code digest)."""
        with self.db.connection() as conn:
            rows = conn.all("SELECT room, date, number, other_room, other_number, found_at, flagged_at FROM duplicates"
                            + (" WHERE date = ?" if date else "") + " ORDER BY date, room, number",
                            (date,) if date else ())
        keys = ("room", "date", "number", "other_room", "other_number", "found_at", "flagged_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # --- staff commands ----------------------------------------------------------------------

    def add_command(self, room: str, kind: str, args: dict[str, Any] | None = None, *, by: str = "") -> int:
        """Queue a staff action for a room's station (it arrives with the station's next sync). The ticket or
        class it acts on is named (from the room's last synced state when staff did not) and checked now."""
        return staff_commands.queue(self, room, kind, args, by)

    def room_state(self, room: str):
        """The room's latest session as the centre last folded it (None before its first sync)."""
        latest = None
        for (_sid, r, date), state in self.projection.sessions():
            if r == room and (latest is None or date >= latest.date):
                latest = state
        return latest

    def pending_commands(self, room: str, *, conn: Conn | None = None) -> list[dict[str, Any]]:
        if conn is None:
            with self.db.connection() as c:
                return self.pending_commands(room, conn=c)
        return staff_commands.pending(conn, room, utcnow())

    def commands(self, room: str | None = None) -> list[dict[str, Any]]:
        """Every staff command with its ``state``: done, refused (``reason``), pending, expired, cancelled."""
        with self.db.connection() as conn:
            return staff_commands.listing(conn, room, utcnow())

    def cancel_command(self, cid: int, *, by: str = "") -> dict[str, Any]:
        with self.db.write() as conn:
            return staff_commands.cancel(conn, cid, by, utcnow())

    # --- timetable -----------------------------------------------------------------------------

    def set_timetable(self, timetable: Timetable) -> int:
        """Hold this timetable: its (date, room) days replace what the centre had for them."""
        days = sorted({(s.date, s.room) for s in timetable.slots})
        rows = []
        for date, room in days:
            for i, c in enumerate(timetable.room_day(room, date).classes):
                rows.append((date.isoformat(), room, i, c.name, c.headcount,
                             c.start.strftime("%H:%M") if c.start else None,
                             c.end.strftime("%H:%M") if c.end else None, c.college, c.location))
        with self.db.write() as conn:
            for date, room in days:
                conn.execute("DELETE FROM timetable WHERE date = ? AND room = ?", (date.isoformat(), room))
            conn.executemany("INSERT INTO timetable VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def timetable(self, room: str | None = None, date: str | None = None) -> Timetable:
        where, params = [], []
        for col, value in (("room", room), ("date", date)):
            if value:
                where.append(f"{col} = ?")
                params.append(value)
        with self.db.connection() as conn:
            rows = conn.all("SELECT date, room, class_name, headcount, start_time, end_time, college, location "
                            "FROM timetable" + (" WHERE " + " AND ".join(where) if where else "")
                            + " ORDER BY date, room, position", params)
        return Timetable.of(ClassSlot.from_dict({"date": d, "room": r, "class": c, "headcount": h, "start": s,
                                                 "end": e, "college": co, "location": lo})
                            for d, r, c, h, s, e, co, lo in rows)

    def room_day(self, room: str, date: str) -> RoomDay:
        return self.timetable(room, date).room_day(room, dt.date.fromisoformat(date))
