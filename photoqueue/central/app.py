"""The web application: ``create_app(settings)`` builds it; uvicorn serves it.

The API (:mod:`.api`) and the dashboard's pages (:mod:`.dashboard`) are FastAPI routers mounted here;
``create_app(settings, routers=[...])`` mounts more (tests). Their handlers reach the data layer with
``Depends(get_store)`` (:mod:`.deps`) and guard staff pages with ``Depends(require_staff)`` (:mod:`.guard`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from photoqueue.central import accounts, guard
from photoqueue.central.errors import CentralError
from photoqueue.central.settings import CentralSettings
from photoqueue.settings import problems as settings_problems

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from photoqueue.central.store import CentralStore

log = logging.getLogger(__name__)

def _live_hub(app: FastAPI, settings: CentralSettings):
    """The live pages' hub (see :mod:`.broadcast`) and, over PostgreSQL, the listener for other workers."""
    from photoqueue.central.broadcast import Hub, Listener, pg_notify
    from photoqueue.central.dashboard import snapshot
    from photoqueue.central.dashboard.settings import DashboardSettings

    store = app.state.store

    def compute(kind: str):
        make = snapshot.public_snapshot if kind == "public" else snapshot.staff_snapshot

        def run() -> str:
            return snapshot.as_json(make(store, DashboardSettings.from_app(app), settings.station_stale_s))
        return run

    postgres = store.db.dialect == "postgresql"
    hub = Hub({"public": compute("public"), "staff": compute("staff")},
              min_interval_s=settings.status_min_interval_s, refresh_s=settings.status_refresh_s,
              max_streams=settings.status_max_streams, per_client=settings.status_streams_per_client,
              notify=(lambda: pg_notify(store.db)) if postgres else None,
              keepalive_s=DashboardSettings.from_app(app).keepalive_s, max_staff_streams=settings.staff_max_streams,
              store_errors=store.db.error_types())
    listener = Listener(store.db.url, hub.mark_dirty).start() if postgres else None
    if listener is not None and not listener.ready.wait(10):
        log.warning("not yet listening for other workers' changes (LISTEN %s); retrying in the background",
                    "photoqueue_changes")
    return hub, listener


def create_app(settings: CentralSettings | None = None, *, routers: Iterable[APIRouter] = (),
               store: CentralStore | None = None) -> FastAPI:
    """The service. ``store``: an open store to use (else one is opened on ``settings.db`` at startup)."""
    from fastapi import FastAPI

    from photoqueue.central.api import router as api_router
    from photoqueue.central.dashboard import router as dashboard_router
    from photoqueue.central.ratelimit import RateLimiter

    settings = settings or CentralSettings()
    problems = settings_problems(settings)
    if problems:
        raise CentralError("; ".join(problems), exit_status=2)

    app = FastAPI(title="photoqueue central", lifespan=_lifespan(settings, store), docs_url="/api/docs",
                  redoc_url=None, openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.trusted_proxies = guard.parse_proxies(settings.trusted_proxies)
    app.state.limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_burst)
    app.state.login_limiter = RateLimiter(settings.login_attempts_per_min / 60, settings.login_attempts_per_min)
    _add_error_handlers(app, settings)

    from photoqueue.central.streams import LiveTraffic

    app.add_middleware(LiveTraffic, get_app=lambda: app)  # serves /status/stream; notices writes
    from starlette.middleware.gzip import GZipMiddleware

    # pages, scripts and JSON compressed for whoever takes gzip (streams are left alone: text/event-stream,
    # and /status.json comes already compressed, made once per snapshot)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.include_router(api_router)
    for router in [dashboard_router, *routers]:
        app.include_router(router)
    return app


def _lifespan(settings: CentralSettings, store: CentralStore | None):
    """The app's lifespan: the store (``store``, or one opened on ``settings.db``), the session secret and
    the live hub, opened at startup and closed at shutdown."""
    from photoqueue.central.store import CentralStore

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        own = store is None
        app.state.store = CentralStore(settings.db, pool_size=settings.pool_size, command_expiry_s=settings.command_expiry_s).open() if own else store
        app.state.session_secret = accounts.session_secret(app.state.store.db)
        log.info("central store %s open", app.state.store.db.describe())
        hub, listener = _live_hub(app, settings)
        app.state.hub = hub
        await hub.start()
        try:
            yield
        finally:
            if listener is not None:
                listener.stop()
            await hub.stop()
            if own:
                app.state.store.close()

    return lifespan


def _add_error_handlers(app: FastAPI, settings: CentralSettings) -> None:
    """Errors as JSON: the service's own, the store's (503, retry later) and invalid requests (422)."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    @app.exception_handler(CentralError)
    async def central_error(_request, exc: CentralError):
        headers = {}
        if exc.http_status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if exc.http_status in (429, 503) and "retry_after_s" in exc.extra:
            headers["Retry-After"] = str(max(1, round(exc.extra["retry_after_s"])))
        return JSONResponse({"error": str(exc), **exc.extra}, status_code=exc.http_status, headers=headers)

    async def store_error(request, exc: Exception):
        # the store is down or busy (PostgreSQL restarting, a disk full): a station retries later. One line,
        # no traceback: an outage is an answer, not a bug
        log.error("%s %s: store error: %s", request.method, request.url.path, (str(exc).strip().splitlines() or [""])[0])
        return JSONResponse({"error": f"the central store is unavailable: {type(exc).__name__}"}, status_code=503,
                            headers={"Retry-After": "5"})

    import sqlite3

    app.add_exception_handler(sqlite3.Error, store_error)
    if settings.db.startswith(("postgresql://", "postgres://")):
        import psycopg

        app.add_exception_handler(psycopg.Error, store_error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request, exc: RequestValidationError):
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)
