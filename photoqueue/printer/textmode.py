"""The ticket in text mode, for printers with a resident GB18030 (or GBK) Chinese font.

A few hundred bytes instead of tens of kilobytes of raster: much faster over a serial line. Chinese is
encoded to GB18030 bytes here (python-escpos's code-page machinery has no Chinese) and printed in the
printer's Chinese mode (FS &). Every text field went through :func:`visible_text` first, and anything a
resident font cannot show (outside GBK) becomes '?', so the bytes between commands are only printable
single-byte ASCII or complete two-byte GBK characters: never a control byte.
"""

from __future__ import annotations

from photoqueue.printer import commands as cmd
from photoqueue.printer.ticket import (
    INSTRUCTION,
    NUMBER_LABEL,
    REPRINT_MARK,
    Ticket,
    format_queue,
    format_time,
    status_lines,
)

DOTS_PER_COLUMN = 12  # Font A: 12x24 dots for ASCII, 24x24 (two columns) for a Chinese character


def encode_text(text: str) -> bytes:
    """GB18030 bytes for text already made visible; characters outside GBK (two-byte) become '?'."""
    out = bytearray()
    for ch in text:
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            out += b"?"  # unreachable after visible_text, kept so this function is safe on its own
            continue
        try:
            b = ch.encode("gbk")
        except UnicodeEncodeError:
            b = b"?"
        out += b
    return bytes(out)


def columns(text: str) -> int:
    """Print columns in Chinese mode: one per byte, as a two-byte GBK character prints two columns wide."""
    return len(encode_text(text))


def wrap_columns(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if current and columns(current + ch) > width:
            lines.append(current)
            current = ""
        current += ch
    if current:
        lines.append(current)
    return lines


def _line(text: str) -> bytes:
    return encode_text(text) + cmd.LF


def ticket_text_commands(ticket: Ticket, width_dots: int) -> list[bytes]:
    """The body of a text-mode ticket (no ESC @, no cut), one bytes object per line."""
    t = ticket.printable()
    cols = width_dots // DOTS_PER_COLUMN
    out = [cmd.CHINESE_ON, cmd.align("center"), cmd.BOLD_ON, cmd.char_size(2, 2)]
    for line in wrap_columns(t.room, cols // 2):
        out.append(_line(line))
    out += [cmd.BOLD_OFF, cmd.char_size(1, 1)]
    if t.location:
        out += [_line(line) for line in wrap_columns(t.location, cols)]
    if t.reprint:
        mark = f" {REPRINT_MARK} "
        big = 2 if columns(mark) * 2 <= cols else 1  # as large as fits: staff must not miss it
        out += [cmd.REVERSE_ON, cmd.BOLD_ON, cmd.char_size(big, big), _line(mark), cmd.char_size(1, 1),
                cmd.BOLD_OFF, cmd.REVERSE_OFF]
    out += [_line("-" * cols), _line(NUMBER_LABEL)]
    digits = str(t.number)
    mag = max(1, min(8, width_dots // (DOTS_PER_COLUMN * len(digits))))
    out += [cmd.char_size(mag, mag), _line(digits), cmd.char_size(1, 1), _line("-" * cols), cmd.align("left")]
    if t.class_name:
        label = "班级："
        indent = " " * columns(label)
        wrapped = wrap_columns(t.class_name, cols - columns(label))
        out.append(cmd.BOLD_ON)
        out += [_line((label if i == 0 else indent) + line) for i, line in enumerate(wrapped)]
        out.append(cmd.BOLD_OFF)
    out.append(_line("时间：" + format_time(t)))
    queue = format_queue(t)
    if queue:
        out += [_line(line) for line in wrap_columns("排队：" + queue, cols)]
    out += [_line("-" * cols), cmd.align("center")]
    first, _, rest = INSTRUCTION.partition("，")
    instruction = [INSTRUCTION] if columns(INSTRUCTION) <= cols else [first + "，", rest]
    out += [_line(line) for part in instruction for line in wrap_columns(part, cols)]
    if t.status_url:  # the printer draws the QR code itself (GS ( k), the lines under it
        out += [_line("-" * cols), cmd.qr_code(t.status_url.encode("ascii"), 6 if width_dots >= 576 else 4),
                cmd.LF]
        out += [_line(line) for text in status_lines(t) for line in wrap_columns(text, cols)]
    out += [cmd.align("left"), cmd.CHINESE_OFF]
    return out
