"""The station's camera side: a frame source, the real decoder, and a repeat filter, in a thread.

The thread only puts ``ScanEvent`` / ``ScannerAlert`` items on the station's queue; the queue
thread judges the code. ``ReplayCamera`` is the demo's and the benchmark's camera: whoever plays
the student holds a frame in front of it (``hold``) and takes it away (``clear``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from photoqueue.device.scanner.events import ScanEvent, alert

log = logging.getLogger(__name__)


_BLANK = np.zeros((48, 64), np.uint8)


class ReplayCamera:
    """Frames held up by a caller. ``fps`` > 0 paces reads like a camera (an ``idle`` frame, an empty
    hall, is shown when nothing is held); ``fps`` == 0 hands a held frame out at once and blocks
    while nothing is held (a simulation as fast as it can go)."""

    name = "replay"

    def __init__(self, fps: float = 30.0, idle: np.ndarray | None = None):
        self.fps = fps
        self.idle = idle
        self._held: np.ndarray | None = None
        self._blank_due = False  # after clear(): one empty frame, so the scanner sees the code go
        self._cond = threading.Condition()
        self._waiting = False
        self._next_at = time.monotonic()
        self.frames_read = 0
        self.held_at: float | None = None  # perf_counter when the current frame was held (for the bench)

    def hold(self, frame: np.ndarray) -> None:
        with self._cond:
            self._held = frame
            self.held_at = time.perf_counter()
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._held = None
            self._blank_due = True
            self._cond.notify_all()

    def wait_empty(self, timeout: float = 2.0) -> bool:
        """fps == 0: wait until the reader has processed everything and waits for a frame again."""
        with self._cond:
            return self._cond.wait_for(lambda: self._waiting and self._held is None and not self._blank_due,
                                       timeout)

    def read(self, timeout: float = 0.2) -> np.ndarray | None:
        if self.fps > 0:
            delay = self._next_at - time.monotonic()
            if delay > 0:
                time.sleep(min(delay, timeout))
            self._next_at = max(self._next_at + 1 / self.fps, time.monotonic())
            with self._cond:
                if self._blank_due:
                    self._blank_due = False
                    return self.idle if self.idle is not None else _BLANK
                frame = self._held if self._held is not None else self.idle
        else:
            with self._cond:
                if self._blank_due:
                    self._blank_due = False
                    return self.idle if self.idle is not None else _BLANK
                if self._held is None:
                    self._waiting = True  # every frame handed out before is processed
                    self._cond.notify_all()
                    self._cond.wait(timeout)
                    self._waiting = False
                frame = self._held
        if frame is not None:
            self.frames_read += 1
        return frame

    def close(self) -> None:
        self.clear()


class FolderCamera:
    """Images from a folder, in name order, again and again (a replay of a recorded session)."""

    name = "replay"

    def __init__(self, folder: str | Path, fps: float = 30.0):
        import cv2

        paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
        self.frames = [f for f in (cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in paths) if f is not None]
        self.camera = ReplayCamera(fps)
        self._i = 0

    def read(self, timeout: float = 0.2) -> np.ndarray | None:
        if self.frames:
            self.camera.hold(self.frames[self._i % len(self.frames)])
            self._i += 1
        return self.camera.read(timeout)

    def close(self) -> None:
        pass


class OpenCVCamera:
    """A USB camera through OpenCV, as gray frames."""

    name = "opencv"

    def __init__(self, index: int = 0, fps: float = 30.0):
        import cv2

        self._cv2 = cv2
        self.cap = cv2.VideoCapture(index)
        self.cap.set(cv2.CAP_PROP_FPS, fps)

    def read(self, timeout: float = 0.2) -> np.ndarray | None:
        ok, frame = self.cap.read()
        if not ok:
            time.sleep(timeout)
            return None
        return self._cv2.cvtColor(frame, self._cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame

    def close(self) -> None:
        self.cap.release()


class CameraScanner:
    """Reads frames, decodes them with the real decoder, drops repeats of the code in view, and
    submits ``ScanEvent``s (or a ``ScannerAlert``) to the station's queue."""

    def __init__(self, source, submit: Callable[[object], None], clock: Callable[[], float], *,
                 decoder: str = "zxing", repeat_s: float = 3.0):
        from photoqueue.device.scanner.decoders import make_decoder

        self.source = source
        self.decoder = make_decoder(decoder)
        self._submit = submit
        self._clock = clock
        self.repeat_s = repeat_s
        self._last: tuple[str, float] | None = None  # the last code seen, and when
        self._in_view: str | None = None  # the code in the last frame
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self.frames = 0
        self.last_frame_at = 0.0  # time.monotonic() of the last frame, for the station's health
        self.decode_ms = 0.0

    def start(self) -> CameraScanner:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.source.close()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                frame = self.source.read(0.2)
            except Exception as exc:  # a camera driver's failure must not end the thread
                failures += 1
                if failures == 1:
                    self._submit(alert("camera_unavailable", str(exc)))
                time.sleep(min(0.2 * failures, 2))
                continue
            if failures:
                failures = 0
                self._submit(alert("camera_recovered"))
            if frame is None:
                continue
            self.frames += 1
            self.last_frame_at = time.monotonic()
            self.process(frame)

    def process(self, frame: np.ndarray) -> None:
        """Report a code when it comes into view; not again while it stays in view, nor when it
        reappears within ``repeat_s`` of last being seen (a frame that failed to decode mid-hold)."""
        t0 = time.perf_counter()
        texts = list(dict.fromkeys(d.text for d in self.decoder.decode(frame)))
        self.decode_ms = (time.perf_counter() - t0) * 1000
        now = self._clock()
        if not texts:
            self._in_view = None
            return
        if len(texts) > 1:
            if self._in_view != "\0several":
                self._submit(alert("one_code_only"))
            self._in_view = "\0several"
            return
        text = texts[0]
        seen_before = self._last is not None and self._last[0] == text and now - self._last[1] < self.repeat_s
        new = text != self._in_view and not seen_before
        self._in_view = text
        self._last = (text, now)
        if new:
            self._submit(ScanEvent(text, getattr(self.source, "name", "camera"), now))
