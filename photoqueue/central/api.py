"""The JSON API: stations post their events, anyone reads counts and rooms, staff log in.

Public endpoints are read-only and carry no personal data (no code digests); the staff
endpoints (commands, duplicates, timetable upload) need a login.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse

from photoqueue.central import accounts, guard, schemas
from photoqueue.central import commands as staff_commands
from photoqueue.central.deps import get_settings, get_store
from photoqueue.central.errors import CentralError
from photoqueue.central.guard import SESSION_COOKIE, require_csrf, require_staff
from photoqueue.central.migrations import current_version
from photoqueue.central.settings import CentralSettings
from photoqueue.central.store import CentralStore
from photoqueue.timetable import Timetable

router = APIRouter()


async def _read_body(request: Request, cap: int) -> bytes:
    return await guard.read_body(request, cap)


def _json(body: bytes) -> Any:
    return guard.parse_json(body)  # 400 for bad JSON; 422 past the depth cap or for an out-of-range integer


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CentralError("missing station token (Authorization: Bearer TOKEN)", http_status=401)
    return token.strip()


@router.get("/healthz")
def healthz(store: CentralStore = Depends(get_store), settings: CentralSettings = Depends(get_settings)) -> dict:
    return {"ok": True, "store": store.db.dialect, "schema_version": current_version(store.db),
            "time_zone": settings.time_zone}


@router.post("/api/v1/events", openapi_extra=schemas.body_doc(schemas.EventsBody))
async def post_events(request: Request, store: CentralStore = Depends(get_store),
                      settings: CentralSettings = Depends(get_settings)) -> JSONResponse:
    reg = await _station(request, store)
    body = await _read_body(request, settings.max_body_bytes)
    result = await run_in_threadpool(_ingest, store, reg, body, settings)  # parsing too: keep the loop free
    return JSONResponse(result)


@router.post("/api/v1/hello", response_model=schemas.HelloAnswer,
             openapi_extra=schemas.body_doc(schemas.HelloBody))
async def post_hello(request: Request, store: CentralStore = Depends(get_store),
                     settings: CentralSettings = Depends(get_settings)) -> dict:
    """A station before its first number after a start: the id to use, who holds its room's day, the
    centre's high-water and highest number, the deployment key (docs/central.md)."""
    reg = await _station(request, store)
    body = schemas.validate(schemas.HelloBody, _json(await _read_body(request, settings.max_body_bytes)))
    _check_date(body.date)
    return await run_in_threadpool(store.hello, reg, station_id=body.station_id, room=body.room, date=body.date,
                                   last_seq=body.last_seq, last_number=body.last_number,
                                   key_fingerprint_=body.key_fingerprint)


async def _station(request: Request, store: CentralStore):
    """The registration of the request's station token (401 when unknown or revoked; 429 past its rate)."""
    reg = await run_in_threadpool(store.authenticate, _bearer(request))
    if reg is None:
        raise CentralError("unknown or revoked station token", http_status=401)
    wait = request.app.state.limiter.allow(reg.id)
    if wait:
        raise CentralError(f"too many requests from this station; retry in {wait:.1f} s", http_status=429,
                           extra={"retry_after_s": wait})
    return reg


@router.get("/api/v1/events")
async def get_events(request: Request, after: int = 0, store: CentralStore = Depends(get_store)) -> dict:
    """A station reads back its own events (``photoqueue recover``): the token names the station."""
    reg = await run_in_threadpool(store.authenticate, _bearer(request))
    if reg is None:
        raise CentralError("unknown or revoked station token", http_status=401)
    return await run_in_threadpool(store.station_events, reg, min(max(0, after), guard.INT_MAX))  # a column's range


def _ingest(store: CentralStore, reg, body: bytes, settings: CentralSettings) -> dict:
    doc = _json(body)
    if not isinstance(doc, dict):
        raise CentralError("the body must be a JSON object {\"station_id\", \"events\": [...]}", http_status=422)
    unknown = set(doc) - {"station_id", "events", "acked_commands", "command_outcomes", "health", "pending",
                          "key_fingerprint"}
    if unknown:
        raise CentralError(f"unknown key(s) {', '.join(sorted(unknown))}", http_status=422)
    events = doc.get("events", [])
    if isinstance(events, list) and len(events) > settings.max_batch_events:
        raise CentralError(f"{len(events)} events in one batch; at most {settings.max_batch_events}",
                           http_status=413)
    pending = doc.get("pending")
    if pending is not None and (not isinstance(pending, int) or isinstance(pending, bool)
                                or not 0 <= pending <= schemas.INT32_MAX):
        raise CentralError("pending must be an integer (the station's outbox size)", http_status=422)
    fingerprint = doc.get("key_fingerprint")
    if fingerprint is not None and not isinstance(fingerprint, str):
        raise CentralError("key_fingerprint must be a string (the deployment key's fingerprint)", http_status=422)
    answer = store.ingest(reg, doc.get("station_id"), events, key_fingerprint=fingerprint,
                          health=doc.get("health"), pending=pending,
                          acked_commands=doc.get("acked_commands"), command_outcomes=doc.get("command_outcomes"))
    # the deployment's zone: a station whose own differs says so (device/sync/clock_check.py)
    return {**answer, "time_zone": settings.time_zone}


