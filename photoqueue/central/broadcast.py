"""The live pages as a broadcast, not a poll per client.

A :class:`Hub` keeps each live snapshot (the public /status one, the staff one) as ready-to-send bytes in
a :class:`Channel`. One task recomputes them when the data changes (a station's sync, a staff command, a
timetable) and at least every ``status_refresh_s`` (clocks and lateness move on their own), never more
often than every ``status_min_interval_s``, and wakes every stream waiting on the channel. A stream
is then one coroutine and one socket: it costs no thread and no database read, so one process holds
thousands. Past ``status_max_streams`` (or ``status_streams_per_client`` from one address) a new stream
gets a 503 (429) with Retry-After, and the page polls ``/status.json``, served from the same bytes.

Several workers (processes or hosts) over one PostgreSQL: a write in one worker is announced with
``NOTIFY photoqueue_changes`` after its commit; every worker ``LISTEN``s on a connection of its own and
recomputes (its store folds the other workers' events from the database). Process memory is never the
channel between workers.

The streams themselves and the middleware that answers them are in :mod:`.streams`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from photoqueue.central.livepatch import LiveChannelState

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "photoqueue_changes"


class Channel:
    """One snapshot as the bytes of its server-sent event, and the streams waiting for the next one."""

    def __init__(self, name: str, *, patches: bool = False):
        self.name = name
        # the public channel also keeps what phones are sent: a version, the gzip, patches (livepatch)
        self.live = LiveChannelState() if patches else None
        self.text: str | None = None
        self.stale: bytes | None = None  # the "stale" event while the store is away
        self.event = b""
        self.version = 0
        self.streams = 0
        self._waiting: list[asyncio.Future] = []

    def publish(self, text: str) -> bool:
        """Take a newly computed snapshot; wake the streams when it differs from the last one (or the last
        one was said to be stale)."""
        if text == self.text and self.stale is None:
            return False
        self.stale = None
        self.text, self.version = text, self.version + 1
        self.event = f"event: snapshot\ndata: {text}\n\n".encode()
        if self.live is not None:
            self.live.update(text)
        self.wake_all()
        return True

    def mark_stale(self) -> bool:
        """The store is away: streams keep the snapshot they have and are told it is stale (``event:
        stale``) until the next computation succeeds. True when this is news."""
        if self.stale is not None:
            return False
        since = time.strftime("%H:%M:%S")
        self.stale = (f'event: stale\ndata: {{"since": "{since}", "message": "数据库暂时不可用，显示的可能不是最新数据'
                      f' / the data store is unavailable; this may not be current"}}\n\n').encode()
        self.version += 1
        self.wake_all()
        return True

    def wake_all(self) -> None:
        """Wake every waiting stream (a new snapshot, or time for a keep-alive): one pass over a list, no
        per-stream timer or task."""
        waiting, self._waiting = self._waiting, []
        for future in waiting:
            if not future.done():
                future.set_result(None)

    def wait(self, future: asyncio.Future) -> None:
        self._waiting.append(future)


class Hub:
    """The channels, the task that keeps them current, the stream counts and the change notices."""

    def __init__(self, compute: dict[str, Callable[[], str]], *, min_interval_s: float = 1.0,
                 refresh_s: float = 5.0, max_streams: int = 8000, per_client: int = 200,
                 notify: Callable[[], None] | None = None, always: tuple[str, ...] = ("public",),
                 keepalive_s: float = 15.0, max_staff_streams: int = 200,
                 store_errors: tuple[type[BaseException], ...] = ()):
        self.compute = compute
        self.channels = {name: Channel(name, patches=name == "public") for name in compute}
        self.min_interval_s = min_interval_s
        self.refresh_s = refresh_s
        self.max_streams = max_streams
        self.per_client = per_client
        self.notify = notify
        self.always = always
        self.keepalive_s = keepalive_s
        self.open_streams = 0
        self.max_staff_streams = max_staff_streams
        self.store_errors = store_errors  # a computation failing with one of these: the store is away
        self.staff_streams = 0
        self.per_address: dict[str, int] = {}
        self.recomputes = 0
        self._dirty: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._ticker: asyncio.Task | None = None
        self._published: asyncio.Condition | None = None  # made on the loop in start()

    # --- the keeper task ----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._dirty = asyncio.Event()
        self._published = asyncio.Condition()
        self._dirty.set()  # the first computation now
        self._task = asyncio.create_task(self._run(), name="live-snapshots")
        self._ticker = asyncio.create_task(self._keepalive(), name="live-keepalive")

    async def stop(self) -> None:
        for task in (self._task, self._ticker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _keepalive(self) -> None:
        """Every ``keepalive_s`` wake every stream, which sends a comment when nothing changed (proxies and
        phones drop a silent connection)."""
        while True:
            await asyncio.sleep(self.keepalive_s)
            for channel in self.channels.values():
                channel.wake_all()

    def mark_dirty(self) -> None:
        """The data changed (here or, through NOTIFY, in another worker): recompute soon. Thread-safe."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if _running_loop() is loop:
            self._dirty.set()
        else:
            loop.call_soon_threadsafe(self._dirty.set)

    def changed(self) -> None:
        """A write here committed: recompute, and tell the other workers."""
        self.mark_dirty()
        if self.notify is not None and self._loop is not None:
            self._loop.run_in_executor(None, self._notify_quietly)

    def _notify_quietly(self) -> None:
        try:
            self.notify()
        except Exception as exc:  # the other workers still refresh every status_refresh_s
            log.warning("could not announce a change to the other workers: %s", exc)

    @property
    def dirty(self) -> bool:
        return self._dirty is not None and self._dirty.is_set()

    async def _run(self) -> None:
        from anyio import to_thread

        last = 0.0
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), timeout=self.refresh_s)
            pause = last + self.min_interval_s - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)  # changes arriving meanwhile are folded into this one computation
            self._dirty.clear()
            last = time.monotonic()
            for name, channel in self.channels.items():
                if name not in self.always and channel.streams == 0:
                    continue
                try:
                    text = await to_thread.run_sync(self.compute[name])
                except self.store_errors as exc:  # the store is away: keep the last snapshot, say it is stale
                    if channel.mark_stale():
                        log.warning("the %s snapshot is stale: the store is unavailable (%s)", name,
                                    (str(exc).strip().splitlines() or [""])[0])
                    continue
                except Exception:
                    log.exception("the %s snapshot could not be computed", name)
                    continue
                channel.publish(text)
            self.recomputes += 1
            async with self._published:
                self._published.notify_all()

    async def current(self, name: str, timeout: float = 5.0) -> str:
        """The channel's snapshot text, at once: the one computed last (a change waits for the next
        computation, within ``min_interval_s``, as it does on every stream). Only before the first
        computation does it wait for it."""
        channel = self.channels[name]
        if channel.text is None:
            with contextlib.suppress(asyncio.TimeoutError):
                async with self._published:
                    await asyncio.wait_for(self._published.wait(), timeout)
        if channel.text is None:
            channel.publish(await _in_thread(self.compute[name]))
        return channel.text

    # --- stream admission ---------------------------------------------------------------------------------

    def admit(self, address: str, *, staff: bool = False) -> str | None:
        """Count a new stream in; or say why not ("full" for the global cap, "client" for the per-client one).
        Staff streams (a live login) are counted apart, under ``max_staff_streams``: a crowd of phones
        holding every public place never blinds the dashboard."""
        if staff:
            if self.staff_streams >= self.max_staff_streams:
                return "staff"
            self.staff_streams += 1
            return None
        if self.open_streams >= self.max_streams:
            return "full"
        if self.per_address.get(address, 0) >= self.per_client:
            return "client"
        self.open_streams += 1
        self.per_address[address] = self.per_address.get(address, 0) + 1
        return None

    def release(self, address: str, *, staff: bool = False) -> None:
        if staff:
            self.staff_streams -= 1
            return
        self.open_streams -= 1
        left = self.per_address.get(address, 1) - 1
        if left > 0:
            self.per_address[address] = left
        else:
            self.per_address.pop(address, None)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _in_thread(fn: Callable[[], Any]) -> Any:
    from anyio import to_thread

    return await to_thread.run_sync(fn)


class Listener:
    """A thread that LISTENs for other workers' change notices on a PostgreSQL connection of its own."""

    def __init__(self, url: str, on_notice: Callable[[], None]):
        self.url = url
        self.on_notice = on_notice
        self._stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)

    def start(self) -> Listener:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.ready.set()
                    self.on_notice()  # whatever changed while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.on_notice()
            except psycopg.Error as exc:
                log.warning("LISTEN %s: %s; retrying in 2 s", NOTIFY_CHANNEL, exc)
                self._stop.wait(2.0)


def pg_notify(db) -> None:
    """Announce a committed change to every worker on this PostgreSQL."""
    with db.connection() as conn:
        conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
