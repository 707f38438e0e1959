"""The station's sync client: sends the outbox to the centre, hands the centre's commands back.

- The outbox holds every event in its public form, written in the event's own transaction. The
  client posts it in batches keyed by (station_id, seq); the centre answers its high-water mark
  and the client drops everything up to it. A lost answer only means the batch is sent again,
  which the centre ignores: exactly once at the centre, however often it is sent.
- Failures back off exponentially with full jitter; after days offline the outbox drains batch
  after batch without waiting. Times are the centre's: a Pi without a clock battery changes nothing.
- The centre's staff commands and cross-room duplicate flags become photoqueue.core.commands
  objects handed to ``on_command`` (the station applies them as its own events, in its queue
  thread); command ids are acknowledged with the next request.
- The room's timetable is pulled from the centre and cached; offline, the last copy (or a local
  file) is used.

Runs in its own thread with its own EventStore connection; ``sync_once`` and ``drain`` may also be
called from any thread (one sync runs at a time).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photoqueue.atomicfile import atomic_write
from photoqueue.core import commands as cmd
from photoqueue.core.errors import CoreError
from photoqueue.core.targets import Targeted, staff_from_wire
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import EventStore
from photoqueue.device.sync.clock_check import ClockCheck
from photoqueue.device.sync.hello import centre_refusal
from photoqueue.device.sync.settings import SyncSettings  # noqa: F401  (its home was here)
from photoqueue.device.sync.staff import StaffDelivery
from photoqueue.settings import require
from photoqueue.timetable import RoomDay

log = logging.getLogger(__name__)

def command_from_wire(kind: str, args: dict[str, Any]) -> cmd.Command:
    """A staff command as the centre sends it, as a queue command; a bad one raises :class:`StationError`."""
    try:
        return staff_from_wire(kind, args).command  # the target (checked by on_staff_command users) left aside
    except CoreError as exc:
        raise StationError(str(exc)) from None


def backoff_delay(attempt: int, initial_s: float, max_s: float, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): full jitter over an exponential ceiling."""
    ceiling = min(max_s, initial_s * (2 ** max(0, min(attempt - 1, 30))))
    return ceiling * rng()


@dataclass
class SyncResult:
    ok: bool
    sent: int = 0
    accepted: int = 0
    high_water: int | None = None
    pending: int | None = None
    commands: int = 0
    error: str = ""
    status_code: int | None = None
    retry_after_s: float | None = None


