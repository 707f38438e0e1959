"""Run the service with uvicorn (one process; the store serialises what must be serial)."""

from __future__ import annotations

import logging

from photoqueue.central.settings import CentralSettings

log = logging.getLogger(__name__)


def raise_open_files_limit() -> tuple[int, int]:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit (each /status stream is an open socket; the
    usual soft limit of 1024 runs out near a thousand phones). Returns (soft, hard) as they now are."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, want, exc)
    return soft, hard


def stream_cap(settings: CentralSettings, open_files: int) -> int:
    """The most /status streams this process should admit: the setting, but never past the open-files limit
    (less a reserve for the database, stations and staff), so a crowd gets 503s, not accept() errors."""
    return max(1, min(settings.status_max_streams, open_files - 256))


# Open files kept back from connections: the database pool, the LISTEN connection, logs, the store's files.
FILES_RESERVE = 128


def connection_bounds(settings: CentralSettings, open_files: int):
    """The limits every connection is held to (:mod:`.connections`): the settings, and a total of the
    open-files limit less ``FILES_RESERVE``. The /status stream cap is 256 below the limit, so 128
    connections stay free for stations and staff however many phones hold streams."""
    from photoqueue.central import guard
    from photoqueue.central.connections import ConnectionBounds

    return ConnectionBounds(header_timeout_s=settings.header_timeout_s, idle_timeout_s=settings.idle_timeout_s,
                            per_client=max(settings.connections_per_client, settings.status_streams_per_client + 16), max_waiting=settings.max_waiting_headers,
                            max_total=max(16, open_files - FILES_RESERVE),
                            proxies=guard.parse_proxies(settings.trusted_proxies))


def http_protocol(bounds):
    """uvicorn's own HTTP protocol (httptools when installed, else h11) with ``bounds`` applied."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    from photoqueue.central.connections import bounded_protocol

    return bounded_protocol(AutoHTTPProtocol, bounds)


def serve(settings: CentralSettings) -> None:
    import dataclasses

    import uvicorn

    from photoqueue.central.app import create_app
    from photoqueue.central.store import CentralStore

    # Open (and migrate) the store before uvicorn starts: a bad URL or an unreachable PostgreSQL is then
    # one clear line from the command, not a traceback from the server's startup.
    soft, _ = raise_open_files_limit()
    cap = stream_cap(settings, soft)
    if cap < settings.status_max_streams:
        log.warning("open-files limit %d: holding at most %d /status streams (raise LimitNOFILE)", soft, cap)
        settings = dataclasses.replace(settings, status_max_streams=cap)
    store = CentralStore(settings.db, pool_size=settings.pool_size, command_expiry_s=settings.command_expiry_s).open()
    try:
        app = create_app(settings, store=store)
        log.warning("photoqueue central on http://%s:%d (store %s)", settings.host, settings.port,
                    store.db.describe())
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                    access_log=settings.log_level in ("info", "debug"), timeout_graceful_shutdown=5,
                    # the app reads X-Forwarded-For itself, only from trusted_proxies (guard.client_address)
                    proxy_headers=False, backlog=4096, http=http_protocol(connection_bounds(settings, soft)))
    finally:
        store.close()
