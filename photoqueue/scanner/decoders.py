"""QR decoders behind one interface: zxing-cpp and zbar (through pyzbar's ctypes binding).

Each returns :class:`Detection` objects whose ``text`` went through :func:`payload_text`, so a
UTF-8 payload without an ECI reads right whichever decoder saw it. ``ZxingDecoder.scan`` also
returns the symbols zxing-cpp located but could not read (:class:`Candidate`): the pipeline's cue
that a code is in view and worth a retry.
"""

from __future__ import annotations

from ctypes import c_void_p, cast, string_at
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from photoqueue.scanner.text import payload_text, undo_shift_jis_guess

# zbar's ZBAR_CFG_BINARY (zbar >= 0.23): hand back the payload bytes instead of a charset guess.
_ZBAR_CFG_BINARY = 4
# AIM symbology identifiers of QR symbols that carry an ECI.
_QR_ECI_IDS = frozenset({"]Q2", "]Q4", "]Q6"})


@dataclass(frozen=True, eq=False)
class Detection:
    """A code read: its text, the payload bytes, where it is (4x2 TL, TR, BR, BL) and who read it."""

    text: str
    raw: bytes
    quad: np.ndarray | None
    decoder: str


@dataclass(frozen=True, eq=False)
class Candidate:
    """A code-like region that was seen but not read: its corners (4x2) and, if known, its version."""

    quad: np.ndarray
    version: int | None
    source: str


class Decoder(Protocol):
    name: str

    def decode(self, gray: np.ndarray) -> list[Detection]: ...


def _zxing_quad(position) -> np.ndarray:
    pts = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return np.array([[p.x, p.y] for p in pts], np.float32)


class ZxingDecoder:
    """zxing-cpp, QR codes only. ``binarizer`` is ``"local"`` (its default) or ``"global"``."""

    def __init__(self, binarizer: str = "local", *, try_invert: bool = True, try_downscale: bool = True):
        import zxingcpp

        self._zx = zxingcpp
        self.name = "zxing" if binarizer == "local" else f"zxing-{binarizer}"
        fmt = zxingcpp.BarcodeFormat
        # zxing-cpp 3 counts Micro QR and rMQR as QR Code too: a finder pattern alone reads as one
        qr = (fmt.QRCodeModel1, fmt.QRCodeModel2) if hasattr(fmt, "QRCodeModel2") else fmt.QRCode
        self._options = dict(
            formats=qr,
            binarizer={"local": zxingcpp.Binarizer.LocalAverage,
                       "global": zxingcpp.Binarizer.GlobalHistogram}[binarizer],
            text_mode=zxingcpp.TextMode.Plain,
            try_rotate=False,  # only turns 1D scans; QR detection finds every orientation anyway
            try_invert=try_invert,
            try_downscale=try_downscale,
        )

    def _read(self, gray: np.ndarray, *, return_errors: bool = False, is_pure: bool = False):
        return self._zx.read_barcodes(gray, return_errors=return_errors, is_pure=is_pure, **self._options)

    def _detection(self, b) -> Detection:
        raw = bytes(b.bytes)
        text = payload_text(raw, has_eci=b.symbology_identifier in _QR_ECI_IDS, decoder_text=b.text)
        return Detection(text, raw, _zxing_quad(b.position), self.name)

    def decode(self, gray: np.ndarray, *, is_pure: bool = False) -> list[Detection]:
        return [self._detection(b) for b in self._read(gray, is_pure=is_pure) if b.valid and len(b.bytes)]

    def scan(self, gray: np.ndarray) -> tuple[list[Detection], list[Candidate]]:
        """Reads, and the symbols located but not read (checksum or format errors)."""
        found: list[Detection] = []
        seen: list[Candidate] = []
        for b in self._read(gray, return_errors=True):
            if b.valid:
                if len(b.bytes):
                    found.append(self._detection(b))
                continue
            extra = getattr(b, "extra", None) or {}
            version = extra.get("Version") if isinstance(extra, dict) else None
            version = int(version) if isinstance(version, str) and version.isdigit() else None
            seen.append(Candidate(_zxing_quad(b.position), version, self.name))
        return found, seen


class ZbarDecoder:
    """zbar through pyzbar's ctypes binding, QR codes only, asking zbar for the raw payload bytes."""

    name = "zbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar, wrapper

        self._pz = pyzbar
        self._w = wrapper
        self._scanner = wrapper.zbar_image_scanner_create()
        qr = wrapper.ZBarSymbol.QRCODE
        wrapper.zbar_image_scanner_set_config(self._scanner, 0, wrapper.ZBarConfig.CFG_ENABLE, 0)
        wrapper.zbar_image_scanner_set_config(self._scanner, qr, wrapper.ZBarConfig.CFG_ENABLE, 1)
        # 0 is success; an older zbar refuses and converts text itself (undone below).
        self._binary = wrapper.zbar_image_scanner_set_config(self._scanner, qr, _ZBAR_CFG_BINARY, 1) == 0

    def __del__(self) -> None:
        scanner, self._scanner = getattr(self, "_scanner", None), None
        if scanner:
            self._w.zbar_image_scanner_destroy(scanner)

    def decode(self, gray: np.ndarray) -> list[Detection]:
        w = self._w
        gray = np.ascontiguousarray(gray, dtype=np.uint8)
        height, width = gray.shape[:2]
        pixels = gray.tobytes()
        out: list[Detection] = []
        image = w.zbar_image_create()
        try:
            w.zbar_image_set_format(image, self._pz._FOURCC["L800"])
            w.zbar_image_set_size(image, width, height)
            w.zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
            if w.zbar_scan_image(self._scanner, image) <= 0:
                return out
            symbol = w.zbar_image_first_symbol(image)
            while symbol:
                raw = string_at(w.zbar_symbol_get_data(symbol), w.zbar_symbol_get_data_length(symbol))
                n = w.zbar_symbol_get_loc_size(symbol)
                pts = [(w.zbar_symbol_get_loc_x(symbol, i), w.zbar_symbol_get_loc_y(symbol, i)) for i in range(n)]
                quad = _zbar_quad(pts)
                if self._binary:
                    text = payload_text(raw)
                else:
                    text = undo_shift_jis_guess(raw.decode("utf-8", "replace"))
                out.append(Detection(text, raw, quad, self.name))
                symbol = w.zbar_symbol_next(symbol)
        finally:
            w.zbar_image_destroy(image)
        return out


def _zbar_quad(points: list[tuple[int, int]]) -> np.ndarray | None:
    if len(points) != 4:
        return None
    # zbar lists a QR's corners TL, BL, BR, TR (counter-clockwise); make it TL, TR, BR, BL.
    tl, bl, br, tr = points
    return np.array([tl, tr, br, bl], np.float32)

