"""Camera sources behind one small interface: open, read a gray frame, close.

``read()`` returns a 2-D uint8 array (the gray frame), or None when no frame is ready yet; it
raises :class:`CameraError` when the camera fails. A source that can also give a higher-resolution
still of the same view offers ``read_hires()``. Hardware libraries are imported inside the sources
that use them (OpenCV here; picamera2 in :mod:`picam`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from photoqueue.scanner.settings import CameraError, ScannerError, ScannerSettings
from photoqueue.settings import require

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".h264", ".mjpeg")


@runtime_checkable
class FrameSource(Protocol):
    name: str

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


def to_gray(frame: np.ndarray) -> np.ndarray:
    """A gray uint8 frame from a gray, BGR or BGRA one."""
    import cv2

    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return frame


def load_gray(path: str | Path) -> np.ndarray:
    """An image file as a gray uint8 array; :class:`ScannerError` when it cannot be read."""
    import cv2

    p = Path(path)
    if not p.is_file():
        raise ScannerError(f"{p}: no such image file")
    data = np.fromfile(str(p), np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if img is None:
        raise ScannerError(f"{p}: not an image this decoder can read")
    return img


class ImageFileSource:
    """Frames from image files, a folder of images, a video, or an in-memory list of arrays.

    At the end it returns None and sets ``exhausted`` (or starts again with ``loop``). ``fps`` > 0
    paces reads like a camera (through the injected ``sleep``).
    """

    name = "replay"

    def __init__(self, items: str | Path | Iterable, *, loop: bool = False, fps: float = 0.0,
                 sleep=time.sleep):
        self._spec = items
        self.loop = loop
        self.fps = fps
        self._sleep = sleep
        self._frames: list | None = None
        self._video = None
        self._index = 0
        self.exhausted = False

    def open(self) -> None:
        self.exhausted = False
        self._index = 0
        spec = self._spec
        if isinstance(spec, str | Path):
            p = Path(spec)
            if p.is_dir():
                self._frames = sorted((q for q in p.iterdir() if q.suffix.lower() in IMAGE_SUFFIXES),
                                      key=_natural_key)
            elif p.suffix.lower() in VIDEO_SUFFIXES:
                import cv2

                self._video = cv2.VideoCapture(str(p))
                if not self._video.isOpened():
                    raise CameraError(f"{p}: cannot open the video")
                self._frames = None
            elif p.is_file():
                self._frames = [p]
            else:
                raise CameraError(f"{p}: no such image, folder or video")
        else:
            self._frames = list(spec)

    def read(self) -> np.ndarray | None:
        if self.fps > 0:
            self._sleep(1.0 / self.fps)
        if self._video is not None:
            ok, frame = self._video.read()
            if not ok:
                if self.loop:
                    import cv2

                    self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    ok, frame = self._video.read()
                if not ok:
                    self.exhausted = True
                    return None
            return to_gray(frame)
        if self._frames is None:
            raise CameraError("replay source read before open")
        if self._index >= len(self._frames):
            if not self.loop or not self._frames:
                self.exhausted = True
                return None
            self._index = 0
        item = self._frames[self._index]
        self._index += 1
        if isinstance(item, str | Path):
            return load_gray(item)
        return item if not isinstance(item, np.ndarray) else to_gray(item)

    def close(self) -> None:
        if self._video is not None:
            self._video.release()
            self._video = None


def _natural_key(p: Path):
    stem = p.stem
    return (0, int(stem), "") if stem.isdigit() else (1, 0, stem)


class OpenCVSource:
    """A USB (UVC) camera through OpenCV's VideoCapture; ``device`` is an index or a /dev/videoN path."""

    name = "usb"

    def __init__(self, device: str | int = 0, resolution: tuple[int, int] = (640, 480), fps: float = 15.0):
        self.device = device
        self.resolution = resolution
        self.fps = fps
        self._cap = None

    def open(self) -> None:
        import cv2

        dev = int(self.device) if str(self.device).isdigit() else str(self.device)
        cap = cv2.VideoCapture(dev)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"cannot open USB camera {self.device!r}")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.resolution[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.resolution[1])
        if self.fps:
            cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            raise CameraError("USB camera read before open")
        ok, frame = self._cap.read()
        if not ok or frame is None:
            raise CameraError(f"USB camera {self.device!r} delivered no frame")
        return to_gray(frame)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def make_source(settings: ScannerSettings) -> FrameSource | None:
    """The camera source the settings ask for (None for ``camera = "none"``); a :class:`ScannerError`
    listing every problem when the settings are not usable."""
    require(settings, ScannerError, "scanner settings")
    if settings.source == "picamera2":
        from photoqueue.scanner.picam import Picamera2Source

        return Picamera2Source(settings)
    if settings.source in ("usb", "opencv"):
        return OpenCVSource(settings.device or 0, settings.resolution, settings.fps)
    if settings.source == "replay":
        return ImageFileSource(settings.device, fps=settings.fps)
    return None


def __getattr__(name: str):
    if name == "Picamera2Source":  # lives in picam; offered here beside the other sources
        from photoqueue.scanner.picam import Picamera2Source

        return Picamera2Source
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
