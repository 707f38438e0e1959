"""Commands: what can be asked of the queue core. Buttons, scanners, the CLI and the central
service's staff actions all become one of these; the core turns them into events (or refuses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Command:
    """Base of every queue command."""


@dataclass(frozen=True)
class Scan(Command):
    """A decoded text from the camera, the HID scanner or manual entry: the same path for all."""

    code: str
    source: str = "manual"


@dataclass(frozen=True)
class LoadTimetable(Command):
    classes: tuple[dict[str, Any], ...]
    auto_advance: bool = True


@dataclass(frozen=True)
class Advance(Command):
    """The photographer's press: the called ticket is photographed, the next is called."""


@dataclass(frozen=True)
class Undo(Command):
    """A hold of the button: the last press is undone."""


@dataclass(frozen=True)
class Skip(Command):
    """A no-show: the called ticket when ``number`` is None."""

    number: int | None = None


@dataclass(frozen=True)
class Recall(Command):
    number: int


@dataclass(frozen=True)
class Void(Command):
    number: int
    reason: str = ""


@dataclass(frozen=True)
class SwitchClass(Command):
    """Switch the active class: to the next in the timetable when ``class_name`` is None."""

    class_name: str | None = None


@dataclass(frozen=True)
class CorrectClass(Command):
    number: int
    class_name: str | None


@dataclass(frozen=True)
class Reprint(Command):
    number: int


@dataclass(frozen=True)
class RecordPrint(Command):
    """What the printer did with a ticket: recorded so that unprinted tickets can be found."""

    number: int
    ok: bool
    reason: str = ""
    reprint: bool = False


@dataclass(frozen=True)
class FlagDuplicate(Command):
    """From the central store: this ticket's code also holds a number in another room today."""

    number: int
    other_room: str
    other_number: int | None = None
