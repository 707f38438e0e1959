"""Staff commands at the centre: queued with their target checked, sent until the station reports the
outcome of its commit, expiring, cancellable.

A command's state, as the dashboard shows it:
- ``done`` (已执行): the station committed it.
- ``refused`` (已拒绝，with the station's reason): the station decided against it (voiding a number never
  issued, a target no longer current). Nothing changed there.
- ``pending`` (等待中): queued, or handed to the station and not yet reported (a disk that refuses the
  commit keeps it here: it is offered again, never reported done).
- ``expired`` (已过期): not reported before ``expires_at``; no longer sent. A command is only useful
  while staff still see what they acted on.
- ``cancelled`` (已撤销): withdrawn from the dashboard before any sync answer handed it to the station.
- ``handed`` (已交给工作站，可能已执行): handed to the station in a sync answer and no outcome reported yet.
  It can no longer be cancelled: the station may have carried it out (and, offline, may report so hours
  later), so staff are told to wait for its outcome, never "cancelled". It stays ``handed`` past its
  expiry too (no longer sent, but perhaps done).

Old stations report only ``acked_commands`` (ids): those count as done, as before.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from photoqueue.central.accounts import utcnow
from photoqueue.central.db import Conn
from photoqueue.central.errors import CentralError
from photoqueue.core.errors import CoreError
from photoqueue.core.targets import NEEDS_TARGET, refusal, staff_from_wire, wire_args, with_targets

OUTCOMES = ("done", "refused")
INT64_MAX = 2**63 - 1  # what a command id column holds
REASON_MAX = 300


def _at(seconds_from_now: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_from_now)).isoformat(timespec="milliseconds")


def insert(conn: Conn, room: str, kind: str, args: dict[str, Any], by: str, now: str, expiry_s: float) -> int:
    values = (room, kind, json.dumps(args, ensure_ascii=False), now, by, _at(expiry_s))
    sql = "INSERT INTO commands (room, kind, args, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
    if conn.dialect == "postgresql":
        return int(conn.one(sql + " RETURNING id", values)[0])
    return int(conn.execute(sql, values).lastrowid)


def require_known_room(store: Any, room: str) -> None:
    """The API's and the dashboard's check: a room with no station registered (nor ever synced) gets a 422,
    not a command that waits for whatever registers later under that name."""
    if room not in {r["room"] for r in store.rooms()}:
        raise CentralError(f"没有拍摄组 {room} / no room {room!r} (no station registered for it)", http_status=422,
                           exit_status=2)


def queue(store: Any, room: str, kind: str, args: dict[str, Any] | None, by: str) -> int:
    """``CentralStore.add_command``: name the target from the room's last synced state where staff did not,
    check it with the queue's rules, and queue the command with its expiry."""
    args = dict(args or {})
    try:
        targeted = staff_from_wire(kind, args)  # refuses an unknown kind or bad arguments now
    except CoreError as exc:
        raise CentralError(str(exc), http_status=422, exit_status=2) from None
    store.catch_up()
    with store.projection.lock:
        state = store.room_state(room)
        targeted = with_targets(targeted, state)
        why = refusal(targeted, state) if state is not None else None
    if why is None and state is None and targeted.kind in NEEDS_TARGET and targeted.target is None:
        why = ("该组还没有同步过，请指明号码", f"{kind}: room {room} has not synced; name the ticket (target)")
    if why is not None:
        raise CentralError(f"{why[0]} / {why[1]}", http_status=422, exit_status=2)
    with store.db.write() as conn:
        return insert(conn, room, kind, wire_args(targeted, args), by, utcnow(), store.command_expiry_s)


def pending(conn: Conn, room: str, now: str) -> list[dict[str, Any]]:
    """What the station is sent: not reported, not cancelled, not expired."""
    rows = conn.all("SELECT id, kind, args, created_at, expires_at FROM commands WHERE room = ? AND acked_at IS NULL "
                    "AND cancelled_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY id", (room, now))
    return [{"id": int(i), "kind": k, "args": json.loads(a), "created_at": c, "expires_at": e}
            for i, k, a, c, e in rows]


