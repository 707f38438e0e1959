"""What a ticket says (:class:`Ticket`), and how untrusted text is made safe to print.

Room names, locations and class names come from timetables and station config, and a check code is
derived from a scanned code: none of them is trusted. :func:`visible_text` turns every control or
format character into a visible escape (ESC becomes the four characters ``\\x1b``), so whatever the
renderer or the text-mode encoder gets from a ticket can never become a printer command.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime

from photoqueue.printer.errors import PrinterError

# Unicode categories that are never printed as they are: controls (C0, DEL, C1), format characters
# (bidi overrides, zero-width joiners), surrogates, private use, unassigned, line/paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

MAX_ROOM = 24
MAX_LOCATION = 32
MAX_CLASS = 64
MAX_CHECK = 8
MAX_NUMBER = 99999


def visible_text(value: object, max_len: int) -> str:
    """``value`` as text with every control/format character escaped, cut to ``max_len`` characters."""
    text = "" if value is None else str(value)
    out: list[str] = []
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE:
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    safe = "".join(out).strip()
    if len(safe) > max_len:
        safe = safe[: max_len - 1] + "…"
    return safe


@dataclass(frozen=True)
class Ticket:
    """One printed ticket. The caller (the station) decides every field, including ``reprint``.

    ``position`` is the number of people ahead in the room's queue, ``wait_minutes`` the expected wait;
    either may be None when unknown. ``check_code`` is a few characters of the collection code's digest;
    it is not printed (nobody could check it against anything: the screen does not show it). ``status_url``
    is the public ``/status`` page opening on this room and number (:func:`status_link`): printed as a QR
    code and a short address, so the student can follow the queue on their phone.
    """

    room: str
    number: int
    class_name: str | None
    issued_at: datetime
    position: int | None = None
    wait_minutes: float | None = None
    check_code: str = ""
    reprint: bool = False
    location: str = ""
    status_url: str = ""

    def printable(self) -> Ticket:
        """A copy that is safe to print: checked numbers, every text field through :func:`visible_text`.

        Raises :class:`PrinterError` for a value that cannot be printed honestly (a negative number, a
        wait that is not a number): a wrong ticket is worse than a refused one.
        """
        problems = []
        if isinstance(self.number, bool) or not isinstance(self.number, int):
            problems.append(f"number must be an int, got {self.number!r}")
        elif not 0 <= self.number <= MAX_NUMBER:
            problems.append(f"number must be 0..{MAX_NUMBER}, got {self.number}")
        if not isinstance(self.issued_at, datetime):
            problems.append(f"issued_at must be a datetime, got {self.issued_at!r}")
        if self.position is not None and (
            isinstance(self.position, bool) or not isinstance(self.position, int) or self.position < 0
        ):
            problems.append(f"position must be None or an int >= 0, got {self.position!r}")
        wait = self.wait_minutes
        if wait is not None and (
            isinstance(wait, bool)
            or not isinstance(wait, int | float)
            or not math.isfinite(wait)
            or wait < 0
        ):
            problems.append(f"wait_minutes must be None or a number >= 0, got {wait!r}")
        if problems:
            raise PrinterError("ticket cannot be printed: " + "; ".join(problems))
        return replace(
            self,
            room=visible_text(self.room, MAX_ROOM),
            location=visible_text(self.location, MAX_LOCATION),
            class_name=visible_text(self.class_name, MAX_CLASS) or None,
            check_code=visible_text(self.check_code, MAX_CHECK),
            reprint=bool(self.reprint),
            status_url=self.status_url if _plain_url(self.status_url) else "",
        )


MAX_URL = 300


def _plain_url(url: object) -> bool:
    """An http(s) address of printable ASCII only (nothing a QR reader or the printer could take otherwise)."""
    return (isinstance(url, str) and 0 < len(url) <= MAX_URL and url.startswith(("http://", "https://"))
            and all(33 <= ord(ch) < 127 for ch in url))


def status_link(base: str, room: str, number: int) -> str:
    """The public page opening on ``room`` and the student's ``number``: ``BASE?room=第一组&n=17``
    (percent-encoded). ``base`` is the ``[printer] status_url`` setting, e.g. ``http://10.0.0.5/status``."""
    from urllib.parse import urlencode

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}{urlencode({'room': room, 'n': number})}"


def short_address(url: str) -> str:
    """What a person types: the address without its scheme and query (``10.0.0.5/status``)."""
    bare = url.split("://", 1)[-1]
    return bare.split("?", 1)[0].rstrip("/")


def format_time(ticket: Ticket) -> str:
    return ticket.issued_at.strftime("%Y-%m-%d %H:%M:%S")


def format_queue(ticket: Ticket) -> str:
    """'前面还有 12 人，约等 6 分钟' — or the part that is known, or '' when neither is."""
    parts = []
    if ticket.position is not None:
        parts.append("即将轮到您" if ticket.position == 0 else f"前面还有 {ticket.position} 人")
    if ticket.wait_minutes is not None:
        minutes = ticket.wait_minutes
        if minutes < 1:
            parts.append("等候不到 1 分钟")
        elif minutes < 60:
            parts.append(f"约等 {round(minutes)} 分钟")
        else:
            hours, rest = divmod(round(minutes), 60)
            parts.append(f"约等 {hours} 小时 {rest} 分钟" if rest else f"约等 {hours} 小时")
    return "，".join(parts)


INSTRUCTION = "请按顺序排队，拍摄时向摄影师报出拍摄号"
REPRINT_MARK = "补打 / REPRINT"
NUMBER_LABEL = "拍摄号 No."
STATUS_LABEL = "手机扫码看叫号进度"


def status_lines(ticket: Ticket) -> tuple[str, ...]:
    """The lines beside the QR code: what it is, the short address, and the room to pick there."""
    return STATUS_LABEL, f"或打开 {short_address(ticket.status_url)}", f"选「{ticket.room}」"
