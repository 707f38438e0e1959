"""The web application: ``create_app(settings)`` builds it; uvicorn serves it.

Other parts of the service (the dashboard, reports and status pages of issue 8) add their pages
as FastAPI routers: a module listed in ``ROUTER_MODULES`` that offers ``router`` is mounted when
it exists, and ``create_app(settings, routers=[...])`` mounts more. Their handlers reach the
data layer with ``Depends(get_store)`` and guard staff pages with ``Depends(require_staff)``.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from starlette.requests import Request

from photoqueue.central import accounts
from photoqueue.central.errors import CentralError
from photoqueue.central.settings import CentralSettings
from photoqueue.settings import problems as settings_problems

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from photoqueue.central.store import CentralStore

log = logging.getLogger(__name__)

ROUTER_MODULES = ("photoqueue.central.dashboard",)
SESSION_COOKIE = "photoqueue_session"


def get_store(request: Request) -> CentralStore:
    """FastAPI dependency: the service's :class:`CentralStore`."""
    return request.app.state.store


def get_settings(request: Request) -> CentralSettings:
    return request.app.state.settings


def current_staff(request: Request) -> accounts.StaffUser | None:
    """The staff user logged in on this request (signed session cookie), or None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    user = accounts.read_session(request.app.state.session_secret, cookie, time.time())
    if user is None:
        return None
    return accounts.get_user(request.app.state.store.db, user.id)  # a disabled account stops at once


def require_staff(request: Request) -> accounts.StaffUser:
    """FastAPI dependency for staff-only pages and API: 401 without a valid login."""
    user = current_staff(request)
    if user is None:
        raise CentralError("staff login required (POST /api/v1/login)", http_status=401)
    return user


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site (``Origin`` names another host)."""
    origin = request.headers.get("origin")
    if not origin:
        return True  # not a browser's cross-site request (or a same-origin GET)
    import urllib.parse

    return urllib.parse.urlsplit(origin).netloc == request.headers.get("host", "")


def require_staff_json(request: Request) -> accounts.StaffUser:
    """FastAPI dependency for staff API that changes things: a login, from this site, sent as JSON.
    A JSON content type cannot be sent cross-site without a CORS preflight (which this service never
    grants), so together with the Origin check a page elsewhere cannot ride on a staff login."""
    user = require_staff(request)
    if not same_origin(request):
        raise CentralError("cross-site request refused", http_status=403)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise CentralError("send this as application/json", http_status=415)
    return user


def _extra_routers() -> list[APIRouter]:
    found = []
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not (exc.name and name.startswith(exc.name)):
                raise
            continue  # that part is not built yet
        router = getattr(module, "router", None)
        if router is not None:
            found.append(router)
    return found


def create_app(settings: CentralSettings | None = None, *, routers: Iterable[APIRouter] = (),
               store: CentralStore | None = None) -> FastAPI:
    """The service. ``store``: an open store to use (else one is opened on ``settings.db`` at startup)."""
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    from photoqueue.central.api import router as api_router
    from photoqueue.central.ratelimit import RateLimiter
    from photoqueue.central.store import CentralStore

    settings = settings or CentralSettings()
    problems = settings_problems(settings)
    if problems:
        raise CentralError("; ".join(problems), exit_status=2)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        own = store is None
        app.state.store = CentralStore(settings.db, pool_size=settings.pool_size, command_expiry_s=settings.command_expiry_s).open() if own else store
        app.state.session_secret = accounts.session_secret(app.state.store.db)
        log.info("central store %s open", app.state.store.db.describe())
        try:
            yield
        finally:
            if own:
                app.state.store.close()

    app = FastAPI(title="photoqueue central", lifespan=lifespan, docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_burst)
    app.state.login_limiter = RateLimiter(settings.login_attempts_per_min / 60, settings.login_attempts_per_min)

    @app.exception_handler(CentralError)
    async def central_error(request, exc: CentralError):
        headers = {}
        if exc.http_status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if exc.http_status == 429 and "retry_after_s" in exc.extra:
            headers["Retry-After"] = str(max(1, round(exc.extra["retry_after_s"])))
        return JSONResponse({"error": str(exc), **exc.extra}, status_code=exc.http_status, headers=headers)

    async def store_error(request, exc: Exception):
        # the store is down or busy (PostgreSQL restarting, a disk full): a station retries later
        log.error("%s %s: store error: %s", request.method, request.url.path, exc)
        return JSONResponse({"error": f"the central store is unavailable: {type(exc).__name__}"}, status_code=503,
                            headers={"Retry-After": "5"})

    import sqlite3

    app.add_exception_handler(sqlite3.Error, store_error)
    if settings.db.startswith(("postgresql://", "postgres://")):
        import psycopg

        app.add_exception_handler(psycopg.Error, store_error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc: RequestValidationError):
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)

    app.include_router(api_router)
    for router in [*_extra_routers(), *routers]:
        app.include_router(router)
    return app