@router.get("/api/v1/counts")
def get_counts(request: Request, store: CentralStore = Depends(get_store)) -> dict:
    """Per class, split 未到 / 未开始 at the deployment's time by the rule the page and the downloads share."""
    from photoqueue.central.dashboard.settings import DashboardSettings
    from photoqueue.core.counts import split_rows

    return {"classes": split_rows(store.counts(), DashboardSettings.from_app(request.app).now())}


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


@router.post("/api/v1/timetable", dependencies=[Depends(require_staff), Depends(require_csrf)],
             openapi_extra=schemas.body_doc(schemas.TimetableBody))
async def post_timetable(request: Request, user: accounts.StaffUser = Depends(require_staff),
                         store: CentralStore = Depends(get_store),
                         settings: CentralSettings = Depends(get_settings)) -> dict:
    _require_json(request)
    doc = schemas.validate(schemas.TimetableBody, _json(await _read_body(request, settings.max_body_bytes)))
    try:
        timetable = Timetable.from_dicts(doc.slots, source=f"POST by {user.name}")
    except (KeyError, TypeError, ValueError) as exc:
        raise CentralError(f"the body must be {{\"slots\": [{{date, room, class, headcount, start, end}}]}}: "
                           f"{type(exc).__name__}: {exc}", http_status=422) from None
    return {"classes": await run_in_threadpool(store.set_timetable, timetable)}


@router.post("/api/v1/commands", dependencies=[Depends(require_staff), Depends(require_csrf)],
             response_model=schemas.CommandAnswer,
             openapi_extra=schemas.body_doc(schemas.CommandBody))
async def post_command(request: Request, user: accounts.StaffUser = Depends(require_staff),
                       store: CentralStore = Depends(get_store),
                       settings: CentralSettings = Depends(get_settings)) -> dict:
    _require_json(request)
    doc = schemas.validate(schemas.CommandBody, _json(await _read_body(request, settings.max_body_bytes)))
    await run_in_threadpool(staff_commands.require_known_room, store, doc.room)  # as the dashboard does
    cid = await run_in_threadpool(store.add_command, doc.room, doc.kind, doc.args or {}, by=user.name)
    return {"id": cid}


@router.post("/api/v1/commands/{cid}/cancel", dependencies=[Depends(require_staff), Depends(require_csrf)])
async def cancel_command(cid: int, user: accounts.StaffUser = Depends(require_staff),
                         store: CentralStore = Depends(get_store)) -> dict:
    """Withdraw a command the station has not taken yet (已撤销)."""
    return await run_in_threadpool(store.cancel_command, cid, by=user.name)


@router.get("/api/v1/commands", dependencies=[Depends(require_staff)])
def get_commands(room: str | None = None, store: CentralStore = Depends(get_store)) -> dict:
    return {"commands": store.commands(room)}


@router.get("/api/v1/duplicates", dependencies=[Depends(require_staff)])
def get_duplicates(date: str | None = None, store: CentralStore = Depends(get_store)) -> dict:
    return {"duplicates": store.duplicates(date)}


def _require_json(request: Request) -> None:
    if guard.content_type(request) != "application/json":
        raise CentralError("staff requests must be JSON (content-type: application/json)", http_status=415)


@router.post("/api/v1/login", dependencies=[Depends(require_csrf)], response_model=schemas.LoginAnswer,
             openapi_extra=schemas.body_doc(schemas.LoginBody, form=True))
async def login(request: Request, store: CentralStore = Depends(get_store),
                settings: CentralSettings = Depends(get_settings)):
    """JSON {"name", "password"} answers JSON with the login's CSRF token; the HTML form (urlencoded, with
    its ``csrf`` and an optional ``next`` path on this site) is redirected."""
    wait = request.app.state.login_limiter.allow(guard.client_address(request))
    if wait:
        raise CentralError(f"too many login attempts; retry in {wait:.0f} s", http_status=429,
                           extra={"retry_after_s": wait})
    is_form = guard.content_type(request) == "application/x-www-form-urlencoded"
    if is_form:
        fields = schemas.validate(schemas.LoginBody, await guard.form_fields(request))
    else:
        fields = schemas.validate(schemas.LoginBody, guard.parse_json(await guard.read_body(request, 10_000)))
    user = await accounts.verify_login(store.db, fields.name, fields.password)  # its own pool and queue (429)
    if user is None:
        raise CentralError("wrong name or password", http_status=401)
    sid = await run_in_threadpool(accounts.open_session, store.db, user, settings.session_max_age_s, time.time())
    response = (RedirectResponse(guard.safe_next(fields.next), status_code=303) if is_form
                else JSONResponse({"name": user.name, "csrf": guard.csrf_token(request, session=sid),
                                   "next": guard.safe_next(fields.next)}))  # the page goes only there
    response.set_cookie(SESSION_COOKIE, sid, max_age=settings.session_max_age_s, httponly=True,
                        samesite="lax", secure=settings.cookie_secure)
    return response


@router.post("/api/v1/logout", dependencies=[Depends(require_csrf)], response_model=schemas.OkAnswer)
async def logout(request: Request, store: CentralStore = Depends(get_store)) -> JSONResponse:
    """Ends this login on the server (the cookie is refused from now on, wherever it is kept)."""
    sid = guard.session_id(request)
    if sid:
        await run_in_threadpool(accounts.end_session, store.db, sid)
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/api/v1/me", response_model=schemas.MeAnswer)
def me(user: accounts.StaffUser = Depends(require_staff)) -> dict:
    return {"name": user.name, "id": user.id}
