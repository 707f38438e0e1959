"""Reading the printer's real-time status bytes (DLE EOT 1..4), as an Epson-compatible printer sends them.

Each reply is one byte with bits 1 and 4 set and bits 0 and 7 clear (``0b0xx1xx10``); a byte that does
not have that shape is not a status reply (some printers send other data) and is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

OK_BYTE = 0x12  # every status kind: nothing wrong


def is_status_byte(value: int) -> bool:
    return (value & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself. ``None`` fields were not asked or not answered."""

    online: bool | None = None
    paper: str = "unknown"  # "ok", "near_end", "out" or "unknown"
    cover_open: bool | None = None
    error: bool | None = None

    @property
    def ready(self) -> bool:
        """True unless the printer said it cannot print now."""
        return self.online is not False and self.paper != "out" and not self.cover_open and not self.error

    @property
    def problem(self) -> str | None:
        """The reason code for a printer that is not ready (paper first: the most common fix)."""
        if self.paper == "out":
            return "paper_out"
        if self.cover_open:
            return "cover_open"
        if self.error:
            return "printer_error"
        if self.online is False:
            return "offline"
        return None


def parse_status(replies: dict[int, int]) -> PrinterStatus:
    """A :class:`PrinterStatus` from the reply bytes to DLE EOT n, keyed by n (missing keys: not answered)."""
    online = cover = error = None
    paper = "unknown"
    if 1 in replies:
        online = not replies[1] & 0x08
    if 2 in replies:
        cover = bool(replies[2] & 0x04)
        if replies[2] & 0x20:
            paper = "out"  # printing stopped because the paper ended
        error = bool(replies[2] & 0x40)
    if 3 in replies:
        error = bool(error) or bool(replies[3] & 0x68)  # cutter, unrecoverable, auto-recoverable
    if 4 in replies:
        if replies[4] & 0x60:
            paper = "out"
        elif replies[4] & 0x0C:
            paper = "near_end"
        elif paper == "unknown":
            paper = "ok"
    return PrinterStatus(online=online, paper=paper, cover_open=cover, error=error)


def status_bytes(*, online: bool = True, paper: str = "ok", cover_open: bool = False,
                 error: bool = False) -> dict[int, int]:
    """The bytes a real Epson-compatible printer answers to DLE EOT 1..4 in the given state.

    Paper end or an open cover takes the printer offline, as on a real printer.
    """
    offline = not online or paper == "out" or cover_open or error
    return {
        1: OK_BYTE | (0x08 if offline else 0),
        2: OK_BYTE | (0x04 if cover_open else 0) | (0x20 if paper == "out" else 0) | (0x40 if error else 0),
        3: OK_BYTE | (0x20 if error else 0),
        4: OK_BYTE | (0x0C if paper in ("near_end", "out") else 0) | (0x60 if paper == "out" else 0),
    }
