"""The station's scanning threads: the camera (the scanner part's supervisor, pipeline and debounce)
and the USB HID barcode scanner. They only put ``ScanEvent`` / ``ScannerAlert`` items on the
station's queue; the queue thread judges the code.

``ReplayCamera`` is the demo's and the benchmark's camera: whoever plays the student holds a frame
in front of it (``hold``) and takes it away (``clear``).
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Callable

import numpy as np

log = logging.getLogger(__name__)

IDLE_PACE_S = 0.2  # fps == 0: with nothing held, the empty hall is shown this often (keeps the camera "alive")


class ReplayCamera:
    """Frames held up by a caller (a FrameSource: open/read/close).

    ``fps`` > 0 paces reads like a camera, showing ``idle`` (an empty hall) when nothing is held;
    ``fps`` == 0 hands a held frame out at once (a simulation as fast as it can go). After
    ``clear()`` the next read is always the empty hall, so the debounce sees the code go.
    """

    name = "replay"

    def __init__(self, fps: float = 30.0, idle: np.ndarray | None = None):
        self.fps = fps
        self.idle = idle if idle is not None else np.full((480, 640), 100, np.uint8)
        self._held: np.ndarray | None = None
        self._blank_due = False
        self._fresh = False  # a frame was held up since the last read
        self._cond = threading.Condition()
        self._waiting = False
        self._next_at = time.monotonic()
        self.frames_read = 0
        self.held_at: float | None = None  # time.perf_counter() when the current frame was held (bench)
        self.first_read_at: float | None = None  # ... and when the reader first got it ("frame in")

    def open(self) -> None:
        pass

    def hold(self, frame: np.ndarray) -> None:
        with self._cond:
            self._held = frame
            self._fresh = True
            self.held_at = time.perf_counter()
            self.first_read_at = None
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._held = None
            self._blank_due = True
            self._cond.notify_all()

    def wait_cleared(self, timeout: float = 2.0) -> bool:
        """Wait until the reader has been handed the empty hall after ``clear()``."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._blank_due, timeout)

    def wait_empty(self, timeout: float = 2.0) -> bool:
        """fps == 0: wait until the reader has processed every frame and waits for a new one."""
        with self._cond:
            return self._cond.wait_for(lambda: self._waiting and self._held is None and not self._blank_due,
                                       timeout)

    def read(self) -> np.ndarray | None:
        with self._cond:
            if self.fps > 0:
                # paced like a camera; a frame just held up (or taken away) is handed over at once
                while not (self._blank_due or self._fresh):
                    delay = self._next_at - time.monotonic()
                    if delay <= 0:
                        break
                    self._cond.wait(delay)
                self._next_at = max(self._next_at + 1 / self.fps, time.monotonic())
            self._fresh = False
            if self._blank_due:
                self._blank_due = False
                self._cond.notify_all()
                frame = self.idle
            elif self._held is not None or self.fps > 0:
                frame = self._held if self._held is not None else self.idle
            else:
                self._waiting = True  # every frame handed out before is processed
                self._cond.notify_all()
                self._cond.wait(IDLE_PACE_S)
                self._waiting = False
                frame = self._held if self._held is not None else self.idle
        self.frames_read += 1
        if frame is not self.idle and self.first_read_at is None:
            self.first_read_at = time.perf_counter()
        return frame

    def close(self) -> None:
        with self._cond:
            self._held = None


class _ReaderThread(abc.ABC):
    """A part that reads codes on a thread of its own until stopped; ``_run`` watches ``self._stop``."""

    thread_name = "reader"
    join_s = 1.0  # how long stop() waits: a read in progress ends by its own timeout

    def __init__(self, submit: Callable[[object], None]):
        self._submit = submit
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)

    def start(self) -> _ReaderThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.join_s)

    @abc.abstractmethod
    def _run(self) -> None:
        """Read until ``self._stop`` is set, submitting what is read."""


class CameraScanner(_ReaderThread):
    """The camera thread: the scanner part's ``run_camera`` loop (supervisor -> pipeline -> debounce)."""

    thread_name = "camera"
    join_s = 3.0

    def __init__(self, source, submit: Callable[[object], None], clock: Callable[[], float], settings=None):
        from photoqueue.scanner import Scanner, ScannerSettings
        from photoqueue.scanner.supervisor import CameraSupervisor

        super().__init__(submit)
        self.settings = settings or ScannerSettings()
        self.source = source
        self.scanner = Scanner(self.settings, source=getattr(source, "name", "camera"))
        self.supervisor = CameraSupervisor(source, self.settings)
        self._clock = clock

    @property
    def fault(self) -> str | None:
        return self.supervisor.fault

    def _run(self) -> None:
        from photoqueue.scanner import run_camera
        from photoqueue.scanner.seen import WatchedScanner

        # a code located but not read for about a second: a band, a soft beep, a log line (scanner/seen.py)
        run_camera(self.supervisor, WatchedScanner(self.scanner), self._submit, self._stop, clock=self._clock)


class HidReader(_ReaderThread):
    """The USB barcode scanner thread (the scanner part's ``run_hid``), when [camera] hid_device is set."""

    thread_name = "hid"

    def __init__(self, settings, submit: Callable[[object], None]):
        super().__init__(submit)
        self.settings = settings

    def _run(self) -> None:
        from photoqueue.scanner import HidScanner, run_hid

        s = self.settings
        run_hid(lambda: HidScanner(s.hid_device, grab=s.hid_grab), self._submit, self._stop, s)
