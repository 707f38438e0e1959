"""Keyed digests of collection codes: what leaves the station instead of the raw code.

HMAC-SHA256 with a deployment key shared by every station of one collection day, so the
central store can match a code across rooms without ever seeing it.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata


def code_digest(key: bytes, code: str) -> str:
    """The digest of the code as a person reads it (NFKC: a full-width code digests as its ASCII twin)."""
    return hmac.new(key, unicodedata.normalize("NFKC", code).encode("utf-8"), hashlib.sha256).hexdigest()


def key_fingerprint(key: bytes) -> str:
    """Names a key without revealing it: a station records it so that a tool run with another key
    (whose digests would not match the station's) is refused."""
    return hmac.new(key, b"photoqueue deployment key check", hashlib.sha256).hexdigest()[:16]


def ticket_check(digest: str, length: int = 4) -> str:
    """A few characters of the digest, printed on the ticket and shown on screen so staff can
    match a ticket to its scan."""
    return digest[:length].upper()
