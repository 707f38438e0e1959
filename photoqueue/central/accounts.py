"""Station tokens and staff accounts.

- A station token is random (256 bits), shown once, stored only as its SHA-256 (a token is a
  long random secret, so a fast hash is enough: there is nothing to guess), and revocable.
  It is bound to a room, and on first use to the station database (``station_id``) that uses it.
- Staff passwords are stored as scrypt hashes with a random salt (hashlib, no extra dependency), at
  OWASP's current parameters (N=2^17, r=8, p=1); a login with an older hash rehashes it. A login costs
  exactly one scrypt whether or not the name exists (an unknown name is checked against a dummy hash),
  so its time does not tell which staff names exist.
- A staff login is a row in ``sessions``: the cookie carries only a random id (the table keeps its
  SHA-256), so logout, a password change and ``central revoke-sessions`` end it at once, in every
  server process. The secret kept in the store only derives CSRF tokens.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import logging
import os
import secrets
import threading
from dataclasses import dataclass

from photoqueue.central.db import Conn, Database
from photoqueue.central.errors import CentralError

log = logging.getLogger(__name__)

TOKEN_PREFIX = "pqs_"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1  # OWASP password storage guidance (128 MiB, one core)
# The test suite's cost: a lower N (a power of two from 2**10) set in this variable, so that each of its
# hundreds of logins costs milliseconds instead of 0.8 s. A deployment never sets it (each hash made under
# it says so in the log); a value that is not such a power of two is ignored.
TEST_COST_ENV = "PHOTOQUEUE_TEST_SCRYPT_N"
# Each scrypt holds 128 MiB: at most two at once, so a burst of logins queues instead of eating memory.
_SCRYPT_SLOTS = threading.BoundedSemaphore(2)


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Registration:
    id: int
    room: str
    station_id: str | None
    label: str = ""
    takeover: bool = False  # made by replace-station: pre-bound to the replaced station's id, to adopt


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
    row = conn.one("SELECT id, room, station_id, label, takeover FROM stations WHERE token_hash = ? "
                   "AND revoked_at IS NULL", (token_hash(token),))
    return Registration(int(row[0]), row[1], row[2], row[3], bool(row[4])) if row else None


# --- staff accounts -------------------------------------------------------------------------


def scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    """The one place a password is hashed (tests count the calls)."""
    with _SCRYPT_SLOTS:
        return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                              maxmem=256 * r * n + (1 << 20))


def scrypt_cost() -> tuple[int, int, int]:
    """(N, r, p) for a new hash: OWASP's, or the test suite's lower N (TEST_COST_ENV)."""
    raw = os.environ.get(TEST_COST_ENV, "")
    n = int(raw) if raw.isdigit() else 0
    if 2**10 <= n < SCRYPT_N and n & (n - 1) == 0:
        _warn_test_cost(n)
        return n, SCRYPT_R, SCRYPT_P
    return SCRYPT_N, SCRYPT_R, SCRYPT_P


@functools.cache
def _warn_test_cost(n: int) -> None:
    log.warning("password hashing at the test cost N=%d (%s), not %d", n, TEST_COST_ENV, SCRYPT_N)


def hash_password(password: str) -> str:
    n, r, p = scrypt_cost()
    salt = secrets.token_bytes(16)
    digest = scrypt(password, salt, n, r, p)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p), len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def needs_rehash(stored: str) -> bool:
    """True when a stored hash was made with weaker parameters than today's."""
    parts = stored.split("$")
    try:
        return parts[0] != "scrypt" or (int(parts[1]), int(parts[2]), int(parts[3])) < scrypt_cost()
    except (IndexError, ValueError):
        return True


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
            # a new password ends every login made with the old one
            conn.execute("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                         (utcnow(), row[0]))
            return int(row[0])
        conn.execute("INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)", (name, hashed, utcnow()))
        return int(conn.one("SELECT id FROM users WHERE name = ?", (name,))[0])


def verify_user(db: Database, name: str, password: str) -> StaffUser | None:
    """The user, when the name exists (and is enabled) and the password matches. One scrypt either way."""
    with db.connection() as conn:
        row = conn.one("SELECT id, password_hash FROM users WHERE name = ? AND disabled_at IS NULL", (name,))
    if row is None:
        # checked against a well-formed hash at today's cost that no password matches: the same one scrypt
        # as a known name with a wrong password, so the time tells nothing
        n, r, p = scrypt_cost()
        check_password(password, f"scrypt${n}${r}${p}${'00' * 16}${'00' * 32}")
        return None
    if not check_password(password, row[1]):
        return None
    if needs_rehash(row[1]):
        with db.write() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hash_password(password), row[0]))
    return StaffUser(int(row[0]), name)


