"""The ESC/POS commands photoqueue sends, as bytes. Pure: no printer library, no I/O.

Only these reach a printer, and only text that went through :func:`photoqueue.printer.ticket.visible_text`
is put between them (text mode), so nothing from a scanned code or a timetable is ever a command.
"""

from __future__ import annotations

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
DLE = b"\x10"
EOT = b"\x04"
LF = b"\n"

INIT = ESC + b"@"  # ESC @: clear the buffer, reset every mode
CHINESE_ON = FS + b"&"  # FS &: two-byte (GB2312/GBK/GB18030) characters
CHINESE_OFF = FS + b"."  # FS .: back to single-byte code page
FULL_CUT = GS + b"V\x00"  # what python-escpos sends for cut("FULL")
PARTIAL_CUT = GS + b"V\x01"  # cut("PART")
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
REVERSE_ON = GS + b"B\x01"
REVERSE_OFF = GS + b"B\x00"

# DLE EOT n, real-time status; answered with one byte even while the printer is offline.
STATUS_PRINTER = 1  # online / offline
STATUS_OFFLINE_CAUSE = 2  # cover open, paper end stop, error
STATUS_ERROR_CAUSE = 3  # cutter, unrecoverable, auto-recoverable
STATUS_PAPER = 4  # roll paper near-end / end sensors


def status_query(n: int) -> bytes:
    return DLE + EOT + bytes((n,))


def align(where: str) -> bytes:
    """ESC a n: 'left', 'center' or 'right'."""
    return ESC + b"a" + bytes((("left", "center", "right").index(where),))


def char_size(width: int, height: int) -> bytes:
    """GS ! n: character magnification, 1..8 each way."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError(f"character size must be 1..8, got {width}x{height}")
    return GS + b"!" + bytes((((width - 1) << 4) | (height - 1),))


def feed_dots(n: int) -> bytes:
    """ESC J n: print the buffer and feed n dots (n <= 255)."""
    return ESC + b"J" + bytes((n,))


def feed_lines(n: int) -> bytes:
    """ESC d n: print the buffer and feed n lines (what python-escpos's print_and_feed sends)."""
    return ESC + b"d" + bytes((n,))


def raster_header(width_bytes: int, height: int, mode: int = 0) -> bytes:
    """GS v 0 m xL xH yL yH: a raster bit image of ``width_bytes`` x ``height``, the packed rows follow."""
    return GS + b"v0" + bytes((mode,)) + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little")


def finish(cut: str, feed: int = 6) -> bytes:
    """The end of a ticket: feed past the cutter and cut ('full'/'partial'), or just feed ('none').

    The same bytes as python-escpos's ``cut()``: ESC d 6 then GS V m.
    """
    if cut == "full":
        return feed_lines(6) + FULL_CUT
    if cut == "partial":
        return feed_lines(6) + PARTIAL_CUT
    return feed_lines(feed)


def qr_code(data: bytes, module_dots: int = 4) -> bytes:
    """GS ( k: a QR code (model 2, error correction M) stored and printed by the printer itself (text mode)."""
    def fn(body: bytes) -> bytes:
        n = len(body) + 2
        return GS + b"(k" + bytes((n & 0xFF, n >> 8, 49)) + body

    store = fn(b"P0" + data)  # fn 80: store the data
    return (fn(b"A2\x00") + fn(b"C" + bytes((max(1, min(16, module_dots)),))) + fn(b"E1") + store
            + fn(b"Q0"))  # model 2, module size, error correction M (49), store, print
