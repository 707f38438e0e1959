"""The ticket drawn as a 1-bit raster as wide as the print head (384 dots on 58 mm, 576 on 80 mm).

Drawn in greyscale with an anti-aliased CJK font, then cut to black and white at a fixed threshold:
a thermal head has no grey. Sizes scale with the width, with a floor so that 58 mm tickets stay
readable. ``scale`` draws everything larger (for OCR checks); a printer always gets ``scale=1``.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw

from photoqueue.printer.fonts import find_cjk_font, load_font
from photoqueue.printer.ticket import (
    INSTRUCTION,
    NUMBER_LABEL,
    REPRINT_MARK,
    Ticket,
    format_queue,
    format_time,
    status_lines,
)

THRESHOLD = 140  # grey levels darker than this print; a little above 128 keeps thin strokes whole
# Break a line after these rather than anywhere; never start a line with a closing mark.
_BREAK_AFTER = set("，。、；：！？,;:!? )）】」")
_NO_LINE_START = set("，。、；：！？,.;:!?）)】」…")
_BREAK_BEFORE = set("(（【「")


def wrap(text: str, font, max_width: float) -> list[str]:
    """Greedy line breaking that works for Chinese (any character may break) and keeps ASCII words whole.

    Prefers to break after punctuation or before an opening bracket in the last 70% of a line, and never starts a line with a
    closing mark such as '）' or '，'.
    """
    # Most lines fit whole, and the labels and the instruction are the same on every ticket: measuring
    # them once keeps the ticket's render time (on the scan-to-ticket path) to a few milliseconds.
    return list(_wrap_cached(text, font, max_width))


@functools.lru_cache(maxsize=512)
def _wrap_cached(text: str, font, max_width: float) -> tuple[str, ...]:
    if font.getlength(text) <= max_width:
        return (text,)
    return tuple(_wrap(text, font, max_width))


def _wrap(text: str, font, max_width: float) -> list[str]:
    tokens: list[str] = []
    for ch in text:
        if tokens and ch.isascii() and ch.isalnum() and tokens[-1][-1].isascii() and tokens[-1][-1].isalnum():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    lines: list[str] = []
    current = ""
    for token in tokens:
        if font.getlength(current + token) <= max_width or not current:
            if font.getlength(token) > max_width and not current:
                # a single ASCII word wider than the line: cut it by characters
                for ch in token:
                    if current and font.getlength(current + ch) > max_width:
                        lines.append(current)
                        current = ""
                    current += ch
                continue
            current += token
            continue
        head, tail = current, token
        for i in range(len(current) - 1, max(0, int(len(current) * 0.3)) - 1, -1):
            if current[i] in _BREAK_AFTER:
                head, tail = current[: i + 1], current[i + 1 :] + token
                break
            if current[i] in _BREAK_BEFORE and i > 0:
                head, tail = current[:i], current[i:] + token
                break
        while tail and tail[0] in _NO_LINE_START and len(head) > 1:
            head, tail = head[:-1], head[-1] + tail
        lines.append(head.rstrip())
        current = tail.lstrip()
    if current:
        lines.append(current)
    return lines


class _Canvas:
    """A tall greyscale page drawn top to bottom; ``y`` is where the next thing goes."""

    def __init__(self, width: int, font_path: str, scale: float):
        self.width = width
        self.font_path = font_path
        self.u = width / 576  # layout unit: 1.0 on 80 mm paper
        self.scale = scale
        self.margin = max(4, round(6 * self.u))
        self.img = Image.new("L", (width, int(2400 * max(1.0, self.u))), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.y = self.margin

    def px(self, base: float, floor: float) -> int:
        return max(round(floor * self.scale), round(base * (0.5 + 0.5 * self.u) * self.scale))

    def font(self, size: int):
        return load_font(self.font_path, size)

    def text_block(self, text: str, size: int, *, align: str = "left", x0: int | None = None,
                   bold: bool = False, gap: float = 0.25, max_lines: int = 6) -> None:
        font = self.font(size)
        left = self.margin if x0 is None else x0
        lines = wrap(text, font, self.width - self.margin - left)
        if len(lines) > max_lines:
            lines = lines[: max_lines - 1] + [lines[max_lines - 1][:-1] + "…"]
        ascent, descent = font.getmetrics()
        for line in lines:
            w = font.getlength(line)
            x = left if align == "left" else (self.width - w) / 2 if align == "center" else self.width - w - self.margin
            self.draw.text((x, self.y), line, font=font, fill=0, stroke_width=1 if bold else 0, stroke_fill=0)
            self.y += ascent + descent + round(size * gap)

    def labelled(self, label: str, value: str, size: int, *, bold: bool = False) -> None:
        """'班级  value' with the value wrapped under itself, not under the label."""
        font = self.font(size)
        label_font = self.font(max(1, round(size * 0.85)))
        y = self.y
        self.draw.text((self.margin, y + round(size * 0.1)), label, font=label_font, fill=0)
        x0 = self.margin + round(label_font.getlength(label) + size * 0.5)
        self.text_block(value, size, x0=x0, bold=bold, max_lines=3)
        self.y = max(self.y, y + sum(font.getmetrics()))

    def rule(self, thickness: int = 2) -> None:
        self.y += round(6 * self.u * self.scale)
        self.draw.rectangle((self.margin, self.y, self.width - self.margin - 1, self.y + thickness - 1), fill=0)
        self.y += thickness + round(10 * self.u * self.scale)

    def big_number(self, number: int) -> None:
        """The shooting number as large as fits the width (and at most about half of it tall)."""
        text = str(number)
        size = self.px(250, 150)
        avail = self.width - 2 * self.margin
        while size > 20:
            stroke = max(1, size // 36)
            left, top, right, bottom = self.font(size).getbbox(text, stroke_width=stroke)
            if right - left <= avail:
                break
            size -= 4
        font = self.font(size)
        x = (self.width - (right - left)) / 2 - left
        self.draw.text((x, self.y - top), text, font=font, fill=0, stroke_width=stroke, stroke_fill=0)
        self.y += bottom - top + round(8 * self.u * self.scale)

    def inverse_banner(self, text: str, size: int) -> None:
        """White text on a black bar: the reprint mark, impossible to miss."""
        font = self.font(size)
        ascent, descent = font.getmetrics()
        pad = round(size * 0.3)
        top = self.y
        self.draw.rectangle((self.margin, top, self.width - self.margin - 1, top + ascent + descent + 2 * pad), fill=0)
        w = font.getlength(text)
        self.draw.text(((self.width - w) / 2, top + pad), text, font=font, fill=255, stroke_width=1, stroke_fill=255)
        self.y = top + ascent + descent + 2 * pad + round(10 * self.u * self.scale)

    def status_block(self, url: str, lines: tuple[str, ...], size: int) -> None:
        """The QR code of ``url`` at the left (about 45% of the width, whole dots a module, a quiet zone of
        two modules), ``lines`` wrapped beside it."""
        matrix = qr_matrix(url)
        quiet = 2
        modules = len(matrix) + 2 * quiet
        dot = max(2, int(self.width * 0.45) // modules)
        side = dot * modules
        top = self.y
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    x, y = self.margin + (c + quiet) * dot, top + (r + quiet) * dot
                    self.draw.rectangle((x, y, x + dot - 1, y + dot - 1), fill=0)
        x0 = self.margin + side + round(8 * self.u * self.scale)
        self.y = top + quiet * dot
        self.text_block(lines[0], size, x0=x0, bold=True, max_lines=3)
        for line in lines[1:]:
            self.text_block(line, max(1, round(size * 0.85)), x0=x0, max_lines=3)
        self.y = max(self.y, top + side)

    def finish(self) -> Image.Image:
        height = min(self.img.height, self.y + self.margin)
        grey = self.img.crop((0, 0, self.width, height))
        return grey.point(lambda v: 255 if v >= THRESHOLD else 0, mode="1")


def render_ticket(ticket: Ticket, width: int = 576, *, font_path: str | None = None, scale: float = 1.0) -> Image.Image:
    """The ticket as a mode "1" image ``width`` dots wide (times ``scale``); black pixels print.

    ``ticket`` goes through :meth:`Ticket.printable` first, so control characters in its text are
    drawn as visible escapes.
    """
    t = ticket.printable()
    c = _Canvas(round(width * scale), find_cjk_font(font_path), scale)
    header_size = c.px(40, 26)
    header = t.room + (f" · {t.location}" if t.location else "")
    if c.font(header_size).getlength(header) <= c.width - 2 * c.margin:
        c.text_block(header, header_size, align="center", bold=True)
    else:  # the room on its own line, the location smaller under it
        c.text_block(t.room, header_size, align="center", bold=True)
        c.text_block(t.location, c.px(30, 22), align="center")
    if t.reprint:
        c.y += round(4 * c.u * scale)
        c.inverse_banner(REPRINT_MARK, c.px(36, 26))
    c.rule()
    c.text_block(NUMBER_LABEL, c.px(28, 22), align="center")
    c.big_number(t.number)
    c.rule()
    if t.class_name:
        c.labelled("班级", t.class_name, c.px(34, 26), bold=True)
    c.labelled("时间", format_time(t), c.px(28, 22))
    queue = format_queue(t)
    if queue:
        c.labelled("排队", queue, c.px(28, 22))
    c.rule(thickness=1)
    c.text_block(INSTRUCTION, c.px(28, 22), align="center")
    if t.status_url:
        c.rule(thickness=1)
        c.status_block(t.status_url, status_lines(t), c.px(26, 20))
    return c.finish()


@functools.lru_cache(maxsize=64)
def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of ``text`` as rows of dark modules (error correction M; no quiet zone)."""
    import qrcode  # python-escpos's own dependency

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    return tuple(tuple(bool(v) for v in row) for row in qr.get_matrix())
