"""A real central server in a background thread, for the dashboard's browser tests, its screenshot script
and local trials: uvicorn on 127.0.0.1 with a free port, the same app ``photoqueue central serve`` runs.

    with running_server(CentralSettings(db="sqlite:///tmp/c.db")) as base_url:
        ...  # http://127.0.0.1:PORT
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.errors import CentralError
from photoqueue.central.settings import CentralSettings
from photoqueue.settings import problems as settings_problems


@contextlib.contextmanager
def running_server(settings: CentralSettings, *, dashboard: DashboardSettings | None = None,
                   start_timeout_s: float = 30.0) -> Iterator[str]:
    """Serve the app; ``dashboard``: the dashboard's settings (else the defaults and the service's own)."""
    import uvicorn

    from photoqueue.central.app import create_app

    app = create_app(settings)
    if dashboard is not None:
        problems = settings_problems(dashboard)
        if problems:
            raise CentralError("dashboard settings: " + "; ".join(problems), exit_status=2)
        app.state.dashboard_settings = dashboard
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=1, proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="central-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise CentralError("the central server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
