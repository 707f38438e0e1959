"""The JSON API: stations post their events, anyone reads counts and rooms, staff log in.

Public endpoints are read-only and carry no personal data (no code digests); the staff
endpoints (commands, duplicates, timetable upload) need a login.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse

from photoqueue.central import accounts
from photoqueue.central.app import SESSION_COOKIE, get_settings, get_store, require_staff, require_staff_json
from photoqueue.central.errors import CentralError
from photoqueue.central.migrations import current_version
from photoqueue.central.settings import CentralSettings
from photoqueue.central.store import CentralStore
from photoqueue.timetable import Timetable

router = APIRouter()


async def _read_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise CentralError(f"request body of {declared} bytes is over the limit of {cap}", http_status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise CentralError(f"request body is over the limit of {cap} bytes", http_status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CentralError(f"malformed JSON: {exc}", http_status=400) from None


def _not_cross_site(request: Request) -> None:
    """A staff POST rides on the login cookie, so refuse what a foreign page could make a browser send:
    a foreign Origin, or a body that is not JSON (text/plain and forms need no CORS preflight)."""
    origin = request.headers.get("origin")
    if origin and urllib.parse.urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CentralError("cross-site request refused / 拒绝跨站请求", http_status=403)
    if not request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
        raise CentralError("staff requests must be JSON (content-type: application/json)", http_status=415)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CentralError("missing station token (Authorization: Bearer TOKEN)", http_status=401)
    return token.strip()


@router.get("/healthz")
def healthz(store: CentralStore = Depends(get_store)) -> dict:
    return {"ok": True, "store": store.db.dialect, "schema_version": current_version(store.db)}


@router.post("/api/v1/events")
async def post_events(request: Request, store: CentralStore = Depends(get_store),
                      settings: CentralSettings = Depends(get_settings)) -> JSONResponse:
    token = _bearer(request)
    reg = await run_in_threadpool(store.authenticate, token)
    if reg is None:
        raise CentralError("unknown or revoked station token", http_status=401)
    wait = request.app.state.limiter.allow(reg.id)
    if wait:
        raise CentralError(f"too many requests from this station; retry in {wait:.1f} s", http_status=429,
                           extra={"retry_after_s": wait})
    body = await _read_body(request, settings.max_body_bytes)
    result = await run_in_threadpool(_ingest, store, reg, body, settings)  # parsing too: keep the loop free
    return JSONResponse(result)


@router.get("/api/v1/events")
async def get_events(request: Request, after: int = 0, store: CentralStore = Depends(get_store)) -> dict:
    """A station reads back its own events (``photoqueue recover``): the token names the station."""
    reg = await run_in_threadpool(store.authenticate, _bearer(request))
    if reg is None:
        raise CentralError("unknown or revoked station token", http_status=401)
    return await run_in_threadpool(store.station_events, reg, max(0, after))


def _ingest(store: CentralStore, reg, body: bytes, settings: CentralSettings) -> dict:
    doc = _json(body)
    if not isinstance(doc, dict):
        raise CentralError("the body must be a JSON object {\"station_id\", \"events\": [...]}", http_status=422)
    unknown = set(doc) - {"station_id", "events", "acked_commands", "command_outcomes", "health", "pending"}
    if unknown:
        raise CentralError(f"unknown key(s) {', '.join(sorted(unknown))}", http_status=422)
    events = doc.get("events", [])
    if isinstance(events, list) and len(events) > settings.max_batch_events:
        raise CentralError(f"{len(events)} events in one batch; at most {settings.max_batch_events}",
                           http_status=413)
    pending = doc.get("pending")
    if pending is not None and (not isinstance(pending, int) or isinstance(pending, bool)):
        raise CentralError("pending must be an integer (the station's outbox size)", http_status=422)
    return store.ingest(reg, doc.get("station_id"), events, health=doc.get("health"), pending=pending,
                        acked_commands=doc.get("acked_commands"), command_outcomes=doc.get("command_outcomes"))


@router.get("/api/v1/counts")
def get_counts(store: CentralStore = Depends(get_store)) -> dict:
    return {"classes": store.counts()}


@router.get("/api/v1/rooms")
def get_rooms(store: CentralStore = Depends(get_store), settings: CentralSettings = Depends(get_settings)) -> dict:
    return {"rooms": store.rooms(stale_s=settings.station_stale_s)}


@router.get("/api/v1/timetable")
def get_timetable(room: str | None = None, date: str | None = None,
                  store: CentralStore = Depends(get_store)) -> dict:
    if date is not None:
        _check_date(date)
    timetable = store.timetable(room, date)
    slots = timetable.to_dicts()
    if room and date:
        import datetime as dt

        slots = timetable.room_day(room, dt.date.fromisoformat(date)).classes
        slots = [s.to_dict() for s in slots]
    return {"room": room, "date": date, "slots": slots}


def _check_date(date: str) -> None:
    import datetime as dt

    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise CentralError(f"date {date!r} is not YYYY-MM-DD", http_status=422) from None


# --- staff ------------------------------------------------------------------------------------


@router.post("/api/v1/timetable")
async def post_timetable(request: Request, user: accounts.StaffUser = Depends(require_staff_json),
                         store: CentralStore = Depends(get_store),
                         settings: CentralSettings = Depends(get_settings)) -> dict:
    _not_cross_site(request)
    doc = _json(await _read_body(request, settings.max_body_bytes))
    try:
        timetable = Timetable.from_dicts(doc["slots"], source=f"POST by {user.name}")
    except (KeyError, TypeError, ValueError) as exc:
        raise CentralError(f"the body must be {{\"slots\": [{{date, room, class, headcount, start, end}}]}}: "
                           f"{type(exc).__name__}: {exc}", http_status=422) from None
    return {"classes": await run_in_threadpool(store.set_timetable, timetable)}


@router.post("/api/v1/commands")
async def post_command(request: Request, user: accounts.StaffUser = Depends(require_staff_json),
                       store: CentralStore = Depends(get_store),
                       settings: CentralSettings = Depends(get_settings)) -> dict:
    _not_cross_site(request)
    doc = _json(await _read_body(request, settings.max_body_bytes))
    if not isinstance(doc, dict) or not isinstance(doc.get("room"), str) or not isinstance(doc.get("kind"), str):
        raise CentralError("the body must be {\"room\", \"kind\", \"args\": {...}}", http_status=422)
    cid = await run_in_threadpool(store.add_command, doc["room"], doc["kind"], doc.get("args") or {}, by=user.name)
    return {"id": cid}


@router.post("/api/v1/commands/{cid}/cancel")
async def cancel_command(cid: int, request: Request, user: accounts.StaffUser = Depends(require_staff_json),
                         store: CentralStore = Depends(get_store)) -> dict:
    """Withdraw a command the station has not taken yet (已撤销)."""
    _not_cross_site(request)
    return await run_in_threadpool(store.cancel_command, cid, by=user.name)


@router.get("/api/v1/commands")
def get_commands(room: str | None = None, user: accounts.StaffUser = Depends(require_staff),
                 store: CentralStore = Depends(get_store)) -> dict:
    return {"commands": store.commands(room)}


@router.get("/api/v1/duplicates")
def get_duplicates(date: str | None = None, user: accounts.StaffUser = Depends(require_staff),
                   store: CentralStore = Depends(get_store)) -> dict:
    return {"duplicates": store.duplicates(date)}


@router.post("/api/v1/login")
async def login(request: Request, store: CentralStore = Depends(get_store),
                settings: CentralSettings = Depends(get_settings)):
    """JSON {"name", "password"} answers JSON; an HTML form (urlencoded, optional ``next``) is redirected."""
    wait = request.app.state.login_limiter.allow(request.client.host if request.client else "")
    if wait:
        raise CentralError(f"too many login attempts; retry in {wait:.0f} s", http_status=429,
                           extra={"retry_after_s": wait})
    body = await _read_body(request, 10_000)
    is_form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    if is_form:
        fields = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
    else:
        fields = _json(body)
        if not isinstance(fields, dict):
            raise CentralError("the body must be {\"name\", \"password\"}", http_status=422)
    name, password = fields.get("name"), fields.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise CentralError("name and password are required", http_status=422)
    user = await run_in_threadpool(accounts.verify_user, store.db, name, password)
    if user is None:
        raise CentralError("wrong name or password", http_status=401)
    cookie = accounts.sign_session(request.app.state.session_secret, user, settings.session_max_age_s, time.time())
    target = fields.get("next") or "/"
    response = (RedirectResponse(target if target.startswith("/") else "/", status_code=303) if is_form
                else JSONResponse({"name": user.name}))
    response.set_cookie(SESSION_COOKIE, cookie, max_age=settings.session_max_age_s, httponly=True,
                        samesite="lax", secure=settings.cookie_secure)
    return response


@router.post("/api/v1/logout")
def logout() -> JSONResponse:
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/api/v1/me")
def me(user: accounts.StaffUser = Depends(require_staff)) -> dict:
    return {"name": user.name, "id": user.id}
