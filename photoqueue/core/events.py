"""The event schema: every change to a station's queue is one of these, appended to its log.

Events are facts, decided by the queue core and committed by the event store before anything
is printed or shown. They carry their outcome explicitly (an ``Advanced`` says which ticket
it photographed and which it called) so that replaying them needs no decisions, and the
central service can fold the same events without the station's rules.

Shared by the station and the central service: pure, no I/O.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar

from photoqueue.core.errors import CoreError

EVENT_TYPES: dict[str, type[Event]] = {}
_ATOMS = (str, int, float, bool, type(None))

# Fields that hold a raw collection code: they stay in the station's own database.
PRIVATE_FIELDS = frozenset({"code"})


@dataclass(frozen=True, kw_only=True)
class Event:
    """Common envelope: the session (room, date), the station's wall clock, and the sequence
    number the store assigns (gapless per station, 0 until stored)."""

    type: ClassVar[str] = ""
    room: str
    date: str  # ISO date of the session
    at: str  # ISO timestamp, station clock (informative only: order is seq)
    seq: int = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.type:
            EVENT_TYPES[cls.type] = cls

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, without its deep walk over every plain str and int: a scan's
        # commit turns its event into a dict twice (the log's row, the outbox's copy).
        d = {f.name: _plain(getattr(self, f.name)) for f in _fields(type(self))}
        d["type"] = self.type
        return d

    def public_dict(self) -> dict[str, Any]:
        """The form that may leave the station: no raw collection code."""
        return {k: v for k, v in self.to_dict().items() if k not in PRIVATE_FIELDS}

    def with_seq(self, seq: int) -> Event:
        return dataclasses.replace(self, seq=seq)


@functools.cache
def _fields(cls: type) -> tuple[dataclasses.Field, ...]:
    return dataclasses.fields(cls)


def _plain(value: Any) -> Any:
    """A field's value as ``dataclasses.asdict`` gives it: atoms as they are, containers copied."""
    return value if type(value) in _ATOMS else copy.deepcopy(value)


def event_from_dict(d: dict[str, Any]) -> Event:
    """Build an event from its dict form; unknown types or fields raise :class:`CoreError`."""
    if not isinstance(d, dict):
        raise CoreError(f"an event must be an object, not {type(d).__name__}")
    kind = d.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise CoreError(f"unknown event type {kind!r}")
    names = {f.name for f in dataclasses.fields(cls)}
    fields_in = {k: v for k, v in d.items() if k != "type"}
    unknown = set(fields_in) - names
    if unknown:
        raise CoreError(f"{kind}: unknown field(s) {', '.join(sorted(unknown))}")
    try:
        return cls(**fields_in)
    except TypeError as exc:
        raise CoreError(f"{kind}: {exc}") from None


# --- the events -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TimetableLoaded(Event):
    """The session's plan: the room's classes that day, in shooting order.
    ``classes`` items: {"name", "headcount", "start", "end"} (times "HH:MM" or None)."""

    type: ClassVar[str] = "timetable_loaded"
    classes: list[dict[str, Any]] = field(default_factory=list)
    auto_advance: bool = True


@dataclass(frozen=True, kw_only=True)
class TicketIssued(Event):
    """A code got its number. ``called``: the room was idle, so it is called at once."""

    type: ClassVar[str] = "ticket_issued"
    number: int
    code_digest: str
    code: str = ""  # raw: private to the station, absent from the public form
    class_name: str | None
    called: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketReprinted(Event):
    """A code that already holds a number was scanned again (or staff asked for a reprint)."""

    type: ClassVar[str] = "ticket_reprinted"
    number: int
    by: str = "scan"  # scan | staff


@dataclass(frozen=True, kw_only=True)
class Advanced(Event):
    """The photographer's press: ``photographed`` is done, ``called`` is next (either may be None)."""

    type: ClassVar[str] = "advanced"
    photographed: int | None
    called: int | None


@dataclass(frozen=True, kw_only=True)
class AdvanceUndone(Event):
    """A hold of the button: the last advance reversed. ``photographed`` is called again,
    ``called`` goes back to the head of the waiting line."""

    type: ClassVar[str] = "advance_undone"
    photographed: int | None
    called: int | None


@dataclass(frozen=True, kw_only=True)
class TicketSkipped(Event):
    """A no-show. If it was the called ticket, ``called`` is the next one."""

    type: ClassVar[str] = "ticket_skipped"
    number: int
    called: int | None = None


@dataclass(frozen=True, kw_only=True)
class TicketRecalled(Event):
    """A skipped ticket back at the head of the line (called at once when the room is idle)."""

    type: ClassVar[str] = "ticket_recalled"
    number: int
    called: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketVoided(Event):
    """Staff cancelled a ticket. If it was the called ticket, ``called`` is the next one."""

    type: ClassVar[str] = "ticket_voided"
    number: int
    reason: str = ""
    called: int | None = None


@dataclass(frozen=True, kw_only=True)
class ClassSwitched(Event):
    """The active class changed. ``by``: start | staff | auto."""

    type: ClassVar[str] = "class_switched"
    class_name: str | None
    previous: str | None
    by: str = "staff"


@dataclass(frozen=True, kw_only=True)
class TicketClassCorrected(Event):
    type: ClassVar[str] = "ticket_class_corrected"
    number: int
    class_name: str | None
    previous: str | None


@dataclass(frozen=True, kw_only=True)
class TicketPrinted(Event):
    type: ClassVar[str] = "ticket_printed"
    number: int
    reprint: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketPrintFailed(Event):
    type: ClassVar[str] = "ticket_print_failed"
    number: int
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class DuplicateFlagged(Event):
    """The central store reports this ticket's code already holds a number in another room that day."""

    type: ClassVar[str] = "duplicate_flagged"
    number: int
    other_room: str
    other_number: int | None = None


@dataclass(frozen=True, kw_only=True)
class NumbersOnPaper(Event):
    """Staff say numbers up to ``upto`` were handed out on paper (printed tickets) that this log lost (a
    recover with no witness and no centre, ``photoqueue recover --last-number N``): the next number is above
    them, and the gap is in the log, not silent."""

    type: ClassVar[str] = "numbers_on_paper"
    upto: int
    by: str = "recover"

