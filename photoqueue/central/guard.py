"""What every request passes before it touches the store: the staff login, the one CSRF check, the client's
address (forwarded headers only from proxies the settings name), a safe ``next`` after login, and request
bodies read with a size cap, a depth cap and integer ranges, so a malformed request is a 4xx with an
``error``, never a 500.

CSRF: every state-changing staff route (and the login form) depends on :func:`require_csrf`. It refuses a
request a browser marks as cross-site (a foreign ``Origin``, ``Sec-Fetch-Site: cross-site``) and wants a
token: the ``X-CSRF-Token`` header (or a ``csrf`` form field) equal to an HMAC, under the service's secret,
of the login's session id; before a login, of a random ``photoqueue_csrf`` cookie the login page sets. A
JSON login needs no token: a foreign page cannot send JSON without a CORS preflight this service never
grants, and there is no login yet to ride on.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
import unicodedata
import urllib.parse
from typing import Any

from starlette.requests import Request

from photoqueue.central import accounts
from photoqueue.central.errors import CentralError

SESSION_COOKIE = "photoqueue_session"
CSRF_COOKIE = "photoqueue_csrf"
MAX_JSON_DEPTH = 32
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what SQLite and PostgreSQL's BIGINT hold


# --- the staff login --------------------------------------------------------------------------------------


def session_id(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def current_staff(request: Request) -> accounts.StaffUser | None:
    """The staff user logged in on this request (a live row of ``sessions``), or None."""
    sid = session_id(request)
    if not sid:
        return None
    return accounts.session_user(request.app.state.store.db, sid, time.time())


def require_staff(request: Request) -> accounts.StaffUser:
    """FastAPI dependency for staff-only pages and API: 401 without a live login."""
    user = current_staff(request)
    if user is None:
        raise CentralError("staff login required (POST /api/v1/login)", http_status=401)
    return user


# --- CSRF -------------------------------------------------------------------------------------------------


def _csrf_for(secret: bytes, basis: str) -> str:
    return hmac.new(secret, b"csrf:" + basis.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:40]


def csrf_token(request: Request, *, session: str | None = None) -> str:
    """The token this browser must send back: bound to its login (``session``, else its cookie), or before a
    login to its ``photoqueue_csrf`` cookie; empty when it has neither."""
    basis = session if session is not None else session_id(request) or request.cookies.get(CSRF_COOKIE, "")
    return _csrf_for(request.app.state.session_secret, basis) if basis else ""


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


def same_text(a: str, b: str) -> bool:
    """Constant-time equality of two header values of any characters (``hmac.compare_digest`` refuses
    non-ASCII text with a TypeError)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape"))


