"""Run the service with uvicorn (one process; the store serialises what must be serial)."""

from __future__ import annotations

import logging

from photoqueue.central.settings import CentralSettings

log = logging.getLogger(__name__)


def serve(settings: CentralSettings) -> None:
    import uvicorn

    from photoqueue.central.app import create_app
    from photoqueue.central.store import CentralStore

    # Open (and migrate) the store before uvicorn starts: a bad URL or an unreachable PostgreSQL is then
    # one clear line from the command, not a traceback from the server's startup.
    store = CentralStore(settings.db, pool_size=settings.pool_size, command_expiry_s=settings.command_expiry_s).open()
    try:
        app = create_app(settings, store=store)
        log.warning("photoqueue central on http://%s:%d (store %s)", settings.host, settings.port,
                    store.db.describe())
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                    access_log=settings.log_level in ("info", "debug"), timeout_graceful_shutdown=5)
    finally:
        store.close()
