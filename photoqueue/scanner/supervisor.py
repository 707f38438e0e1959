"""Keeping a camera going: open it, read it, and report and retry every kind of failure.

A camera that will not open, stops delivering frames, or delivers garbage (wrong size or type, all
black) is reported once per fault as a :class:`ScannerAlert` for the screen, closed, and reopened
after a wait that doubles with each failure (up to ``backoff_max_s``). The first good frame after a
fault brings a ``camera_recovered`` alert. Nothing raised by a camera library reaches the caller.
Clock and sleep are injected, so tests run a day of failures in milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from photoqueue.scanner.reads import ScannerAlert, alert
from photoqueue.scanner.settings import ScannerSettings
from photoqueue.scanner.sources import FrameSource

log = logging.getLogger(__name__)

BLACK_LEVEL = 6  # a frame whose brightest pixel is darker than this shows nothing
IDLE_SLEEP_S = 0.005  # pause after a read that had no frame ready


def frame_problem(frame, expected_shape: tuple[int, int] | None = None) -> str | None:
    """Why a frame is unusable, or None when it is a good gray frame."""
    if not isinstance(frame, np.ndarray):
        return f"not an image ({type(frame).__name__})"
    if frame.dtype != np.uint8:
        return f"pixel type {frame.dtype}, not uint8"
    if frame.ndim != 2 or min(frame.shape) < 16:
        return f"shape {frame.shape}, not a gray image"
    if expected_shape is not None and frame.shape != expected_shape:
        return f"size {frame.shape[1]}x{frame.shape[0]}, expected {expected_shape[1]}x{expected_shape[0]}"
    if int(frame.max()) < BLACK_LEVEL:
        return "all black"
    return None


class CameraSupervisor:
    """Turns a fallible source into a stream of good frames and alerts: ``poll()`` never raises."""

    def __init__(self, source: FrameSource | Callable[[], FrameSource], settings: ScannerSettings | None = None,
                 *, check_size: bool = True, clock=time.monotonic, sleep=time.sleep):
        self._factory = source if callable(source) and not hasattr(source, "read") else (lambda: source)
        self.settings = settings or ScannerSettings()
        w, h = self.settings.resolution
        self._expected = (h, w) if check_size else None
        self._clock = clock
        self._sleep = sleep
        self.source: FrameSource | None = None
        self.failures = 0  # failures in a row
        self._fault: str | None = None  # the alert code being shown, if any
        self._next_try = 0.0
        self._last_frame_at: float | None = None
        self._bad = 0
        self.finished = False

    @property
    def fault(self) -> str | None:
        return self._fault

    def poll(self) -> tuple[np.ndarray | None, list[ScannerAlert]]:
        """The next good frame (or None) and the alerts that arose getting it."""
        alerts: list[ScannerAlert] = []
        if self.finished:
            return None, alerts
        if self.source is None and not self._open(alerts):
            return None, alerts
        try:
            frame = self.source.read()
        except Exception as exc:
            self._fail("camera_stalled", f"read failed: {exc}", alerts)
            return None, alerts
        now = self._clock()
        if frame is None:
            if getattr(self.source, "exhausted", False):
                self.finished = True
                self._close()
            elif now - (self._last_frame_at or now) > self.settings.stall_timeout_s:
                self._fail("camera_stalled", f"no frame for {self.settings.stall_timeout_s:g} s", alerts)
            else:
                self._sleep(IDLE_SLEEP_S)
            return None, alerts
        self._last_frame_at = now
        problem = frame_problem(frame, self._expected)
        if problem:
            self._bad += 1
            if self._bad >= self.settings.bad_frames_limit:
                self._fail("camera_bad_frame", problem, alerts)
            return None, alerts
        self._bad = 0
        self.failures = 0
        if self._fault is not None:
            log.info("camera recovered from %s", self._fault)
            self._fault = None
            alerts.append(alert("camera_recovered"))
        return frame, alerts

    def read_hires(self) -> np.ndarray | None:
        """A high-resolution frame from the source, if it has one; None on any failure."""
        reader = getattr(self.source, "read_hires", None)
        if reader is None:
            return None
        try:
            frame = reader()
        except Exception as exc:
            log.warning("high-resolution capture failed: %s", exc)
            return None
        return frame if frame_problem(frame) is None else None

    def close(self) -> None:
        self._close()

    # -- internals ----------------------------------------------------------------------------
    def _open(self, alerts: list[ScannerAlert]) -> bool:
        wait = self._next_try - self._clock()
        if wait > 0:
            self._sleep(wait)
        try:
            source = self._factory()
            source.open()
        except Exception as exc:
            self._fail("camera_unavailable", str(exc), alerts)
            return False
        self.source = source
        self._last_frame_at = self._clock()
        self._bad = 0
        return True

    def _close(self) -> None:
        source, self.source = self.source, None
        if source is not None:
            try:
                source.close()
            except Exception as exc:
                log.warning("closing the camera failed: %s", exc)

    def _fail(self, code: str, detail: str, alerts: list[ScannerAlert]) -> None:
        self._close()
        self.failures += 1
        delay = min(self.settings.backoff_initial_s * 2 ** (self.failures - 1), self.settings.backoff_max_s)
        self._next_try = self._clock() + delay
        log.warning("camera fault %s (%s); retry %d in %.1f s", code, detail, self.failures, delay)
        if self._fault != code:
            self._fault = code
            alerts.append(alert(code, detail))
