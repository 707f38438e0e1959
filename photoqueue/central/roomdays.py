"""One station stream per room and day, the deployment key, and the station's hello.

- ``room_days(room, date, station_id)``: the first station id whose events for (room, date) the centre
  takes holds that day. Another station id's events for a held day are refused (409 ``room_held``) and
  kept in ``set_aside_events``: shown to staff, never folded, never counted.
- A token is bound to one station id, on first use, never rebound. ``replace_station`` (a Pi swapped
  mid-day) revokes the tokens of the room's station and makes a new token pre-bound to the same station
  id, flagged ``takeover``: the new Pi adopts the id, so the room's day stays one stream.
- The deployment key (HMAC key of code digests) is made once by the centre and kept in ``meta``; a
  station learns it from ``hello`` and every batch names it by fingerprint, so the cross-room duplicate
  check cannot be silently off (a batch with another key's fingerprint is refused, ``key_mismatch``).

Every refusal carries ``reason`` (and the message is Chinese first, the English after " / ").
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from photoqueue.central import accounts
from photoqueue.central.accounts import Registration, utcnow
from photoqueue.central.db import Conn, Database
from photoqueue.central.errors import CentralError
from photoqueue.core.digest import key_fingerprint

log = logging.getLogger(__name__)

KEY_BYTES = 32


# --- the deployment key ---------------------------------------------------------------------------


def ensure_key(db: Database) -> bytes:
    """The centre's deployment key: made at the store's first open, the same for every later open and
    every process (the first insert wins)."""
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('deployment_key', ?) ON CONFLICT (key) DO NOTHING",
                     (secrets.token_hex(KEY_BYTES),))
        return bytes.fromhex(conn.one("SELECT value FROM meta WHERE key = 'deployment_key'")[0])


def key_mismatch(fingerprint: str) -> CentralError:
    return CentralError(f"此设备的部署密钥与中心不同，跨组重复检查无法进行 / the station's deployment key (fingerprint "
                        f"{fingerprint}) is not the centre's: its code digests would never match another room's; "
                        "give it the centre's key (`photoqueue central show-key`) and run `photoqueue recover`",
                        http_status=409, extra={"reason": "key_mismatch"})


# --- room days ----------------------------------------------------------------------------------------


def holder(conn: Conn, room: str, date: str) -> str | None:
    row = conn.one("SELECT station_id FROM room_days WHERE room = ? AND date = ?", (room, date))
    return row[0] if row else None


def room_held(room: str, date: str, by: str) -> CentralError:
    return CentralError(f"{room} 组 {date} 已由另一台设备（{by}）编号，本设备的记录已另存，不计入统计；更换设备请用 "
                        f"`photoqueue central replace-station` / room {room} on {date} is numbered by station "
                        f"{by}; this station's events are set aside and not counted (to replace a Pi, run "
                        f"`photoqueue central replace-station --room {room}`)",
                        http_status=409, extra={"reason": "room_held", "holder": by})


def conflict(conn: Conn, room: str, dates: set[str], station_id: str) -> tuple[str, str] | None:
    """(date, holder) of the first of ``dates`` another station id holds, or None."""
    for date in sorted(dates):
        by = holder(conn, room, date)
        if by is not None and by != station_id:
            return date, by
    return None


def claim(conn: Conn, room: str, dates: set[str], station_id: str, now: str) -> None:
    """This station id holds (room, date) for each date it has none yet (inside the ingest's transaction:
    a refused batch claims nothing)."""
    conn.executemany("INSERT INTO room_days (room, date, station_id, bound_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (room, date) DO NOTHING", [(room, d, station_id, now) for d in sorted(dates)])


def set_aside(conn: Conn, station_id: str, rows: list[tuple[int, str, str, str]], room: str, by: str,
              now: str) -> None:
    """Keep a refused station's events ((seq, date, type, body) each) for staff; a resend changes nothing."""
    conn.executemany("INSERT INTO set_aside_events (station_id, seq, room, date, type, body, holder, received_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (station_id, seq) DO NOTHING",
                     [(station_id, seq, room, date, kind, body, by, now) for seq, date, kind, body in rows])


def set_aside_summary(conn: Conn) -> dict[str, list[dict[str, Any]]]:
    """room -> what is set aside there: one entry per (station id, date), with the holder and the count."""
    rows = conn.all("SELECT room, station_id, date, holder, count(*), min(received_at), max(received_at), "
                    "sum(CASE WHEN type = 'ticket_issued' THEN 1 ELSE 0 END) FROM set_aside_events "
                    "GROUP BY room, station_id, date, holder ORDER BY room, date, station_id")
    out: dict[str, list[dict[str, Any]]] = {}
    for room, sid, date, by, n, first, last, issued in rows:
        out.setdefault(room, []).append({"station_id": sid, "date": date, "holder": by, "events": int(n),
                                         "tickets": int(issued or 0), "first_at": first, "last_at": last})
    return out


def held_days(conn: Conn) -> dict[str, set[str]]:
    """station_id -> the rooms' days (as "room date") it holds."""
    out: dict[str, set[str]] = {}
    for room, date, sid in conn.all("SELECT room, date, station_id FROM room_days"):
        out.setdefault(sid, set()).add(f"{room} {date}")
    return out


