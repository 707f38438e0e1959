"""What the scanner hands to the station: accepted reads and alerts for the screen.

The scanner never judges whether a text is a collection code (a URL, a payment code ...):
the station core's code check does that on :attr:`ScanEvent.text`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanEvent:
    """One accepted read: ``text`` as the code holds it, where it came from, and when (seconds)."""

    text: str
    source: str
    at: float


@dataclass(frozen=True)
class ScannerAlert:
    """A fault or a notice for the hall screen and the log, in Chinese and English."""

    code: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


# The alert catalogue: every alert the scanner raises, by code.
ALERTS: dict[str, tuple[str, str]] = {
    "one_code_only": ("请只出示一个采集码", "Show one code only"),
    "camera_unavailable": ("摄像头无法打开，正在重试", "The camera cannot be opened; retrying"),
    "camera_stalled": ("摄像头没有画面，正在重试", "The camera stopped delivering frames; retrying"),
    "camera_bad_frame": ("摄像头画面异常，正在重试", "The camera delivers unusable frames; retrying"),
    "camera_recovered": ("摄像头已恢复", "The camera works again"),
    "hid_unavailable": ("扫码枪无法打开，正在重试", "The barcode scanner cannot be opened; retrying"),
    "hid_recovered": ("扫码枪已恢复", "The barcode scanner works again"),
    "seen_not_read": ("请将手机屏幕调亮、拿稳，对准摄像头",
                      "A code is seen but cannot be read: brighter screen, hold it steady, face the camera"),
}

# Which part each alert is about, and whether it says that part works again. The station keys its screen
# alert by part, so a recovered barcode scanner clears the barcode scanner's alert, never the camera's.
ALERT_PARTS: dict[str, tuple[str, bool]] = {
    "one_code_only": ("scan", False), "seen_not_read": ("seen", False),
    "camera_unavailable": ("camera", False), "camera_stalled": ("camera", False),
    "camera_bad_frame": ("camera", False), "camera_recovered": ("camera", True),
    "hid_unavailable": ("hid", False), "hid_recovered": ("hid", True),
}


def alert(code: str, detail: str = "") -> ScannerAlert:
    """The catalogue's alert ``code``; ``detail`` (English, for the log) is appended to the English text."""
    zh, en = ALERTS[code]
    return ScannerAlert(code, zh, f"{en} ({detail})" if detail else en)