def hand_over(conn: Conn, room: str, now: str) -> list[dict[str, Any]]:
    """What a station's sync answer carries (inside the sync's write transaction): :func:`pending`, each
    marked as handed over. The mark comes first, as an UPDATE, so a cancel racing this sync either
    happened before it (the row is skipped) or waits for it and then finds the command handed."""
    conn.execute("UPDATE commands SET handed_at = ? WHERE room = ? AND handed_at IS NULL AND acked_at IS NULL "
                 "AND cancelled_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", (now, room, now))
    return pending(conn, room, now)


def parse_outcomes(raw: Any) -> dict[int, tuple[str, str]]:
    """``command_outcomes`` from a station: {"ID": {"outcome": "done"|"refused", "reason": str}}."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CentralError("command_outcomes must be an object {id: {outcome, reason}}", http_status=422)
    out = {}
    for key, value in raw.items():
        if (not (isinstance(key, str) and key.isascii() and key.isdigit() and 0 < int(key) <= INT64_MAX)
                or not isinstance(value, dict)):
            raise CentralError(f"command_outcomes[{key!r}]: must be {{outcome, reason}} under a command id",
                               http_status=422)
        outcome, reason = value.get("outcome"), value.get("reason", "")
        if outcome not in OUTCOMES or not isinstance(reason, str):
            raise CentralError(f"command_outcomes[{key}]: outcome must be one of {OUTCOMES}, reason a string",
                               http_status=422)
        out[int(key)] = (outcome, reason[:REASON_MAX])
    return out


def acknowledge(conn: Conn, room: str, station: str, ids: list[int], outcomes: dict[int, tuple[str, str]],
                now: str) -> list[int]:
    done = []
    for cid in sorted(set(ids) | set(outcomes)):
        row = conn.one("SELECT acked_at FROM commands WHERE id = ? AND room = ?", (cid, room))
        if row is None:
            continue
        if row[0] is None:
            outcome, reason = outcomes.get(cid, ("done", ""))
            conn.execute("UPDATE commands SET acked_at = ?, acked_by = ?, outcome = ?, reason = ? WHERE id = ?",
                         (now, station, outcome, reason, cid))
        done.append(cid)
    return done


def cancel(conn: Conn, cid: int, by: str, now: str) -> dict[str, Any]:
    if not 0 < cid <= INT64_MAX:
        raise CentralError(f"no command {cid}", http_status=404)
    row = conn.one("SELECT acked_at, cancelled_at, handed_at FROM commands WHERE id = ?" + conn.for_update, (cid,))
    if row is None:
        raise CentralError(f"no command {cid}", http_status=404)
    if row[0] is not None:
        raise CentralError(f"命令 {cid} 已由工作站处理，无法撤销 / command {cid} was already taken by the station",
                           http_status=409)
    if row[2] is not None and row[1] is None:
        raise CentralError(f"命令 {cid} 已交给工作站，可能已执行，无法撤销；请等待工作站报告结果 / command {cid} was "
                           "already handed to the station and may have been carried out; wait for its outcome",
                           http_status=409, extra={"state": "handed"})
    if row[1] is None:
        conn.execute("UPDATE commands SET cancelled_at = ?, cancelled_by = ? WHERE id = ?", (now, by, cid))
    return {"id": cid, "state": "cancelled"}


def listing(conn: Conn, room: str | None, now: str) -> list[dict[str, Any]]:
    rows = conn.all("SELECT id, room, kind, args, created_at, created_by, acked_at, outcome, reason, expires_at, "
                    "cancelled_at, handed_at FROM commands" + (" WHERE room = ?" if room else "") + " ORDER BY id",
                    (room,) if room else ())
    keys = ("id", "room", "kind", "args", "created_at", "created_by", "acked_at", "outcome", "reason", "expires_at",
            "cancelled_at", "handed_at")
    out = []
    for r in rows:
        c = dict(zip(keys, (*r[:3], json.loads(r[3]), *r[4:]), strict=True))
        c["state"] = state_of(c, now)
        out.append(c)
    return out


def state_of(c: dict[str, Any], now: str) -> str:
    if c["acked_at"] is not None:
        return c["outcome"] or "done"
    if c["cancelled_at"] is not None:
        return "cancelled"
    if c.get("handed_at") is not None:
        return "handed"
    if c["expires_at"] is not None and c["expires_at"] <= now:
        return "expired"
    return "pending"
