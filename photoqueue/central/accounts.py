"""Station tokens and staff accounts.

- A station token is random (256 bits), shown once, stored only as its SHA-256 (a token is a
  long random secret, so a fast hash is enough: there is nothing to guess), and revocable.
  It is bound to a room, and on first use to the station database (``station_id``) that uses it.
- Staff passwords are stored as scrypt hashes with a random salt (hashlib, no extra dependency).
- The staff session cookie is signed with HMAC-SHA256 under a secret kept in the store, so
  every server process and every restart accepts it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from photoqueue.central.db import Conn, Database
from photoqueue.central.errors import CentralError

TOKEN_PREFIX = "pqs_"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Registration:
    id: int
    room: str
    station_id: str | None
    label: str = ""


@dataclass(frozen=True)
class StaffUser:
    id: int
    name: str


# --- station tokens -------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_station(db: Database, room: str, label: str = "") -> tuple[int, str]:
    """Register a station for ``room``; returns (id, token). The token is not kept: show it once."""
    room = room.strip()
    if not room:
        raise CentralError("a station needs a room name", exit_status=2)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.write() as conn:
        conn.execute("INSERT INTO stations (room, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
                     (room, token_hash(token), label, utcnow()))
        sid = conn.one("SELECT id FROM stations WHERE token_hash = ?", (token_hash(token),))[0]
    return int(sid), token


def revoke_station(db: Database, *, station: int | None = None, room: str | None = None) -> int:
    """Revoke one registration (by id) or every one of a room; returns how many were revoked."""
    if station is None and room is None:
        raise CentralError("say which station to revoke: its id or its room", exit_status=2)
    with db.write() as conn:
        if station is not None:
            cur = conn.execute("UPDATE stations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               (utcnow(), station))
        else:
            cur = conn.execute("UPDATE stations SET revoked_at = ? WHERE room = ? AND revoked_at IS NULL",
                               (utcnow(), room))
        return cur.rowcount


def list_stations(db: Database) -> list[dict]:
    with db.connection() as conn:
        rows = conn.all("SELECT id, room, label, created_at, revoked_at, station_id FROM stations ORDER BY id")
    keys = ("id", "room", "label", "created_at", "revoked_at", "station_id")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def authenticate(conn: Conn, token: str) -> Registration | None:
    """The live registration holding this token, or None (unknown or revoked)."""
    row = conn.one("SELECT id, room, station_id, label FROM stations WHERE token_hash = ? AND revoked_at IS NULL",
                   (token_hash(token),))
    return Registration(int(row[0]), row[1], row[2], row[3]) if row else None


# --- staff accounts -------------------------------------------------------------------------


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def add_user(db: Database, name: str, password: str) -> int:
    """Create a staff account, or set a new password for an existing one; returns its id."""
    name = name.strip()
    if not name:
        raise CentralError("a staff account needs a name", exit_status=2)
    if len(password) < 8:
        raise CentralError("the password is too short (at least 8 characters)", exit_status=2)
    hashed = hash_password(password)
    with db.write() as conn:
        row = conn.one("SELECT id FROM users WHERE name = ?", (name,))
        if row:
            conn.execute("UPDATE users SET password_hash = ?, disabled_at = NULL WHERE id = ?", (hashed, row[0]))
            return int(row[0])
        conn.execute("INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)", (name, hashed, utcnow()))
        return int(conn.one("SELECT id FROM users WHERE name = ?", (name,))[0])


def verify_user(db: Database, name: str, password: str) -> StaffUser | None:
    with db.connection() as conn:
        row = conn.one("SELECT id, password_hash FROM users WHERE name = ? AND disabled_at IS NULL", (name,))
    if row is None:
        check_password(password, hash_password("x" * 8))  # same work either way: no timing hint
        return None
    return StaffUser(int(row[0]), name) if check_password(password, row[1]) else None


def get_user(db: Database, user_id: int) -> StaffUser | None:
    with db.connection() as conn:
        row = conn.one("SELECT id, name FROM users WHERE id = ? AND disabled_at IS NULL", (user_id,))
    return StaffUser(int(row[0]), row[1]) if row else None


# --- signed session cookies -----------------------------------------------------------------


def session_secret(db: Database) -> bytes:
    """The cookie-signing secret, made once and kept in the store."""
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('session_secret', ?) ON CONFLICT (key) DO NOTHING",
                     (secrets.token_hex(32),))
        return bytes.fromhex(conn.one("SELECT value FROM meta WHERE key = 'session_secret'")[0])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_session(secret: bytes, user: StaffUser, max_age_s: int, now: float) -> str:
    payload = _b64(json.dumps({"uid": user.id, "name": user.name, "exp": int(now + max_age_s)}).encode())
    sig = _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())
    return f"{payload}.{sig}"


def read_session(secret: bytes, cookie: str, now: float) -> StaffUser | None:
    """The user a cookie names, if its signature holds and it has not expired."""
    payload, _, sig = cookie.partition(".")
    want = _b64(hmac.new(secret, payload.encode("ascii", "replace"), hashlib.sha256).digest())
    if not sig or not hmac.compare_digest(sig, want):
        return None
    try:
        data = json.loads(_unb64(payload))
        if float(data["exp"]) < now:
            return None
        return StaffUser(int(data["uid"]), str(data["name"]))
    except (ValueError, KeyError, TypeError):
        return None
