"""The live photo check: the station watches the folder the camera's photos arrive in (the camera's FTP or
Wi-Fi transfer, the capture laptop's shared folder), aligns them with the room's numbers as they come
(:mod:`photoqueue.reconcile`), and puts an alert on the hall screen (and, through the station's
health, the dashboard) when photos and numbers have come apart, so the photographer can fix it before the
next student: "照片数与拍摄号不符：17 号之后少了一次按键". The alert clears itself once staff correct it
(one more press for a missing press; a hold of the button for a double press).

A thread of its own polls the folder and reads the station's event log through its own read-only
connection; it never touches the session, it only submits :class:`~photoqueue.device.station.alerts.Alert` items.
Off by default (``[photos] enabled``).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photoqueue.device.errors import StationError
from photoqueue.device.station.alerts import Alert
from photoqueue.settings import setting

log = logging.getLogger(__name__)

ALERT_KEY = "photos"
MAX_ALERTS = 2


def _poll_problem(seconds: float) -> str | None:
    return None if 0.2 <= seconds <= 60 else f"expected 0.2 to 60 seconds, got {seconds}"


def _min_photos_problem(count: int) -> str | None:
    return None if 3 <= count <= 10_000 else f"expected 3 to 10000, got {count}"


@dataclass
class PhotoSettings:
    # poll_s and min_photos word their range as they did before the one settings contract (a test holds it)
    enabled: bool = setting(False, "watch the camera's photo folder and alert when photos and numbers come apart")
    folder: str = setting("", "folder the camera's photos arrive in (FTP/Wi-Fi transfer, a mounted share); "
                              "subfolders too")
    poll_s: float = setting(2.0, "seconds between looks at the folder (0.2 to 60)", check=_poll_problem)
    min_photos: int = setting(20, "photos needed before any alert (the camera clock is learnt from them; 3 to "
                                  "10000)", check=_min_photos_problem)
    estimate_offset: bool = setting(True, "learn the camera clock's offset from the photos; false: use "
                                          "camera_offset_s")
    camera_offset_s: float = setting(0.0, "station clock minus camera clock, seconds (with estimate_offset = "
                                          "false)")

    def validate(self) -> list[str]:
        """The rule that joins two fields (each field's own constraints are declared on it)."""
        if self.enabled and not self.folder:
            return ["folder: required when enabled = true (where the camera's photos arrive)"]
        return []


class _Folder:
    """The folder's photos, each file read once (again only when it changes: a transfer still writing)."""

    def __init__(self, root: Path):
        self.root = root
        self.seen: dict[str, tuple[tuple[float, int], Any]] = {}  # rel -> ((mtime, size), Photo | None)

    def photos(self) -> list:
        from photoqueue.reconcile.model import Photo
        from photoqueue.reconcile.photos import JPEG, RAW, exif_time

        if not self.root.is_dir():
            return []
        for path in self.root.rglob("*"):
            ext = path.suffix.lower()
            if path.name.startswith(".") or (ext not in JPEG and ext not in RAW):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue  # gone between the listing and the look
            rel = path.relative_to(self.root).as_posix()
            stamp = (st.st_mtime, st.st_size)
            if rel in self.seen and self.seen[rel][0] == stamp:
                continue
            try:
                taken = exif_time(path)
            except Exception:  # noqa: BLE001 - half-written or foreign: looked at again when it changes
                taken = None
            self.seen[rel] = (stamp, Photo(rel, taken) if taken is not None else None)
        return [p for _, p in self.seen.values() if p is not None]


class PhotoWatch:
    """The station part: start() starts the polling thread; stop() ends it."""

    def __init__(self, settings: PhotoSettings, data_dir: str | Path, room: str, date: str, submit):
        self.settings = settings
        self.db = Path(data_dir) / "station.db"
        self.room, self.date = room, date
        self.submit = submit
        self.folder = _Folder(Path(settings.folder))
        self.alerts: list[str] = []
        self.checks = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._events: list = []
        self._last_seq = 0
        self._store = None
        self._seen = (0, 0)

    def start(self) -> PhotoWatch:
        self._thread = threading.Thread(target=self._run, name="photo-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self._store is not None:
            self._store.close()
            self._store = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # the photo check must never take the station down
                log.exception("photo watch: the check failed; trying again")
            self._stop.wait(self.settings.poll_s)

    def _read_events(self) -> list:
        from photoqueue.device.store.events import EventStore

        if self._store is None:
            if not self.db.exists():
                return []
            try:
                self._store = EventStore(self.db, create=False)
            except StationError as exc:
                log.warning("photo watch: %s", exc)
                return []
        new = list(self._store.events(room=self.room, date=self.date, after=self._last_seq))
        if new:
            self._events += new
            self._last_seq = new[-1].seq
        return self._events

    def check(self) -> list[str]:
        """One look: read new photos and events, align, and raise or clear the screen's alerts."""
        from photoqueue.reconcile import Params, ReconcileError, reconcile

        photos = self.folder.photos()
        events = self._read_events()
        if (len(photos), self._last_seq) == self._seen:
            return self.alerts
        self._seen = (len(photos), self._last_seq)
        self.checks += 1
        alerts: list[str] = []
        if len(photos) >= self.settings.min_photos and events:
            params = Params(offset_s=None if self.settings.estimate_offset else self.settings.camera_offset_s)
            try:
                rec = reconcile(events, photos, room=self.room, date=self.date, params=params)
                alerts = rec.live[:MAX_ALERTS]
            except ReconcileError as exc:
                log.info("photo watch: %s", exc)
        if alerts != self.alerts:
            for i in range(max(len(alerts), len(self.alerts))):
                text = alerts[i] if i < len(alerts) else None
                self.submit(Alert(f"{ALERT_KEY}:{i}", text))
                if text:
                    log.warning("photo watch: %s", text)
            self.alerts = alerts
        return alerts


def make_photo_watch(settings: PhotoSettings | None, data_dir: str | Path, room: str, date: str, submit):
    """The part for ``[photos]``: a watcher when enabled, else the null part."""
    from photoqueue.device.station.parts import NullPart

    if settings is None or not settings.enabled:
        return NullPart()
    return PhotoWatch(settings, data_dir, room, date, submit)