class SyncClient:
    def __init__(self, db_path: str | Path, base_url: str, token: str, *, room: str,
                 on_command: Callable[[cmd.Command], None] | None = None,
                 on_staff_command: Callable[[int, Targeted], Any] | None = None,
                 on_status: Callable[[dict], None] | None = None,
                 health: Callable[[], dict] | None = None,
                 session_date: Callable[[], str | None] | None = None,
                 batch_size: int = 500, interval_s: float = 2.0, timeout_s: float = 10.0,
                 backoff_initial_s: float = 1.0, backoff_max_s: float = 60.0,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random, state_path: str | Path | None = None,
                 clock_check: ClockCheck | None = None, on_refusal: Callable[[str, str], None] | None = None,
                 key_fingerprint: Callable[[], str | None] | None = None):
        self.db_path = Path(db_path)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.room = room
        self.on_command = on_command
        # staff commands handed to the station, each reported with the outcome of its commit
        self.staff = StaffDelivery(on_staff_command, timeout_s) if on_staff_command is not None else None
        self.on_status = on_status
        self.clock_check = clock_check
        # (reason, message): the centre refused this station's history (409 diverged, room_held, key_mismatch);
        # the gate stops numbering at once (device/store/gate.py)
        self.on_refusal = on_refusal
        self.key_fingerprint = key_fingerprint  # the key's fingerprint each batch carries (the centre checks it)
        self.health = health
        self.session_date = session_date
        self.batch_size = batch_size
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.clock, self.sleep, self.rng = clock, sleep, rng
        self.state_path = Path(state_path) if state_path else self.db_path.parent / "sync-state.json"
        self._lock = threading.Lock()  # one sync at a time
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._store: EventStore | None = None
        self._http_client = None
        self._status: dict[str, Any] = {"pending": None, "last_ok_at": None, "last_error": None,
                                        "offline_since": None, "high_water": None, "timetable_source": None,
                                        "refused": None}
        self._delivered, self._to_ack = self._load_state()
        self._flagged: set[tuple] = set()

    @classmethod
    def from_settings(cls, settings: SyncSettings, db_path: str | Path, *, room: str, **kwargs) -> SyncClient:
        require(settings, StationError, "sync settings")
        kwargs.setdefault("clock_check", ClockCheck(settings.clock_bound_s))
        return cls(db_path, settings.url, settings.read_token(), room=room, batch_size=settings.batch_size,
                   interval_s=settings.interval_s, timeout_s=settings.timeout_s,
                   backoff_initial_s=settings.backoff_initial_s, backoff_max_s=settings.backoff_max_s, **kwargs)

    # --- the thread ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"sync-{self.room}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._http_client is not None:
                self._http_client.close()
                self._http_client = None

    def wake(self) -> None:
        """Sync now (the station calls this on a SyncOutbox effect)."""
        self._wake.set()

    def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            try:
                result = self.sync_once()
            except Exception:  # the thread must outlive any surprise; the next round tries again
                log.exception("sync round failed")
                result = SyncResult(ok=False, error="internal error (see log)")
            if result.ok:
                attempt = 0
                delay = 0.0 if result.pending else self.interval_s
            else:
                attempt += 1
                delay = result.retry_after_s or backoff_delay(attempt, self.backoff_initial_s, self.backoff_max_s,
                                                              self.rng)
            if self._stopping:
                break
            self._wake.wait(delay)
            self._wake.clear()

    # --- one round ----------------------------------------------------------------------------

    def sync_once(self) -> SyncResult:
        """Send one batch (or a heartbeat when the outbox is empty); apply the answer."""
        with self._lock:
            result = self._round()
        self._report(result)
        return result

    def _round(self) -> SyncResult:
        import httpx

        try:
            store = self._open_store()
            batch = store.outbox_batch(self.batch_size)
            pending = store.outbox_size()
            station_id = store.station_id
        except StationError as exc:
            return SyncResult(ok=False, error=str(exc))
        body = {"station_id": station_id, "events": batch, "acked_commands": sorted(self._to_ack),
                "command_outcomes": self.staff.outcomes_for(self._to_ack) if self.staff else {},
                "pending": max(0, pending - len(batch))}
        fingerprint = self.key_fingerprint() if self.key_fingerprint is not None else None
        if fingerprint:
            body["key_fingerprint"] = fingerprint
        if self.health is not None:
            try:
                body["health"] = self.health()
            except Exception as exc:  # a broken health probe must not stop the sync
                log.warning("health probe failed: %s", exc)
        try:
            response = self._http().post("/api/v1/events", content=json.dumps(body, ensure_ascii=False).encode(),
                                         headers={"content-type": "application/json"})
            doc = response.json() if response.content else {}
        except (httpx.HTTPError, ValueError) as exc:
            return SyncResult(ok=False, sent=len(batch), pending=pending,
                              error=f"cannot reach the centre: {type(exc).__name__}: {exc}")
        code = response.status_code
        if code == 200 and isinstance(doc, dict) and isinstance(doc.get("high_water"), int):
            return self._accepted(store, batch, doc)
        message = doc.get("error", response.text[:200]) if isinstance(doc, dict) else response.text[:200]
        result = SyncResult(ok=False, sent=len(batch), pending=pending, status_code=code,
                            error=f"centre answered {code}: {message}")
        reason = centre_refusal(code, doc)
        if reason is not None:
            self._status["refused"] = reason
            log.error("the centre refused this station's events (%s): %s; numbering stops until `photoqueue "
                      "recover`", reason, message)
            if self.on_refusal is not None:
                self.on_refusal(reason, f"the centre answered {code}: {message}")
        elif code == 409 and isinstance(doc, dict) and isinstance(doc.get("expected_seq"), int):
            self._resend_from(store, doc["expected_seq"], result)
        elif code == 413 and self.batch_size > 1:
            self.batch_size = max(1, self.batch_size // 2)
            result.retry_after_s = 0.01
            log.warning("the centre refused a batch as too large; sending %d events a batch now", self.batch_size)
        elif code == 429:
            try:
                result.retry_after_s = float(response.headers.get("retry-after", "1"))
            except ValueError:
                result.retry_after_s = 1.0
        return result

    def _resend_from(self, store: EventStore, expected: int, result: SyncResult) -> None:
        """The centre lacks events this station already dropped from its outbox (it was restored from an
        older backup): put them back from the event log and send again at once."""
        try:
            n = store.requeue(expected)
        except StationError as exc:
            result.error += f"; cannot re-send from seq {expected}: {exc}"
            return
        result.error += f" (the centre lacks seq {expected} on: {n} events re-sent from the station's log)"
        if n:  # nothing put back: the outbox already held them, no copy was lost
            log.warning("the centre's copy ends before seq %d (restored from a backup?): re-sending %d events from "
                        "the event log", expected, n)
            result.retry_after_s = 0.01

    def _accepted(self, store: EventStore, batch: list[dict], doc: dict) -> SyncResult:
        hw = doc["high_water"]
        if self.clock_check is not None and isinstance(doc.get("server_time"), str):
            self.clock_check.observe(doc["server_time"], self.clock(), doc.get("time_zone"))
        try:
            if hw > 0:
                store.ack(hw)
                store.record_centre_high_water(hw)
            if hw < store.last_seq() and not batch and not store.outbox_size():
                # an empty outbox, yet the centre holds less than the log: it lost what it had acknowledged (events
                # committed since this round read its empty batch are in the outbox: not a loss, just the next batch)
                self._resend_from(store, hw + 1, SyncResult(ok=True))
        except StationError as exc:  # a full disk: the outbox is sent again later, which the centre ignores
            log.warning("sync: cannot drop sent events from the outbox: %s", exc)
        for cid in doc.get("acked_commands", []):
            self._to_ack.discard(cid)
            if self.staff is not None:
                self.staff.outcomes.pop(cid, None)
        delivered = self._deliver(doc.get("commands", []), doc.get("duplicates", []))
        self._save_state()
        pending = store.outbox_size()
        return SyncResult(ok=True, sent=len(batch), accepted=int(doc.get("accepted", 0)), high_water=hw,
                          pending=pending, commands=delivered)

    def _deliver(self, commands: list[dict], duplicates: list[dict]) -> int:
        if self.staff is not None:
            delivered = self.staff.deliver(commands, self._delivered, self._to_ack)
            if delivered.stopped:
                return delivered.count
            commands = []
        if self.on_command is None:
            return 0
        n = 0
        for c in commands:
            cid = c.get("id")
            if cid in self._delivered:
                continue
            try:
                command = command_from_wire(c.get("kind"), c.get("args") or {})
            except StationError as exc:
                log.error("command %s from the centre ignored: %s", cid, exc)
            else:
                try:
                    self.on_command(command)
                except Exception:
                    log.exception("on_command failed for command %s; it is offered again next round", cid)
                    return n
                n += 1
            self._delivered.add(cid)
            self._to_ack.add(cid)
        today = self.session_date() if self.session_date else None
        for d in duplicates:
            key = (d.get("date"), d.get("number"), d.get("other_room"))
            if key in self._flagged or (today and d.get("date") != today):
                continue
            try:
                self.on_command(cmd.FlagDuplicate(d["number"], d["other_room"], d.get("other_number")))
            except Exception:
                log.exception("on_command failed for a duplicate flag; it is offered again next round")
                return n
            self._flagged.add(key)
            n += 1
        return n

    def _report(self, result: SyncResult) -> None:
        now = self.clock()
        s = self._status
        if result.pending is not None:
            s["pending"] = result.pending
        if result.ok:
            s.update(last_ok_at=now, last_error=None, offline_since=None, high_water=result.high_water)
        else:
            s["last_error"] = result.error
            if s["offline_since"] is None:
                s["offline_since"] = now
            log.info("sync: %s", result.error)
        if self.on_status is not None:
            try:
                self.on_status(self.status())
            except Exception:
                log.exception("on_status failed")

    def status(self) -> dict[str, Any]:
        """{"pending", "last_ok_at", "last_error", "offline_since", ...}; times from ``clock``."""
        status = dict(self._status)
        if self.clock_check is not None:
            status.update(self.clock_check.status())
        return status

    # --- draining (the demo's end, a shutdown) ---------------------------------------------

    def outbox_size(self) -> int:
        """Events not yet acknowledged by the centre, read from the station database now."""
        with EventStore(self.db_path, create=False) as store:
            return store.outbox_size()

    def drain(self, timeout: float) -> bool:
        """Sync until the outbox is empty (True) or ``timeout`` seconds pass (False)."""
        deadline = self.clock() + timeout
        attempt = 0
        while True:
            result = self.sync_once()
            if result.ok and result.pending == 0:
                return True
            remaining = deadline - self.clock()
            if remaining <= 0:
                return False
            if result.ok:
                attempt = 0
                continue
            attempt += 1
            wait = result.retry_after_s or backoff_delay(attempt, self.backoff_initial_s,
                                                         min(self.backoff_max_s, 2.0), self.rng)
            self.sleep(min(wait, remaining))

    # --- timetable ------------------------------------------------------------------------------

    def pull_timetable(self, room: str, date: str, cache_path: str | Path | None = None,
                       fallback_file: str | Path | None = None) -> RoomDay:
        """The room's classes that day from the centre (cached); offline or when the centre has none,
        the cached copy, else ``fallback_file`` (a timetable file), else an empty day."""

        from photoqueue.device.sync.timetable_cache import room_day_with_fallback

        def fetch() -> list[dict]:
            with self._lock:
                response = self._http().get("/api/v1/timetable", params={"room": room, "date": date})
            response.raise_for_status()
            return response.json()["slots"]

        cache_path = Path(cache_path) if cache_path else self.db_path.parent / "timetable-cache.json"
        room_day, source = room_day_with_fallback(fetch, room, date, cache_path, fallback_file, str(self.clock()))
        self._status["timetable_source"] = source or None
        return room_day

    # --- plumbing ---------------------------------------------------------------------------------

    def _open_store(self) -> EventStore:
        if self._store is None:
            self._store = EventStore(self.db_path, create=False)
        return self._store

    def _http(self):
        import httpx

        if self._http_client is None:
            self._http_client = httpx.Client(base_url=self.base_url, timeout=self.timeout_s,
                                             headers={"authorization": f"Bearer {self.token}"})
        return self._http_client

    def _load_state(self) -> tuple[set, set]:
        try:
            doc = json.loads(self.state_path.read_text(encoding="utf-8"))
            if self.staff is not None:
                self.staff.load(doc.get("outcomes"))
            return set(doc.get("delivered_commands", [])), set(doc.get("unacked_commands", []))
        except FileNotFoundError:
            return set(), set()
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable sync state (%s); starting afresh", self.state_path, exc)
            return set(), set()

    def _save_state(self) -> None:
        """Command ids handed to the station survive a restart, so none is applied twice."""
        doc = {"delivered_commands": sorted(self._delivered)[-1000:], "unacked_commands": sorted(self._to_ack),
               "outcomes": self.staff.dump() if self.staff else {}}
        try:
            atomic_write(self.state_path, json.dumps(doc))
        except OSError as exc:
            log.warning("%s: cannot save sync state: %s", self.state_path, exc)