def refuse_cross_site(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        try:
            netloc = urllib.parse.urlsplit(origin).netloc
        except ValueError:
            netloc = "?"
        if netloc != request.headers.get("host", ""):
            raise CentralError("cross-site request refused / 拒绝跨站请求", http_status=403)
    elif origin == "null" or request.headers.get("sec-fetch-site", "") == "cross-site":
        raise CentralError("cross-site request refused / 拒绝跨站请求", http_status=403)


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def require_csrf(request: Request) -> None:
    """FastAPI dependency of every state-changing staff route and of the login form (see the module doc)."""
    refuse_cross_site(request)
    kind = content_type(request)
    sent = request.headers.get("x-csrf-token", "")
    if not sent and kind == "application/x-www-form-urlencoded":
        sent = (await form_fields(request)).get("csrf", "")
    if request.url.path == "/api/v1/login" and kind == "application/json":
        return  # see the module doc: a JSON login cannot come from a foreign page
    want = csrf_token(request)
    if not sent or not want or not same_text(sent, want):
        raise CentralError("missing or wrong CSRF token; reload the page / 页面已过期，请刷新", http_status=403)


# --- the client's address ---------------------------------------------------------------------------------


def parse_proxies(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``trusted_proxies``: comma-separated addresses or networks (10.0.0.5, 10.1.0.0/16); bad ones raise."""
    out = []
    for item in (t.strip() for t in text.split(",")):
        if item:
            out.append(ipaddress.ip_network(item, strict=False))
    return out


def _is_in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    """Who sent this request: the peer, or, when the peer is a proxy named in ``trusted_proxies``, the last
    address in ``X-Forwarded-For`` that is not itself a trusted proxy (the header is forgeable below that)."""
    peer = request.client.host if request.client else ""
    proxies = getattr(request.app.state, "trusted_proxies", [])
    if not proxies or not _is_in(peer, proxies):
        return peer
    chain = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for address in reversed(chain):
        if not _is_in(address, proxies):
            return address[:64]
    return peer


# --- where to go after a login ----------------------------------------------------------------------------


def safe_next(target: Any) -> str:
    """Where to go after a login: the one check, for the form's redirect and the login page alike, which
    follows only what this returns. ``target`` is decoded (percent-encoding, repeatedly) and normalised
    (NFKC: a full-width ／ or ＼ is a / or \\) before it is judged; a backslash, a tab, a newline, any
    control or space, a scheme, a host, a doubled slash or a dot segment refuses it (``/..//evil`` is
    ``//evil`` to a browser). What comes back is rebuilt from the checked path and query, never the text
    as given: ``/`` and a same-site path, or ``/``."""
    if not isinstance(target, str) or not target or len(target) > 2000:
        return "/"
    text = target
    for _ in range(4):  # %252F%252F... : decode until nothing changes
        decoded = urllib.parse.unquote(text)
        if decoded == text:
            break
        text = decoded
    else:
        return "/"
    text = unicodedata.normalize("NFKC", text)
    if not text.startswith("/") or "\\" in text or any(ord(c) < 0x21 or ord(c) == 0x7F or c.isspace() for c in text):
        return "/"
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return "/"
    path = parts.path
    given = text.split("?", 1)[0].split("#", 1)[0]  # as given: urlsplit drops an empty host (///x is /x)
    # a doubled slash or a dot segment anywhere: a browser may read it as another host (/..//evil is //evil)
    if parts.scheme or parts.netloc or "//" in given or {".", ".."} & set(given.split("/")):
        return "/"
    out = urllib.parse.quote(path, safe="/-._~!$'()*+,;=:@")
    if parts.query:
        out += "?" + urllib.parse.quote(parts.query, safe="/-._~!$'()*+,;=:@&?")
    return out


# --- request bodies ---------------------------------------------------------------------------------------


async def read_body(request: Request, cap: int) -> bytes:
    """The body, refused with a 413 past ``cap`` bytes (as declared, or as streamed)."""
    cached = getattr(request.state, "body", None)
    if cached is not None:
        return cached
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise CentralError(f"request body of {declared} bytes is over the limit of {cap}", http_status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise CentralError(f"request body is over the limit of {cap} bytes", http_status=413)
        chunks.append(chunk)
    request.state.body = b"".join(chunks)
    return request.state.body


def check_shape(doc: Any, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Refuse (422) a document nested deeper than ``max_depth`` or holding an integer no column can hold."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise CentralError(f"JSON nested deeper than {max_depth} levels", http_status=422)
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            raise CentralError("an integer in the body is out of range (64-bit)", http_status=422)
    return doc


def parse_json(body: bytes) -> Any:
    """JSON text to a document: 400 when it is not JSON (or nested past what the parser can), 422 past the
    depth and integer limits."""
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CentralError(f"malformed JSON: {exc}", http_status=400) from None
    except RecursionError:
        raise CentralError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", http_status=400) from None
    return check_shape(doc)


async def read_json(request: Request, cap: int) -> Any:
    return parse_json(await read_body(request, cap))


async def form_fields(request: Request, cap: int = 10_000) -> dict[str, str]:
    body = await read_body(request, cap)
    text = body.decode("utf-8", "replace")
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=20)
    except ValueError:
        raise CentralError("too many form fields", http_status=400) from None
    return dict(pairs)