# --- tokens -------------------------------------------------------------------------------------------


def bind(conn: Conn, reg: Registration, station_id: str) -> None:
    """Bind an unbound token to ``station_id`` (once; a race with another use of it is refused)."""
    conn.execute("UPDATE stations SET station_id = ? WHERE id = ? AND station_id IS NULL", (station_id, reg.id))
    row = conn.one("SELECT station_id FROM stations WHERE id = ?", (reg.id,))
    if row[0] != station_id:
        raise token_bound(row[0], station_id)


def token_bound(bound: str, asked: str) -> CentralError:
    return CentralError(f"此令牌属于另一台设备（{bound}） / this token belongs to another station ({bound}), "
                        f"not {asked}",
                        http_status=403, extra={"reason": "token_bound"})


def replace_station(db: Database, room: str, date: str | None = None, label: str = "") -> dict[str, Any]:
    """Retire the station that numbers ``room`` (its day ``date``, else its latest day) and make a token for
    the replacement Pi, pre-bound to the same station id (``takeover``). Returns {token, station_id,
    revoked, date}; the token is shown once (only its hash is kept)."""
    room = (room or "").strip()
    if not room:
        raise CentralError("say which room's station to replace (--room) / 请指明拍摄组", exit_status=2,
                           http_status=422)
    if date is not None:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise CentralError(f"date {date!r} is not YYYY-MM-DD / 日期格式应为 YYYY-MM-DD", exit_status=2,
                               http_status=422) from None
    token = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with db.write() as conn:
        if date is not None:
            row = conn.one("SELECT station_id, date FROM room_days WHERE room = ? AND date = ?", (room, date))
        else:
            row = conn.one("SELECT station_id, date FROM room_days WHERE room = ? ORDER BY date DESC LIMIT 1", (room,))
        if row is None:
            when = f" on {date}" if date else ""
            raise CentralError(f"{room} 组{'在 ' + date if date else ''}还没有设备编号过，无需更换，用 add-station 登记新设备 / "
                               f"no station has numbered room {room}{when} at the centre: nothing to replace "
                               "(register a Pi with `photoqueue central add-station`)", exit_status=2,
                               http_status=404, extra={"reason": "no_station"})
        station_id, held_date = row
        revoked = conn.execute("UPDATE stations SET revoked_at = ? WHERE station_id = ? AND revoked_at IS NULL",
                               (now, station_id)).rowcount
        conn.execute("INSERT INTO stations (room, token_hash, label, created_at, station_id, takeover) "
                     "VALUES (?, ?, ?, ?, ?, 1)", (room, accounts.token_hash(token), label or "replacement", now,
                                                   station_id))
    log.info("room %s: station %s replaced (%d token(s) revoked); a takeover token was made", room, station_id,
             revoked)
    return {"token": token, "station_id": station_id, "revoked": int(revoked), "room": room, "date": held_date}


# --- hello --------------------------------------------------------------------------------------------


def hello(db: Database, key: bytes, reg: Registration, *, station_id: str, room: str, date: str,
          last_number: int, key_fingerprint_: str | None, last_seq: int = 0) -> dict[str, Any]:
    """A station's hello before its first number after a start (see docs/central.md): binds an unbound token,
    answers the id to use (``takeover`` when it is to adopt another), who holds the room's day, the centre's
    high-water of that id and the room's highest number that day, and the deployment key."""
    del last_seq  # the station compares it with high_water itself
    if room != reg.room:
        raise CentralError(f"此令牌属于 {reg.room} 组，不是 {room} 组 / this token is for room {reg.room}, not {room}",
                           http_status=403, extra={"reason": "wrong_room"})
    fingerprint = key_fingerprint(key)
    with db.write() as conn:
        row = conn.one("SELECT station_id, takeover FROM stations WHERE id = ? AND revoked_at IS NULL"
                       + conn.for_update, (reg.id,))
        if row is None:
            raise CentralError("unknown or revoked station token / 令牌无效或已撤销", http_status=401)
        bound, takeover_token = row
        takeover = False
        if bound is None:
            bind(conn, reg, station_id)
            bound = station_id
        elif bound != station_id:
            if not takeover_token:
                raise token_bound(bound, station_id)
            takeover = True
        by = holder(conn, room, date)
        if by is not None and by != bound:
            raise room_held(room, date, by)
        if key_fingerprint_ is not None and key_fingerprint_ != fingerprint and last_number > 0:
            raise key_mismatch(key_fingerprint_)
        hw = conn.one("SELECT high_water FROM streams WHERE station_id = ?", (bound,))
        highest = conn.one("SELECT max(number) FROM tickets WHERE room = ? AND date = ?", (room, date))
    return {"station_id": bound, "takeover": takeover, "room": room, "date": date, "holder": by,
            "high_water": int(hw[0]) if hw else 0, "highest_number": int(highest[0] or 0) if highest else 0,
            "deployment_key": key.hex(), "key_fingerprint": fingerprint,
            "server_time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")}


def end_takeover(conn: Conn, reg: Registration) -> None:
    """The replacement Pi's first batch under the adopted id: from now on the token is an ordinary one."""
    conn.execute("UPDATE stations SET takeover = 0 WHERE id = ? AND takeover = 1", (reg.id,))
