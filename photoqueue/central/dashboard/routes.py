"""The dashboard's web routes: staff pages and their live stream, staff actions, exports, and the public
/status page for phones.

Staff routes need a login (``require_staff``: 401 for data, a redirect to /login for the page). Staff
actions are POSTs that also pass the one CSRF check (``guard.require_csrf``: the token the page carries,
and no cross-site ``Origin``). The live streams are the hub's broadcast (:mod:`photoqueue.central.broadcast`).
Each action
becomes a command in the centre's queue for the room's station, which applies it as its own event on
its next sync, however long it was offline.
"""

from __future__ import annotations

import html
import time
import urllib.parse
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from photoqueue.central import accounts, guard, schemas
from photoqueue.central.dashboard import exports
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.dashboard.snapshot import SnapshotCache, staff_snapshot
from photoqueue.central.deps import get_store
from photoqueue.central.errors import CentralError
from photoqueue.central.guard import CSRF_COOKIE, current_staff, require_csrf, require_staff
from photoqueue.central.streams import REFUSALS, StreamResponse
from photoqueue.core.wire import StaffCommand

router = APIRouter()

STATIC = {"app.css": "text/css", "dashboard.js": "text/javascript", "status.js": "text/javascript",
          "login.js": "text/javascript", "live.js": "text/javascript"}
NO_STORE = {"Cache-Control": "no-store"}
STAFF_POLL_S = 3  # a dashboard whose stream is refused reloads its snapshot this often


def _asset(name: str) -> str:
    return resources.files("photoqueue.central.dashboard").joinpath("assets", name).read_text(encoding="utf-8")


def _settings(request: Request) -> DashboardSettings:
    settings = getattr(request.app.state, "dashboard_settings_resolved", None)
    if settings is None:
        settings = request.app.state.dashboard_settings_resolved = DashboardSettings.from_app(request.app)
    return settings


def _cache(request: Request) -> SnapshotCache:
    cache = getattr(request.app.state, "dashboard_cache", None)
    if cache is None:
        cache = request.app.state.dashboard_cache = SnapshotCache(_settings(request).push_interval_s * 0.8)
    return cache


def _stale_s(request: Request) -> float:
    return float(getattr(request.app.state.settings, "station_stale_s", 60.0))


def _page(name: str, **values: str) -> HTMLResponse:
    text = _asset(name)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value))
    return HTMLResponse(text, headers={**NO_STORE, "X-Frame-Options": "DENY",
                                       "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'"})


# --- pages --------------------------------------------------------------------------------------


@router.get("/", include_in_schema=False)
def dashboard_page(request: Request):
    user = current_staff(request)
    if user is None:
        return RedirectResponse("/login?next=/", status_code=303)
    return _page("dashboard.html", csrf=guard.csrf_token(request), user=user.name)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/"):
    target = guard.safe_next(next)
    if current_staff(request) is not None:
        return RedirectResponse(target, status_code=303)
    # the form's CSRF token is bound to a random cookie of this browser (there is no login yet to bind it to)
    pre = request.cookies.get(CSRF_COOKIE) or guard.new_csrf_cookie()
    page = _page("login.html", next=target, csrf=guard.csrf_token(request, session=pre))
    page.set_cookie(CSRF_COOKIE, pre, httponly=True, samesite="strict", secure=request.app.state.settings.cookie_secure)
    return page


@router.get("/status", include_in_schema=False)
def status_page() -> HTMLResponse:
    return _page("status.html")


