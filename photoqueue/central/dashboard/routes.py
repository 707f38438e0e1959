"""The dashboard's web routes: staff pages and their live stream, staff actions, exports, and the public
/status page for phones.

Staff routes need a login (``require_staff``: 401 for data, a redirect to /login for the page). Staff
actions are POSTs that also need the CSRF token the page carries (an HMAC of the session cookie, so it
needs no server state) and, when the browser sends one, a same-origin ``Origin`` header. Each action
becomes a command in the centre's queue for the room's station, which applies it as its own event on
its next sync, however long it was offline.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import time
import urllib.parse
from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse

from photoqueue.central import accounts
from photoqueue.central.app import SESSION_COOKIE, current_staff, get_store, require_staff
from photoqueue.central.dashboard import exports
from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.dashboard.snapshot import SnapshotCache, public_snapshot, staff_snapshot
from photoqueue.central.errors import CentralError

router = APIRouter()

STATIC = {"app.css": "text/css", "dashboard.js": "text/javascript", "status.js": "text/javascript",
          "login.js": "text/javascript", "live.js": "text/javascript"}
NO_STORE = {"Cache-Control": "no-store"}


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


def csrf_token(request: Request) -> str:
    """The CSRF token of this login: an HMAC of its session cookie under the service's secret."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(request.app.state.session_secret, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()[:40]


def require_csrf(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and urllib.parse.urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CentralError("cross-site request refused / 拒绝跨站请求", http_status=403)
    sent = request.headers.get("x-csrf-token", "")
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise CentralError("missing or wrong CSRF token; reload the page / 页面已过期，请刷新", http_status=403)


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
    return _page("dashboard.html", csrf=csrf_token(request), user=user.name)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/"):
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    if current_staff(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _page("login.html", next=target)


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


def _public_json(request: Request) -> str:
    store, settings = get_store(request), _settings(request)
    return _cache(request).get("public", lambda: public_snapshot(store, settings, _stale_s(request)))


@router.get("/dashboard/api/snapshot")
async def staff_data(request: Request, user: accounts.StaffUser = Depends(require_staff)) -> Response:
    return Response(await run_in_threadpool(_staff_json, request), media_type="application/json",
                    headers=NO_STORE)


@router.get("/status.json")
async def public_data(request: Request) -> Response:
    return Response(await run_in_threadpool(_public_json, request), media_type="application/json",
                    headers=NO_STORE)


async def _events(request: Request, produce: Callable[[Request], str]):
    """Server-sent events: the snapshot whenever it changes, a comment now and then to keep proxies open."""
    settings = _settings(request)
    last, last_sent = None, time.monotonic()
    yield "retry: 2000\n\n"
    while not await request.is_disconnected():
        text = await run_in_threadpool(produce, request)
        if text != last:
            last, last_sent = text, time.monotonic()
            yield f"event: snapshot\ndata: {text}\n\n"
        elif time.monotonic() - last_sent >= settings.keepalive_s:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(settings.push_interval_s)


def _stream(request: Request, produce: Callable[[Request], str]) -> StreamingResponse:
    return StreamingResponse(_events(request, produce), media_type="text/event-stream",
                             headers={**NO_STORE, "X-Accel-Buffering": "no"})


@router.get("/dashboard/api/stream")
def staff_stream(request: Request, user: accounts.StaffUser = Depends(require_staff)) -> StreamingResponse:
    return _stream(request, _staff_json)


@router.get("/status/stream")
def public_stream(request: Request) -> StreamingResponse:
    return _stream(request, _public_json)


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
        return "switch_class", {"class_name": name.strip() if isinstance(name, str) and name.strip() else None}
    if action == "void":
        return "void", {"number": number(), "reason": text("reason", "作废原因")}
    if action == "correct_class":
        return "correct_class", {"number": number(), "class_name": text("class_name", "班级")}
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


@router.post("/dashboard/api/command")
async def staff_command(request: Request, user: accounts.StaffUser = Depends(require_staff)) -> JSONResponse:
    require_csrf(request)
    try:
        doc = await request.json()
    except ValueError:
        raise CentralError("the body must be JSON {room, action, ...}", http_status=400) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("room"), str) or not isinstance(doc.get("action"), str):
        raise CentralError("the body must be {\"room\", \"action\", ...}", http_status=422)
    kind, args = command_for(doc["action"], doc)
    cid = await run_in_threadpool(_enqueue, get_store(request), doc["room"], kind, args, user.name)
    return JSONResponse({"id": cid, "room": doc["room"], "kind": kind, "args": args})


# --- exports ------------------------------------------------------------------------------------


@router.get("/dashboard/export/{name}")
async def export(name: str, request: Request, room: str | None = None,
                 user: accounts.StaffUser = Depends(require_staff)) -> Response:
    maker = exports.EXPORTS.get(name)
    if maker is None:
        raise CentralError(f"no export {name!r} (known: {', '.join(exports.EXPORTS)})", http_status=404)
    body, media_type, filename = await run_in_threadpool(maker, get_store(request), _settings(request).fee_yuan,
                                                         room)
    quoted = urllib.parse.quote(filename)
    return Response(body, media_type=media_type, headers={
        **NO_STORE, "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quoted}"})
