"""The station's parts as typed adapters: what the queue thread asks of each, and a null object for each
part a room does not have (no screen, no GPIO, offline), so the station never checks for None.

Every part is started and stopped from one list (:meth:`StationParts.in_order`): started in that order
when the station opens, stopped in the reverse order when it closes. A part's ``start`` must return
quickly (threads of its own do the waiting); its ``stop`` must never raise for a part already stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Protocol, runtime_checkable

from photoqueue.core import effects as fx


@runtime_checkable
class Part(Protocol):
    def start(self) -> object: ...

    def stop(self) -> None: ...


class PrinterPart(Part, Protocol):
    healthy: bool

    def print_ticket(self, effect: fx.PrintTicket, location: str = "") -> None: ...


class DisplayPart(Part, Protocol):
    def show(self, state: Any) -> None: ...

    def flash(self, kind: str, text: str = "", number: int | None = None) -> None: ...


class ButtonsPart(Part, Protocol):
    def tick(self, now: float) -> None: ...

    def feedback(self, ok: bool, good_ms: int = 120, bad_ms: int = 80, beep: bool = True) -> None: ...


class SoundsPart(Part, Protocol):
    def call(self, number: int) -> object: ...


class SyncPart(Part, Protocol):
    def wake(self) -> None: ...

    def status(self) -> dict[str, Any] | None: ...


class CameraPart(Part, Protocol):
    fault: str | None


class Adapter:
    """A base for adapters with nothing to start or stop (test doubles, simple parts)."""

    def start(self) -> Adapter:
        return self

    def stop(self) -> None:
        pass


class NullPart(Adapter):
    """A part the room does not have: it starts, stops and answers without doing anything."""


class NullPrinter(NullPart):
    healthy = True

    def print_ticket(self, effect: fx.PrintTicket, location: str = "") -> None:
        pass


class NullDisplay(NullPart):
    def show(self, state: Any) -> None:
        pass

    def flash(self, kind: str, text: str = "", number: int | None = None) -> None:
        pass


class NullButtons(NullPart):
    def tick(self, now: float) -> None:
        pass

    def feedback(self, ok: bool, good_ms: int = 120, bad_ms: int = 80, beep: bool = True) -> None:
        pass


class NullSounds(NullPart):
    def call(self, number: int) -> None:
        pass


class NullSync(NullPart):
    """Offline: no centre configured."""

    def wake(self) -> None:
        pass

    def status(self) -> None:
        return None


class NullCamera(NullPart):
    fault = None


@dataclass
class StationParts:
    """Every part of a station; the ones a room lacks are null objects."""

    printer: PrinterPart = field(default_factory=NullPrinter)
    display: DisplayPart = field(default_factory=NullDisplay)
    buttons: ButtonsPart = field(default_factory=NullButtons)
    sounds: SoundsPart = field(default_factory=NullSounds)
    sync: SyncPart = field(default_factory=NullSync)
    camera: CameraPart = field(default_factory=NullCamera)
    hid: Part = field(default_factory=NullPart)
    photos: Part = field(default_factory=NullPart)  # the live photo check (photo_watch), off by default

    def in_order(self) -> list[tuple[str, Part]]:
        """(name, part) in start order: outputs first, so the first scan has a printer and a screen;
        inputs (camera, HID scanner) last."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def present(self, name: str) -> bool:
        return not isinstance(getattr(self, name), NullPart)