@router.get("/dashboard/static/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    kind = STATIC.get(name)
    if kind is None:
        raise CentralError(f"no such file {name!r}", http_status=404)
    return Response(_asset(name), media_type=f"{kind}; charset=utf-8", headers={"Cache-Control": "no-cache"})


# --- live data ----------------------------------------------------------------------------------


def _staff_json(request: Request) -> str:
    store, settings = get_store(request), _settings(request)
    return _cache(request).get("staff", lambda: staff_snapshot(store, settings, _stale_s(request)))


@router.get("/dashboard/api/snapshot", dependencies=[Depends(require_staff)])
async def staff_data(request: Request) -> Response:
    # X-Poll-Seconds: how often the dashboard reloads this when its stream is refused (live.js)
    return Response(await run_in_threadpool(_staff_json, request), media_type="application/json",
                    headers={**NO_STORE, "X-Poll-Seconds": str(STAFF_POLL_S)})


@router.get("/status.json")
async def public_data(request: Request) -> Response:
    """The public snapshot, from the hub's bytes (no computation per request): the page's plan (fetched once,
    and again when the stream says it changed) and its polling fallback. Gzip when the phone takes it (made
    once per snapshot, not per request); its version as the ETag, so an unchanged poll is a 304."""
    hub = request.app.state.hub
    text = await hub.current("public")
    live = hub.channels["public"].live
    headers = {"Cache-Control": "no-cache", "X-Poll-Seconds": str(request.app.state.settings.status_poll_s),
               "ETag": f'"{live.version}"', "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match", "").strip() in (f'"{live.version}"', f'W/"{live.version}"'):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(live.gzipped, media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(text, media_type="application/json", headers=headers)


def _refused(request: Request, why: str, *, poll: str = "/status.json", poll_s: int | None = None) -> JSONResponse:
    poll_s = poll_s or request.app.state.settings.status_poll_s
    status, message = REFUSALS[why]
    return JSONResponse({"error": message, "poll": poll, "retry_after_s": poll_s}, status_code=status,
                        headers={"Retry-After": str(poll_s), **NO_STORE})


@router.get("/dashboard/api/stream", dependencies=[Depends(require_staff)])
async def staff_stream(request: Request):
    hub, address = request.app.state.hub, guard.client_address(request)
    why = hub.admit(address, staff=True)  # apart from the public streams: phones never blind staff
    if why:
        return _refused(request, why, poll="/dashboard/api/snapshot", poll_s=STAFF_POLL_S)
    try:
        first = await run_in_threadpool(_staff_json, request)
    except BaseException:
        hub.release(address, staff=True)
        raise
    checked = [time.monotonic()]

    async def still_logged_in() -> bool:  # a logout or a revoked login ends the stream within 5 s
        if time.monotonic() - checked[0] < 5:
            return True
        checked[0] = time.monotonic()
        return await run_in_threadpool(current_staff, request) is not None

    hub.mark_dirty()  # the staff channel is kept only while someone watches it
    return StreamResponse(hub, hub.channels["staff"], address=address, staff=True,
                          first=f"event: snapshot\ndata: {first}\n\n".encode(), still_allowed=still_logged_in)


# GET /status/stream, the public page's live stream, is answered by photoqueue.central.broadcast.LiveTraffic in
# front of the app: under a crowd of phones it must cost no routing and no dependency solving.


# --- staff actions ------------------------------------------------------------------------------


def command_for(action: str, doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A dashboard action as a station command (kind, args); bad input raises a 422."""
    def number() -> int:
        n = doc.get("number")
        if isinstance(n, str) and n.strip().isdigit():
            n = int(n)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise CentralError("需要有效的拍摄号 / a ticket number is required", http_status=422)
        return n

    def text(key: str, zh: str) -> str:
        value = doc.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise CentralError(f"需要填写{zh} / {key} is required", http_status=422)
        return value.strip()

    if action == "next_class":
        name = doc.get("class_name")
        return StaffCommand.SWITCH_CLASS.value, {"class_name": name.strip() if isinstance(name, str) and name.strip() else None}
    if action == StaffCommand.VOID:
        return StaffCommand.VOID.value, {"number": number(), "reason": text("reason", "作废原因")}
    if action == StaffCommand.CORRECT_CLASS:
        return StaffCommand.CORRECT_CLASS.value, {"number": number(), "class_name": text("class_name", "班级")}
    raise CentralError(f"unknown action {action!r} (next_class, void, correct_class)", http_status=422)


def _enqueue(store: Any, room: str, kind: str, args: dict[str, Any], by: str) -> int:
    known = {r["room"] for r in store.rooms()}
    if room not in known:
        raise CentralError(f"没有拍摄组 {room} / no room {room!r}", http_status=422)
    try:
        return store.add_command(room, kind, args, by=by)
    except CentralError as exc:
        exc.http_status = 422
        raise


@router.post("/dashboard/api/command", dependencies=[Depends(require_staff), Depends(require_csrf)],
             openapi_extra=schemas.body_doc(schemas.DashboardCommandBody))
async def staff_command(request: Request, user: accounts.StaffUser = Depends(require_staff)) -> JSONResponse:
    doc = await guard.read_json(request, 100_000)
    schemas.validate(schemas.DashboardCommandBody, doc)
    kind, args = command_for(doc["action"], doc)
    cid = await run_in_threadpool(_enqueue, get_store(request), doc["room"], kind, args, user.name)
    return JSONResponse({"id": cid, "room": doc["room"], "kind": kind, "args": args})


# --- exports ------------------------------------------------------------------------------------


@router.get("/dashboard/export/{name}", dependencies=[Depends(require_staff)])
async def export(name: str, request: Request, room: str | None = None) -> Response:
    maker = exports.EXPORTS.get(name)
    if maker is None:
        raise CentralError(f"no export {name!r} (known: {', '.join(exports.EXPORTS)})", http_status=404)
    extra = {"class_name": request.query_params["class"]} if name == "slip.html" and request.query_params.get(
        "class") else {}  # one class's slip, from its row on the dashboard
    body, media_type, filename = await run_in_threadpool(maker, get_store(request), _settings(request), room, **extra)
    quoted = urllib.parse.quote(filename)
    how = "inline" if media_type.startswith("text/html") else "attachment"  # the slip opens to be printed
    return Response(body, media_type=media_type, headers={
        **NO_STORE, "Content-Disposition": f"{how}; filename=\"{name}\"; filename*=UTF-8''{quoted}"})
