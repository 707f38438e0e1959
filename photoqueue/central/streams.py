"""The live pages' streams and the middleware in front of the app (the hub and its channels are in
:mod:`.broadcast`): a :class:`StreamResponse` is one coroutine per open stream; :class:`LiveTraffic`
answers ``/status/live`` and ``/status/stream`` before routing and turns a write's 2xx into a change notice;
past a cap a stream is refused with Retry-After and where to poll.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from photoqueue.central.broadcast import Channel, Hub

log = logging.getLogger(__name__)

# Requests that change what the live pages show; a 2xx answer to one of them is a change notice (a sync's
# only when it brought events or command outcomes: see sync_changed).
WRITE_PATHS = ("/api/v1/events", "/api/v1/commands", "/api/v1/timetable", "/dashboard/api/command")


class StreamResponse(Response):
    """An ASGI response that sends a channel's snapshots as server-sent events until the client goes away.
    One coroutine per stream, asleep on a future the channel sets (a snapshot, or the hub's keep-alive
    tick) or the client's disconnect sets; no timer of its own."""

    def __init__(self, hub: Hub, channel: Channel, *, address: str, first: bytes | None = None,
                 still_allowed: Callable[[], Any] | None = None, staff: bool = False, patches: bool = False):
        self.hub, self.channel, self.address, self.staff = hub, channel, address, staff
        self.patches = patches  # send the channel's version and patches (a phone), not whole snapshots
        self.first = first
        self.still_allowed = still_allowed  # async: False ends the stream (a staff login ended)
        self.background = None

    async def __call__(self, _scope, receive, send) -> None:  # an ASGI app; the scope is not needed
        self.channel.streams += 1
        loop = asyncio.get_running_loop()
        wake = loop.create_future()
        disconnected = asyncio.ensure_future(_until_disconnect(receive))
        # a client that goes away wakes its stream at once, whatever it waits for
        disconnected.add_done_callback(lambda _: wake.done() or wake.set_result(None))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
                (b"x-accel-buffering", b"no")]})
            version = self.channel.version
            first = self.first if self.first is not None else self.channel.event
            if self.patches:
                first = self.channel.live.hello
            await send({"type": "http.response.body", "body": b"retry: 2000\n\n" + first, "more_body": True})
            while not disconnected.done():
                self.channel.wait(wake)
                await wake
                wake = loop.create_future()
                if disconnected.done():
                    break
                if self.still_allowed is not None and not await _still_allowed(self):
                    break
                if self.channel.version != version and self.channel.stale is not None:
                    body = self.channel.stale
                    # the stream keeps the version it had: the next good snapshot comes as a resync
                    version = self.channel.version
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                    continue
                if self.channel.version != version:
                    body = self.channel.event
                    if self.patches:  # the step from the version this phone holds, else "fetch again"
                        live = self.channel.live
                        body = live.step if self.channel.version == version + 1 else live.resync
                    version = self.channel.version
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                else:
                    await send({"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True})
            if not disconnected.done():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client went away mid-send
        except asyncio.CancelledError:
            # the server is shutting down and cancels what is still open: a stream simply ends (an error
            # here would be one "Exception in ASGI application" traceback per open phone)
            pass
        finally:
            disconnected.cancel()
            self.channel.streams -= 1
            self.hub.release(self.address, staff=self.staff)


async def _still_allowed(stream: StreamResponse) -> bool:
    """The stream's own check (a staff login still live); the store being away is no reason to end it."""
    try:
        return bool(await stream.still_allowed())
    except stream.hub.store_errors:
        return True


async def _until_disconnect(receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


REFUSALS = {
    "full": (503, "live updates are full; reload /status.json every few seconds / 实时连接已满，页面将定时刷新"),
    "client": (429, "too many live pages from this address / 此地址打开的实时页面过多，页面将定时刷新"),
    "store": (503, "the data store is unavailable; retry shortly / 数据库暂时不可用，请稍后重试"),
    "staff": (503, "staff live updates are full; the dashboard reloads its data every few seconds / "
                   "工作人员实时连接已满，页面将定时刷新"),
}


async def refuse(why: str, poll_s: int, send) -> None:
    """The answer to a stream past a cap: the reason, where to poll, and Retry-After."""
    status, message = REFUSALS[why]
    body = json.dumps({"error": message, "poll": "/status.json", "retry_after_s": poll_s}, ensure_ascii=False)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"retry-after", str(poll_s).encode()),
        (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body.encode()})


SYNC_ANSWER_CAP = 1 << 20  # a sync's answer is read this far for its counts (they come first)


def sync_changed(answer: bytes) -> bool:
    """Whether a station's sync changed what the live pages show: it brought new events or reported a
    command's outcome. An empty sync (a heartbeat, every few seconds per station) is no change: what it
    moves (last seen, online, health) the periodic refresh shows within ``status_refresh_s``."""
    try:
        doc = json.loads(answer)
    except ValueError:
        return True  # unreadable: better one computation too many than a change missed
    return not isinstance(doc, dict) or bool(doc.get("accepted")) or bool(doc.get("acked_commands"))


class LiveTraffic:
    """ASGI middleware in front of the app, for the two things that must stay cheap under a crowd:

    - ``GET /status/live`` (the page's stream: a version, then patches of what changed) and ``GET
      /status/stream`` (whole snapshots, for pages loaded before the patches) are answered here, before
      routing and dependencies: admission against the caps, then a :class:`StreamResponse` on the public
      channel (a phone costs one coroutine).
    - A 2xx answer to a write (``WRITE_PATHS``; a sync only when :func:`sync_changed`) tells the hub the
      data changed. Being outside the handlers, the sync and command paths stay as they are.
    """

    def __init__(self, app, get_app: Callable[[], Any]):
        self.app = app
        self.get_app = get_app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path"), scope.get("method")
        if path in ("/status/live", "/status/stream") and method == "GET":
            await self._public_stream(scope, receive, send, patches=path == "/status/live")
            return
        if method != "POST" or not (path in WRITE_PATHS or path.startswith("/api/v1/commands/")):  # + cancel
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        body = bytearray()

        async def watch_sync(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and len(body) < SYNC_ANSWER_CAP:
                body.extend(message.get("body", b""))
            await send(message)

        if path == "/api/v1/events":
            await self.app(scope, receive, watch_sync)
            changed = 200 <= status < 300 and sync_changed(bytes(body))
        else:
            await self.app(scope, receive, watch)
            changed = 200 <= status < 300
        hub = getattr(self.get_app().state, "hub", None)
        if hub is not None and changed:
            hub.changed()

    async def _public_stream(self, scope, receive, send, *, patches: bool) -> None:
        from starlette.requests import Request

        from photoqueue.central.guard import client_address

        app = self.get_app()
        hub: Hub = app.state.hub
        address = client_address(Request(scope))
        why = hub.admit(address)
        if why:
            await refuse(why, app.state.settings.status_poll_s, send)
            return
        if hub.channels["public"].text is None:
            try:
                await hub.current("public")
            except hub.store_errors:  # nothing computed yet and the store is away
                hub.release(address)
                await refuse("store", app.state.settings.status_poll_s, send)
                return
        await StreamResponse(hub, hub.channels["public"], address=address, patches=patches)(scope, receive, send)
