"""Connections bounded for everyone, below the application (slowloris).

uvicorn holds a connection whose request headers never finish for as long as the client likes, so a
laptop that opens thousands of half-sent requests (``GET /status HTTP/1.1`` and a header never ended)
uses up the process's open files and every station's sync fails. :func:`bounded_protocol` wraps
uvicorn's HTTP protocol class (httptools or h11, whichever it would use) with four bounds, kept in one
:class:`ConnectionBounds` shared by every connection of the process (all on the event loop: no locks):

- **header timeout**: a request's headers must be complete ``header_timeout_s`` after the connection
  opened, or after the first byte of a later request on a kept-alive connection (uvicorn's keep-alive
  timeout closes one silent between requests); trickling bytes does not extend it.
- **idle timeout**: a request body that stops arriving for ``idle_timeout_s`` ends the connection.
- **per address**: at most ``per_client`` open connections from one client address (the peer); more
  are closed at once. A reverse proxy named in ``trusted_proxies`` is exempt: every client behind it has
  its address (bound those in the proxy, per client).
- **half-open and total**: at most ``max_waiting`` connections at once whose headers are not complete,
  and ``max_total`` in all (the open-files limit less a reserve). Past either, the oldest connection
  still waiting for its headers is closed to make room: a station's or a staff member's request
  completes its headers within milliseconds, so it is never the oldest waiting one, and a crowd of
  half-sent requests cannot keep the door shut. Only when no connection is waiting is a new one refused.

Each bound that closes connections says so in the log, at most once every ``LOG_EVERY_S`` per bound,
with how many it closed since.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

LOG_EVERY_S = 10.0


class ConnectionBounds:
    """The limits and the process-wide counts every connection reports to."""

    def __init__(self, *, header_timeout_s: float = 10.0, idle_timeout_s: float = 30.0, per_client: int = 256,
                 max_waiting: int = 1024, max_total: int = 60000, proxies: tuple = ()):
        self.header_timeout_s = header_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.per_client = per_client
        self.max_waiting = max_waiting
        self.max_total = max_total
        self.proxies = tuple(proxies)  # trusted_proxies: every client behind one is its address, so no share
        self._is_proxy: dict[str, bool] = {}
        self.total = 0
        self.per_address: dict[str, int] = {}
        self.waiting: dict[Any, None] = {}  # connections waiting for headers, oldest first (insertion order)
        self.closed: dict[str, int] = {}  # why -> connections closed for it, since the last log line
        self.closed_total: dict[str, int] = {}
        self._logged_at: dict[str, float] = {}

    # --- admission ------------------------------------------------------------------------------------------

    def admit(self, address: str) -> str | None:
        """Count a new connection in, making room by closing the oldest half-sent one when needed; or say
        why it is refused ("client", "total")."""
        if self.per_address.get(address, 0) >= self.per_client and not self._proxy(address):
            return "client"
        if len(self.waiting) >= self.max_waiting and not self._evict_oldest("waiting"):
            return "total"
        if self.total >= self.max_total and not self._evict_oldest("total"):
            return "total"
        self.total += 1
        self.per_address[address] = self.per_address.get(address, 0) + 1
        return None

    def _proxy(self, address: str) -> bool:
        known = self._is_proxy.get(address)
        if known is None:
            import ipaddress

            try:
                ip = ipaddress.ip_address(address)
                known = any(ip in net for net in self.proxies)
            except ValueError:
                known = False
            if len(self._is_proxy) > 10_000:
                self._is_proxy.clear()
            self._is_proxy[address] = known
        return known

    def _evict_oldest(self, why: str) -> bool:
        oldest = next(iter(self.waiting), None)
        if oldest is None:
            return False
        self.waiting.pop(oldest, None)
        self.note_closed(why)
        oldest.drop_connection()
        return True

    def release(self, address: str) -> None:
        self.total -= 1
        left = self.per_address.get(address, 1) - 1
        if left > 0:
            self.per_address[address] = left
        else:
            self.per_address.pop(address, None)

    # --- the log line ---------------------------------------------------------------------------------------

    MESSAGES = {
        "client": "more than %(per_client)d connections from one address",
        "total": "the connection limit (%(max_total)d) was reached",
        "waiting": "more than %(max_waiting)d connections were waiting for their request headers",
        "header_timeout": "request headers did not arrive within %(header_timeout_s)g s",
        "idle_timeout": "a request body stopped arriving for %(idle_timeout_s)g s",
    }

    def note_closed(self, why: str) -> None:
        """Count a connection closed by a bound; log (at most every LOG_EVERY_S per bound) how many."""
        self.closed[why] = self.closed.get(why, 0) + 1
        self.closed_total[why] = self.closed_total.get(why, 0) + 1
        now = time.monotonic()
        if now - self._logged_at.get(why, -LOG_EVERY_S) >= LOG_EVERY_S:
            self._logged_at[why] = now
            reason = self.MESSAGES[why] % vars(self)
            log.warning("closed %d connection(s): %s (%d open, %d waiting for headers)", self.closed.pop(why),
                        reason, self.total, len(self.waiting))


class BoundedConnection:
    """The bounds, mixed in before uvicorn's HTTP protocol class (see :func:`bounded_protocol`). Both of
    uvicorn's protocols set ``self.cycle`` to a new request-response cycle once a request's headers are
    complete, and call ``on_response_complete`` after each answer: that is all this relies on."""

    bounds: ConnectionBounds
    _address = ""
    _counted = False
    _timer: asyncio.TimerHandle | None = None
    _seen_cycle: Any = None
    _deadline_kind = ""
    _between = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._address = self.client[0] if self.client else ""
        why = self.bounds.admit(self._address)
        if why is not None:
            self.bounds.note_closed(why)
            transport.abort()
            return
        self._counted = True
        self._await_headers()

    def connection_lost(self, exc) -> None:
        self._stop_timer()
        self.bounds.waiting.pop(self, None)
        if self._counted:
            self._counted = False
            self.bounds.release(self._address)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._between:  # the first bytes of the next request on a kept-alive connection
            self._between = False
            self._await_headers()
        super().data_received(data)
        cycle = self.cycle
        if cycle is None or self.transport.is_closing():
            return
        if cycle is not self._seen_cycle:  # a new request's headers are complete
            self._seen_cycle = cycle
            self.bounds.waiting.pop(self, None)
            self._stop_timer()
        if getattr(cycle, "more_body", False) and not cycle.response_complete:
            self._start_timer(self.bounds.idle_timeout_s, "idle_timeout")  # each chunk restarts it
        elif self._deadline_kind == "idle_timeout":
            self._stop_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._seen_cycle = self.cycle  # a pipelined request, its headers already in, runs now
            return
        # between requests uvicorn's keep-alive timeout closes a silent connection; the next request's
        # headers get the same deadline as the first from their first byte
        self._between = True

    # --- timers -----------------------------------------------------------------------------------------

    def _await_headers(self) -> None:
        self.bounds.waiting[self] = None
        self._start_timer(self.bounds.header_timeout_s, "header_timeout")

    def _start_timer(self, seconds: float, kind: str) -> None:
        self._stop_timer()
        self._deadline_kind = kind
        self._timer = self.loop.call_later(seconds, self._expired, kind)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._deadline_kind = ""

    def _expired(self, kind: str) -> None:
        self._timer = None
        self.bounds.waiting.pop(self, None)
        self.bounds.note_closed(kind)
        self.drop_connection()

    def drop_connection(self) -> None:
        """Close without an answer (the client sent no complete request to answer)."""
        self._stop_timer()
        if not self.transport.is_closing():
            self.transport.abort()


def bounded_protocol(base: type[asyncio.Protocol], bounds: ConnectionBounds) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class ``base`` (HttpToolsProtocol or H11Protocol) with ``bounds`` applied."""
    return type(f"Bounded{base.__name__}", (BoundedConnection, base), {"bounds": bounds})