# --- the login queue: hashing off the request path ---------------------------------------------
#
# scrypt costs about 0.8 s of a core and 128 MiB. Logins hash in a pool of their own (two threads, as
# many as may hash at once), never in the threads that serve syncs and pages, and at most LOGIN_QUEUE
# logins wait or hash at once: one more gets 429 at once. A flood of wrong logins then costs two cores
# and a short queue, and a station's sync never waits behind it.

LOGIN_QUEUE = 6
LOGIN_RETRY_S = 3
_HASH_THREADS = 2
_hash_pool = None
_logins = 0
_logins_lock = threading.Lock()


def _pool():
    global _hash_pool
    with _logins_lock:
        if _hash_pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _hash_pool = ThreadPoolExecutor(_HASH_THREADS, thread_name_prefix="password-hash")
        return _hash_pool


async def verify_login(db: Database, name: str, password: str) -> StaffUser | None:
    """:func:`verify_user` in the password-hash pool; a 429 (CentralError) when LOGIN_QUEUE logins are
    already waiting or hashing."""
    import asyncio

    global _logins
    with _logins_lock:
        if _logins >= LOGIN_QUEUE:
            raise CentralError("登录请求过多，请几秒后再试 / too many logins at once; retry in a few seconds",
                               http_status=429, extra={"retry_after_s": LOGIN_RETRY_S})
        _logins += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool(), verify_user, db, name, password)
    finally:
        with _logins_lock:
            _logins -= 1


def get_user(db: Database, user_id: int) -> StaffUser | None:
    with db.connection() as conn:
        row = conn.one("SELECT id, name FROM users WHERE id = ? AND disabled_at IS NULL", (user_id,))
    return StaffUser(int(row[0]), row[1]) if row else None


# --- sessions ---------------------------------------------------------------------------------


def session_secret(db: Database) -> bytes:
    """The service's secret (CSRF tokens are derived from it), made once and kept in the store."""
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('session_secret', ?) ON CONFLICT (key) DO NOTHING",
                     (secrets.token_hex(32),))
        return bytes.fromhex(conn.one("SELECT value FROM meta WHERE key = 'session_secret'")[0])


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogateescape")).hexdigest()


def open_session(db: Database, user: StaffUser, max_age_s: int, now: float) -> str:
    """A new login of ``user``; returns the random id the cookie carries (only its hash is kept)."""
    session_id = secrets.token_urlsafe(32)
    with db.write() as conn:
        conn.execute("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                     (_session_hash(session_id), user.id, utcnow(), int(now + max_age_s)))
        # expired logins are of no use to anyone: drop them while we are here
        conn.execute("DELETE FROM sessions WHERE expires_at < ?", (int(now) - 86_400,))
    return session_id


def session_user(db: Database, session_id: str, now: float) -> StaffUser | None:
    """The user of a live login (not ended, not expired, account enabled), or None."""
    if not session_id or len(session_id) > 200:
        return None
    with db.connection() as conn:
        row = conn.one("SELECT u.id, u.name FROM sessions s JOIN users u ON u.id = s.user_id "
                       "WHERE s.id_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled_at IS NULL",
                       (_session_hash(session_id), int(now)))
    return StaffUser(int(row[0]), row[1]) if row else None


def end_session(db: Database, session_id: str) -> None:
    with db.write() as conn:
        conn.execute("UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL",
                     (utcnow(), _session_hash(session_id)))


def revoke_sessions(db: Database, name: str | None = None) -> int:
    """End every live login (of staff account ``name``, or of everyone); returns how many were ended."""
    with db.write() as conn:
        if name is None:
            cur = conn.execute("UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL", (utcnow(),))
        else:
            row = conn.one("SELECT id FROM users WHERE name = ?", (name,))
            if row is None:
                raise CentralError(f"no staff account {name!r}", exit_status=2)
            cur = conn.execute("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                               (utcnow(), row[0]))
        return cur.rowcount
