"""The scanner's settings: one dataclass of :func:`photoqueue.settings.setting` declarations.

Every constraint is declared on its field and checked by :func:`photoqueue.settings.problems`;
:meth:`ScannerSettings.validate` holds only the rule that joins two fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from photoqueue.errors import PhotoqueueError
from photoqueue.settings import setting

SOURCES = ("picamera2", "usb", "opencv", "replay", "none")
FOCUS_MODES = ("continuous", "manual", "off")
DECODERS = ("pipeline", "zxing", "zbar")
SIZE = {"min": 16, "max": 10000}  # pixels each way of a camera stream


class ScannerError(PhotoqueueError):
    """The scanner layer's error: a bad setting, an unreadable image, a camera that cannot work."""


class CameraError(ScannerError):
    """A camera that cannot open or stopped working (beside ScannerError, so the camera modules share it
    without importing each other)."""


@dataclass
class ScannerSettings:
    """How a station reads codes. Every field is documented in docs/scanner.md."""

    source: str = setting("none", "camera: picamera2 (a Pi camera), usb (opencv is the same), replay, or none",
                          choices=SOURCES)
    device: str = setting("", "usb: index or /dev/videoN; replay: an image, a folder of images or a video")
    resolution: tuple[int, int] = setting((640, 480), "size of the gray frames decoded on every pass (picamera2 lores)",
                                          **SIZE)
    hires_resolution: tuple[int, int] = setting((2304, 1296), "picamera2 main stream size, for retries of a region",
                                                **SIZE)
    autofocus: str = setting("continuous", "Camera Module 3 focus: continuous, manual (lens_position) or off",
                             choices=FOCUS_MODES)
    lens_position: float = setting(6.0, "manual focus in dioptres (1/metres): 6.0 is about 17 cm from the lens",
                                   min=0)
    decoder: str = setting("pipeline", "pipeline (cheap pass and retries), zxing or zbar (one raw pass only)",
                           choices=DECODERS)
    retry_budget_ms: float = setting(60.0, "time the retries may spend on one frame after the cheap pass", min=0)
    temporal_frames: int = setting(3, "frames of one showing combined where the current one alone fails (1: off)",
                                   min=1, max=10)
    temporal_budget_ms: float = setting(20.0, "time combining the last frames may take on one frame", min=0)
    hires_retry: bool = setting(True, "retry an unread region on the high-resolution stream when the camera has one")
    debounce_gap_s: float = setting(1.5, "a code absent for longer than this and shown again is a rescan", min=0)
    notice_repeat_s: float = setting(3.0, "how often the 'show one code only' notice repeats while two codes show",
                                     min=0)
    fps: float = setting(15.0, "frames a second asked of the camera (and the pace of a replay when >0)", min=0)
    stall_timeout_s: float = setting(3.0, "no frame for this long means the camera stopped delivering", min=0)
    bad_frames_limit: int = setting(10, "this many unusable frames in a row (wrong size, black) reopen the camera",
                                    min=1)
    backoff_initial_s: float = setting(0.5, "first wait before reopening a failed camera; doubles each failure",
                                       min=0)
    backoff_max_s: float = setting(30.0, "longest wait between reopening attempts", min=0)
    hid_device: str = setting("", "USB HID barcode scanner's evdev device (/dev/input/by-id/...-event-kbd); empty: none")
    hid_grab: bool = setting(True, "grab the HID device so its keystrokes reach no console or window")

    def __post_init__(self) -> None:
        # a TOML list or a caller's list is the same size as a tuple; keep one form
        if isinstance(self.resolution, list):
            self.resolution = tuple(self.resolution)
        if isinstance(self.hires_resolution, list):
            self.hires_resolution = tuple(self.hires_resolution)

    @property
    def replay_dir(self) -> str:
        """The replay folder (``device``), under the name the station's first camera settings used."""
        return self.device

    @property
    def repeat_s(self) -> float:
        """``debounce_gap_s``, under the name the station's first camera settings used."""
        return self.debounce_gap_s

    def validate(self) -> list[str]:
        """The rule that joins two fields (each field's own constraints are declared on it)."""
        if self.source == "replay" and not self.device:
            return ["source 'replay' needs device: the image, folder or video to replay"]
        return []
