"""Effects: what the station should do after events are committed. Plain data; the station
app hands each to its adapter (printer, display, sound, sync client)."""

from __future__ import annotations

from dataclasses import dataclass


class Effect:
    """Base of every effect."""


@dataclass(frozen=True)
class PrintTicket(Effect):
    room: str
    date: str
    number: int
    class_name: str | None
    reprint: bool
    check_code: str
    issued_at: str
    ahead: int | None  # people ahead in line (0: being called now); None when not in line
    pace_s: float = 10.0  # seconds a student, as measured (queue.pace_s): the expected wait is ahead x this


@dataclass(frozen=True)
class ScanFeedback(Effect):
    """The answer to a scan, for the screen's flash, the LED and the buzzer."""

    ok: bool
    kind: str  # issued | reprint | rejected
    number: int | None
    rule: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class StaffNotice(Effect):
    kind: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class CallNumber(Effect):
    """A number is now called: chime, speak, show."""

    number: int


@dataclass(frozen=True)
class Redraw(Effect):
    pass


@dataclass(frozen=True)
class SyncOutbox(Effect):
    pass
