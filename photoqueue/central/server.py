"""Run the service with uvicorn (one process; the store serialises what must be serial)."""

from __future__ import annotations

import logging

from photoqueue.central.settings import CentralSettings

log = logging.getLogger(__name__)


def serve(settings: CentralSettings) -> None:
    import uvicorn

    from photoqueue.central.app import create_app

    app = create_app(settings)
    log.warning("photoqueue central on http://%s:%d (store %s)", settings.host, settings.port, settings.db)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                access_log=settings.log_level in ("info", "debug"), timeout_graceful_shutdown=5)
