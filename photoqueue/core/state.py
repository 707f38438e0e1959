"""A session's queue as the reducer keeps it: the tickets with their status, the line, the called one, the
class plan. Built only by folding committed events (:func:`photoqueue.core.queue.apply`); read by the station's
screen and reports and by the centre's projection. Pure: no I/O.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from photoqueue.core.codecheck import CodePolicy


class TicketStatus(StrEnum):
    """Where a ticket is: waiting -> called -> photographed, or skipped (recallable), or voided by staff."""

    WAITING = "waiting"
    CALLED = "called"
    PHOTOGRAPHED = "photographed"
    SKIPPED = "skipped"
    VOIDED = "voided"


WAITING, CALLED, PHOTOGRAPHED, SKIPPED, VOIDED = TicketStatus
STATUSES = tuple(TicketStatus)


@dataclass
class TicketState:
    number: int
    code_digest: str
    class_name: str | None
    issued_at: str
    status: str = WAITING
    photographed_at: str | None = None
    shot_seq: int | None = None  # seq of the event that gave the ticket its final status (shooting order)
    printed: bool | None = None  # None: no print outcome yet
    print_error: str = ""
    reprints: int = 0
    void_reason: str = ""
    flagged_room: str = ""  # another room where this code also holds a number


@dataclass
class SessionState:
    """One session's queue: (room, date). Owned by one thread; ``apply`` changes it in place."""

    room: str
    date: str
    tickets: dict[int, TicketState] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)  # raw code -> number (station only)
    by_digest: dict[str, int] = field(default_factory=dict)
    waiting: list[int] = field(default_factory=list)  # head first
    called: int | None = None
    undo_stack: list[tuple[int | None, int | None]] = field(default_factory=list)
    active_class: str | None = None
    plan: list[dict[str, Any]] = field(default_factory=list)  # from TimetableLoaded
    auto_advance: bool = True
    last_seq: int = 0
    # the highest number handed out: the last ticket's, or one staff gave from paper (NumbersOnPaper)
    last_number: int = 0
    # class -> tickets issued in it and not voided; kept by apply() so a scan need not walk the whole day
    class_issued: dict[str | None, int] = field(default_factory=dict)
    # (photographed_at, issued_at) of each photo in shooting order, for the live pace; an undo pops its photo
    shots: list[tuple[str, str]] = field(default_factory=list)

    @property
    def next_number(self) -> int:
        return self.last_number + 1

    def copy(self) -> SessionState:
        return copy.deepcopy(self)

    def snapshot(self) -> dict[str, Any]:
        """Everything that defines the queue, for comparisons (``last_seq`` excluded)."""
        d = copy.deepcopy(self.__dict__)
        d.pop("last_seq")
        d["tickets"] = {n: t.__dict__ for n, t in d["tickets"].items()}
        return d

    def plan_class(self, name: str | None) -> dict[str, Any] | None:
        for c in self.plan:
            if c["name"] == name:
                return c
        return None

    def class_after(self, name: str | None) -> str | None:
        names = [c["name"] for c in self.plan]
        if name is None:
            return names[0] if names else None
        if name not in names:
            return None
        i = names.index(name)
        return names[i + 1] if i + 1 < len(names) else None

    def issued_in(self, class_name: str | None) -> int:
        return self.class_issued.get(class_name, 0)

    def position(self, number: int) -> int | None:
        """How many are ahead of this ticket (the called one included); None when not in line."""
        if self.called == number:
            return 0
        if number in self.waiting:
            return self.waiting.index(number) + (1 if self.called is not None else 0)
        return None


@dataclass(frozen=True)
class Rules:
    """What the core needs to know that is not an event: the deployment key and the code policy."""

    digest_key: bytes
    code_policy: CodePolicy = CodePolicy()
