"""The scanner: camera frames (and a HID barcode scanner) to collection-code reads.

What the station uses: :class:`Scanner` (decode pipeline + debounce), :class:`ScannerSettings`,
the events :class:`ScanEvent` and :class:`ScannerAlert`, the camera sources and their supervisor,
and :class:`HidScanner`. Heavy libraries (OpenCV, zxing-cpp, zbar) load when first used, not when
this package is imported; picamera2 and python-evdev only inside their adapters.
See docs/scanner.md.
"""

from __future__ import annotations

import importlib

from photoqueue.scanner.reads import ScanEvent, ScannerAlert
from photoqueue.scanner.settings import ScannerError, ScannerSettings

_LAZY = {
    "Scanner": "scanner",
    "run_camera": "scanner",
    "run_hid": "scanner",
    "Pipeline": "pipeline",
    "DecodeResult": "pipeline",
    "CameraSupervisor": "supervisor",
    "ImageFileSource": "sources",
    "OpenCVSource": "sources",
    "CameraError": "settings",
    "make_source": "sources",
    "Picamera2Source": "picam",
    "HidScanner": "hid",
    "KeyDecoder": "hid",
    "Debouncer": "debounce",
}

__all__ = ["ScanEvent", "ScannerAlert", "ScannerError", "ScannerSettings", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
