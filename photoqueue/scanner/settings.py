"""The scanner's settings: one dataclass with defaults and help, checked all at once."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields

from photoqueue.errors import PhotoqueueError
from photoqueue.hints import did_you_mean


class ScannerError(PhotoqueueError):
    """The scanner layer's error: a bad setting, an unreadable image, a camera that cannot work."""


def _s(default, help_: str, **kw):
    return field(default=default, metadata={"help": help_}, **kw)


@dataclass
class ScannerSettings:
    """How a station reads codes. Every field is documented in docs/scanner.md."""

    source: str = _s("none", "camera: picamera2 (a Pi camera), usb (opencv is the same), replay, or none")
    device: str = _s("", "usb: index or /dev/videoN; replay: an image, a folder of images or a video")
    resolution: tuple[int, int] = _s((640, 480), "size of the gray frames decoded on every pass (picamera2 lores)")
    hires_resolution: tuple[int, int] = _s((2304, 1296), "picamera2 main stream size, for retries of a region")
    autofocus: str = _s("continuous", "Camera Module 3 focus: continuous, manual (lens_position) or off")
    lens_position: float = _s(6.0, "manual focus in dioptres (1/metres): 6.0 is about 17 cm from the lens")
    decoder: str = _s("pipeline", "pipeline (cheap pass and retries), zxing or zbar (one raw pass only)")
    retry_budget_ms: float = _s(60.0, "time the retries may spend on one frame after the cheap pass")
    hires_retry: bool = _s(True, "retry an unread region on the high-resolution stream when the camera has one")
    debounce_gap_s: float = _s(1.5, "a code absent for longer than this and shown again is a rescan")
    notice_repeat_s: float = _s(3.0, "how often the 'show one code only' notice repeats while two codes show")
    fps: float = _s(15.0, "frames a second asked of the camera (and the pace of a replay when >0)")
    stall_timeout_s: float = _s(3.0, "no frame for this long means the camera stopped delivering")
    bad_frames_limit: int = _s(10, "this many unusable frames in a row (wrong size, black) reopen the camera")
    backoff_initial_s: float = _s(0.5, "first wait before reopening a failed camera; doubles each failure")
    backoff_max_s: float = _s(30.0, "longest wait between reopening attempts")
    hid_device: str = _s("", "USB HID barcode scanner's evdev device (/dev/input/by-id/...-event-kbd); empty: none")
    hid_grab: bool = _s(True, "grab the HID device so its keystrokes reach no console or window")

    def __post_init__(self) -> None:
        self.resolution = tuple(self.resolution)
        self.hires_resolution = tuple(self.hires_resolution)
        problems = self.validate()
        if problems:
            raise ScannerError("scanner settings:\n" + "\n".join(f"- {p}" for p in problems))

    @property
    def replay_dir(self) -> str:
        """The replay folder (``device``), under the name the station's first camera settings used."""
        return self.device

    @property
    def repeat_s(self) -> float:
        """``debounce_gap_s``, under the name the station's first camera settings used."""
        return self.debounce_gap_s

    def validate(self) -> list[str]:
        """Every problem at once (empty when the settings are usable)."""
        out = []
        choices = {"source": ("picamera2", "usb", "opencv", "replay", "none"),
                   "autofocus": ("continuous", "manual", "off"),
                   "decoder": ("pipeline", "zxing", "zbar")}
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed:
                out.append(f"{name} must be one of {', '.join(allowed)}, not {value!r}{did_you_mean(value, allowed)}")
        for name in ("resolution", "hires_resolution"):
            value = getattr(self, name)
            if len(value) != 2 or not all(isinstance(v, int) and 16 <= v <= 10000 for v in value):
                out.append(f"{name} must be two whole numbers (width, height), not {value!r}")
        for name in ("retry_budget_ms", "debounce_gap_s", "notice_repeat_s", "stall_timeout_s",
                     "backoff_initial_s", "backoff_max_s", "lens_position", "fps"):
            if not isinstance(getattr(self, name), int | float) or getattr(self, name) < 0:
                out.append(f"{name} must be a number >= 0, not {getattr(self, name)!r}")
        if not isinstance(self.bad_frames_limit, int) or self.bad_frames_limit < 1:
            out.append(f"bad_frames_limit must be a whole number >= 1, not {self.bad_frames_limit!r}")
        if self.source == "replay" and not self.device:
            out.append("source 'replay' needs device: the image, folder or video to replay")
        return out

    @classmethod
    def from_dict(cls, data: dict) -> ScannerSettings:
        """Settings from a config table; unknown keys are errors, with a 'did you mean'."""
        known = {f.name for f in fields(cls)}
        unknown = [f"unknown scanner setting {k!r}{did_you_mean(k, known)}" for k in data if k not in known]
        if unknown:
            raise ScannerError("scanner settings:\n" + "\n".join(f"- {p}" for p in unknown))
        return cls(**data)

    @classmethod
    def help(cls) -> dict[str, tuple[object, str]]:
        """Each setting's default and help text."""
        return {f.name: (f.default if f.default is not MISSING else None, f.metadata["help"]) for f in fields(cls)}
