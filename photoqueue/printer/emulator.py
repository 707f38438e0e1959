"""An ESC/POS printer in software: bytes in, paper (images) and status replies out.

:class:`EscPosEmulator` decodes what a real Epson-compatible printer would: initialisation, text in a
code page or in Chinese mode (GB18030), character size, bold, reverse and alignment, raster images
(GS v 0, GS ( L, ESC *), paper feeds, cuts, and the real-time status queries DLE EOT 1..4, answered with
the byte a real printer sends for the simulated state. Commands it does not draw (barcodes, drawer kick,
settings) are skipped by their exact length. A cut ends a ticket. It is fed incrementally, as bytes
arrive from a socket; a command split across reads waits for its end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from photoqueue.printer.paper import CELL_H, FONT_B, Paper, glyph, unpack_columns, unpack_raster
from photoqueue.printer.status import status_bytes

log = logging.getLogger(__name__)

CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866",
              18: "cp852", 19: "cp858"}
# ESC x -> number of argument bytes, for the commands that only change a setting we do not draw
ESC_SKIP = {" ": 1, "-": 1, "G": 1, "M": 1, "R": 1, "{": 1, "V": 1, "=": 1, "r": 1, "U": 1, "T": 1,
            "$": 2, "\\": 2, "p": 3, "c": 2, "W": 8, "L": 0, "S": 0, "i": 0, "m": 0, "e": 1, "%": 1, "u": 1}
GS_SKIP = {"H": 1, "h": 1, "w": 1, "f": 1, "a": 1, "b": 1, "L": 2, "W": 2, "P": 2, "/": 1, "T": 1, "Z": 1,
           "^": 3, ":": 0, "\\": 2, "$": 2, "E": 1}
FS_SKIP = {"-": 1, "S": 2, "W": 1, "C": 1, "p": 2, "!": 1}


@dataclass
class SimState:
    """The simulated printer's condition; the virtual printer's controls change it."""

    online: bool = True
    paper: str = "ok"  # "ok", "near_end" or "out"
    cover_open: bool = False
    error: bool = False

    @property
    def can_print(self) -> bool:
        return self.online and self.paper != "out" and not self.cover_open and not self.error

    def replies(self) -> dict[int, int]:
        return status_bytes(online=self.online, paper=self.paper, cover_open=self.cover_open, error=self.error)


class EscPosEmulator:
    """Feed it bytes with :meth:`feed`; finished tickets go to ``on_ticket(image, how)``."""

    def __init__(self, width: int = 576, *, state: SimState | None = None, chinese: bool = False,
                 on_ticket: Callable[[Image.Image, str], None] | None = None):
        self.width = width
        self.state = state or SimState()
        self.chinese_default = chinese
        self.on_ticket = on_ticket
        self.paper = Paper(width)
        self.commands: list[str] = []  # what was decoded, in order ("ESC @", "GS v 0 48x256", "text", ...)
        self.dropped = 0  # bytes of printing thrown away while the printer could not print
        self._buf = bytearray()
        self._graphic: np.ndarray | None = None
        self._reset()

    def _reset(self) -> None:
        self.chinese = self.chinese_default
        self.code_page = 0
        self.align = 0
        self.bold = self.underline = self.reverse = self.font_b = False
        self.mag_w = self.mag_h = 1
        self.line_spacing = 30
        self._line: list[np.ndarray] = []

    # -- input --------------------------------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Decode ``data`` (any split); returns the bytes the printer answers (status replies)."""
        self._buf += data
        out = bytearray()
        pos = 0
        while pos < len(self._buf):
            used = self._step(self._buf, pos, out)
            if used == 0:
                break
            pos += used
        del self._buf[:pos]
        return bytes(out)

    def finish(self) -> None:
        """The connection ended: whatever was printed without a cut is a ticket too ('uncut')."""
        self._print_line()
        self._emit("uncut")

    def _log(self, name: str) -> None:
        self.commands.append(name)
        if len(self.commands) > 200_000:  # a long-running virtual printer: keep the recent half
            del self.commands[:100_000]

    def _step(self, buf: bytearray, pos: int, out: bytearray) -> int:
        b = buf[pos]
        if b >= 0x20 and b != 0x7F:
            return self._text(buf, pos)
        if b == 0x0A:
            self._log("LF")
            self._line_feed(self.line_spacing)
            return 1
        if b in (0x1B, 0x1D, 0x1C, 0x10):
            if pos + 1 >= len(buf):
                return 0
            handler = {0x1B: self._esc, 0x1D: self._gs, 0x1C: self._fs, 0x10: self._dle}[b]
            return handler(buf, pos, chr(buf[pos + 1]), out)
        self._log({0x0D: "CR", 0x09: "HT", 0x0C: "FF", 0x00: "NUL", 0x18: "CAN"}.get(b, f"0x{b:02x}"))
        if b == 0x09:
            self._add_cell(np.zeros((CELL_H, 12 * 8 - sum(c.shape[1] for c in self._line) % 96), dtype=bool))
        elif b == 0x0C:
            self._print_line()
        return 1

    def _args(self, buf: bytearray, pos: int, n: int) -> bytes | None:
        """The n argument bytes after a 2-byte command at pos, or None if they have not all arrived."""
        return bytes(buf[pos + 2 : pos + 2 + n]) if pos + 2 + n <= len(buf) else None

    # -- text -----------------------------------------------------------------------------------------

    def _text(self, buf: bytearray, pos: int) -> int:
        end = pos
        while end < len(buf) and buf[end] >= 0x20 and buf[end] != 0x7F:
            end += 1
        if not self.chinese:
            text = bytes(buf[pos:end]).decode(CODE_PAGES.get(self.code_page, "cp437"), errors="replace")
            used = end - pos
        else:
            i = pos
            while i < end:
                if buf[i] < 0x80:
                    i += 1
                    continue
                size = 4 if i + 1 < len(buf) and 0x30 <= buf[i + 1] <= 0x39 else 2
                if i + size > end:
                    if end == len(buf) and i + size > len(buf):
                        break  # the rest of this character has not arrived
                    i = end  # a broken character before a control byte: printed as '?'
                    break
                i += size
            if i == pos:
                return 0
            text = bytes(buf[pos:i]).decode("gb18030", errors="replace")
            used = i - pos
        self._log("text")
        for ch in text:
            wide = self.chinese and not ch.isascii()
            if self.font_b and not wide:
                w, h = FONT_B
            else:
                w, h = (24 if wide else 12), CELL_H
            self._add_cell(glyph(ch, w, h))
        return used

    def _add_cell(self, cell: np.ndarray) -> None:
        if self.bold:
            cell = cell | np.pad(cell, ((0, 0), (1, 0)))[:, :-1]
        if self.underline:
            cell = cell.copy()
            cell[-2:, :] = True
        if self.reverse:
            cell = ~cell
        cell = np.repeat(np.repeat(cell, self.mag_h, axis=0), self.mag_w, axis=1)
        if sum(c.shape[1] for c in self._line) + cell.shape[1] > self.width:
            self._line_feed(0)  # a full line prints by itself, as on a real printer
        self._line.append(cell)

    def _print_line(self) -> int:
        """Print the pending characters; returns the height printed (0 if none)."""
        if not self._line:
            return 0
        height = max(c.shape[0] for c in self._line)
        cells = [np.pad(c, ((height - c.shape[0], 0), (0, 0))) for c in self._line]  # bottom-aligned
        line = np.hstack(cells)
        self._line = []
        if self.state.can_print:
            self.paper.add(line, self._offset(line.shape[1]))
        return height

    def _offset(self, width: int) -> int:
        return (0, (self.width - width) // 2, self.width - width)[self.align] if width < self.width else 0

    def _line_feed(self, spacing: int) -> None:
        printed = self._print_line()
        self._feed(max(0, spacing - printed))

    def _feed(self, dots: int) -> None:
        if self.state.can_print:
            self.paper.feed(dots)

    def _image(self, dots: np.ndarray) -> None:
        self._print_line()
        if self.state.can_print:
            self.paper.add(dots, self._offset(dots.shape[1]))
        else:
            self.dropped += dots.size // 8

    def _emit(self, how: str) -> None:
        image = self.paper.take()
        if image is not None and self.on_ticket is not None:
            self.on_ticket(image, how)

    def _cut(self, how: str) -> None:
        self._print_line()
        if self.state.can_print:
            self._emit(how)

    # -- ESC, GS, FS, DLE ---------------------------------------------------------------------------

    def _esc(self, buf: bytearray, pos: int, c: str, _out: bytearray) -> int:  # ESC answers nothing
        one = self._args(buf, pos, 1)
        if c == "@":
            self._log("ESC @")
            self._print_line()
            self._reset()
            return 2
        if c in "2":
            self._log("ESC 2")
            self.line_spacing = 30
            return 2
        if c in "3JdaE!t*":
            if one is None:
                return 0
            n = one[0]
            if c == "*":
                return self._esc_star(buf, pos)
            self._log(f"ESC {c} {n}")
            if c == "3":
                self.line_spacing = n
            elif c == "J":
                printed = self._print_line()
                self._feed(max(0, n - printed))
            elif c == "d":  # print the line, then feed n lines in all
                printed = self._print_line()
                self._feed(max(0, self.line_spacing * n - printed))
            elif c == "a":
                self.align = {0: 0, 1: 1, 2: 2, 48: 0, 49: 1, 50: 2}.get(n, 0)
            elif c == "E":
                self.bold = bool(n & 1)
            elif c == "!":
                self.font_b, self.bold, self.underline = bool(n & 1), bool(n & 8), bool(n & 0x80)
                self.mag_h, self.mag_w = (2 if n & 0x10 else 1), (2 if n & 0x20 else 1)
            elif c == "t":
                self.code_page = n
            return 3
        if c == "D":  # tab stops, NUL-terminated
            end = buf.find(b"\x00", pos + 2)
            return 0 if end < 0 else self._skip(f"ESC {c}", end + 1 - pos)
        if c in ESC_SKIP:
            return self._skip(f"ESC {c}", 2 + ESC_SKIP[c], buf, pos)
        return self._skip(f"ESC 0x{ord(c):02x} (unknown)", 2)

    def _esc_star(self, buf: bytearray, pos: int) -> int:
        head = self._args(buf, pos, 3)
        if head is None:
            return 0
        m, columns = head[0], head[1] | head[2] << 8
        high = 24 if m in (32, 33) else 8
        size = 5 + columns * high // 8
        if pos + size > len(buf):
            return 0
        dots = unpack_columns(bytes(buf[pos + 5 : pos + size]), columns, high)
        if m in (0, 32):
            dots = np.repeat(dots, 2, axis=1)
        self._log(f"ESC * {m} {columns}")
        self._add_cell(dots)  # a column image is part of the line; it prints with the line's LF
        return size

    def _gs(self, buf: bytearray, pos: int, c: str, out: bytearray) -> int:
        if c == "v":
            return self._gs_raster(buf, pos)
        if c == "V":
            return self._gs_cut(buf, pos)
        if c in "!Brk(8I":
            if c in "(8":
                return self._gs_long(buf, pos, c)
            return self._gs_one_arg(buf, pos, c, out)
        if c in GS_SKIP:
            return self._skip(f"GS {c}", 2 + GS_SKIP[c], buf, pos)
        return self._skip(f"GS 0x{ord(c):02x} (unknown)", 2)

    def _gs_raster(self, buf: bytearray, pos: int) -> int:
        """GS v 0: a raster image."""
        head = self._args(buf, pos, 6)
        if head is None:
            return 0
        mode, wb, h = head[1], head[2] | head[3] << 8, head[4] | head[5] << 8
        size = 8 + wb * h
        if pos + size > len(buf):
            return 0
        self._log(f"GS v 0 {wb}x{h}")
        dots = unpack_raster(bytes(buf[pos + 8 : pos + size]), wb, h)
        self._image(np.repeat(np.repeat(dots, 2 if mode & 2 else 1, axis=0), 2 if mode & 1 else 1, axis=1))
        return size

    def _gs_cut(self, buf: bytearray, pos: int) -> int:
        """GS V m [n]: cut, after feeding n for the function B forms."""
        one = self._args(buf, pos, 1)
        if one is None:
            return 0
        m = one[0]
        extra = 1 if m in (65, 66, 97, 98, 103, 104) else 0
        args = self._args(buf, pos, 1 + extra)
        if args is None:
            return 0
        self._log(f"GS V {m}")
        if extra:
            self._feed(args[1])
        self._cut("partial" if m in (1, 49, 66, 98, 104) else "full")
        return 3 + extra

    def _gs_one_arg(self, buf: bytearray, pos: int, c: str, out: bytearray) -> int:
        """GS ! B r I k: the commands with one argument byte (a barcode's data follows it)."""
        one = self._args(buf, pos, 1)
        if one is None:
            return 0
        n = one[0]
        if c == "!":
            self.mag_w, self.mag_h = (n >> 4 & 7) + 1, (n & 7) + 1
        elif c == "B":
            self.reverse = bool(n & 1)
        elif c == "r":  # transmit status (processed in turn, not real-time): paper sensors
            paper = self.state.paper
            out.append((0x03 if paper in ("near_end", "out") else 0) | (0x0C if paper == "out" else 0))
        elif c == "I":  # printer ID
            out += {1: b"\x20", 2: b"\x02", 3: b"\x40"}.get(n, b"_PHOTOQUEUE VIRTUAL\x00")
        elif c == "k":  # barcode: function A is NUL-terminated, function B has a length byte
            if n <= 6:
                end = buf.find(b"\x00", pos + 3)
                return 0 if end < 0 else self._skip("GS k", end + 1 - pos)
            length = self._args(buf, pos, 2)
            return 0 if length is None else self._skip("GS k", 4 + length[1], buf, pos)
        self._log(f"GS {c} {n}")
        return 3

    def _gs_long(self, buf: bytearray, pos: int, c: str) -> int:
        """GS ( X pL pH ... and GS 8 L p1..p4 ...: skipped by length, except graphics (GS ( L)."""
        if c == "(":
            head = self._args(buf, pos, 3)
            if head is None:
                return 0
            fn, start, length = chr(head[0]), pos + 5, head[1] | head[2] << 8
        else:
            head = self._args(buf, pos, 5)
            if head is None:
                return 0
            fn, start, length = chr(head[0]), pos + 7, int.from_bytes(head[1:5], "little")
        if start + length > len(buf):
            return 0
        self._log(f"GS {c} {fn}")
        body = bytes(buf[start : start + length])
        if fn == "L" and len(body) >= 2 and body[1] in (112, 50):
            if body[1] == 112 and len(body) >= 10:  # store a raster graphic: m fn a bx by c xL xH yL yH
                w, h = body[6] | body[7] << 8, body[8] | body[9] << 8
                wb = (w + 7) // 8
                if len(body) >= 10 + wb * h:
                    self._graphic = unpack_raster(body[10 : 10 + wb * h], wb, h)[:, :w]
            elif body[1] == 50 and self._graphic is not None:  # print the stored graphic
                self._image(self._graphic)
        return start + length - pos

    def _fs(self, buf: bytearray, pos: int, c: str, _out: bytearray) -> int:  # FS answers nothing
        if c == "&":
            self._log("FS &")
            self.chinese = True
            return 2
        if c == ".":
            self._log("FS .")
            self.chinese = False
            return 2
        if c in FS_SKIP:
            return self._skip(f"FS {c}", 2 + FS_SKIP[c], buf, pos)
        return self._skip(f"FS 0x{ord(c):02x} (unknown)", 2)

    def _dle(self, buf: bytearray, pos: int, c: str, out: bytearray) -> int:
        if c == "\x04":  # DLE EOT n: real-time status, answered whatever the printer's state
            one = self._args(buf, pos, 1)
            if one is None:
                return 0
            self._log(f"DLE EOT {one[0]}")
            reply = self.state.replies().get(one[0])
            if reply is not None:
                out.append(reply)
            return 3
        if c == "\x05":
            return self._skip("DLE ENQ", 3, buf, pos)
        if c == "\x14":  # DLE DC4 fn ...: pulse, power-off, clear buffer
            one = self._args(buf, pos, 1)
            if one is None:
                return 0
            return self._skip("DLE DC4", 3 + {1: 2, 2: 2, 7: 1, 8: 7}.get(one[0], 2), buf, pos)
        return self._skip(f"DLE 0x{ord(c):02x} (unknown)", 2)

    def _skip(self, name: str, size: int, buf: bytearray | None = None, pos: int = 0) -> int:
        if buf is not None and pos + size > len(buf):
            return 0
        self._log(name)
        if name.endswith("(unknown)"):
            log.debug("virtual printer: skipped unknown command %s", name)
        return size
