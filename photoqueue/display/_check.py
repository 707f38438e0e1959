"""Small helpers that collect every problem in a dict before raising one :class:`DisplayError`."""

from __future__ import annotations

from collections.abc import Iterable

from photoqueue.display.errors import DisplayError
from photoqueue.hints import did_you_mean


class Problems:
    """Collects messages; :meth:`raise_if_any` raises one DisplayError listing them all."""

    def __init__(self, what: str):
        self.what = what
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def unknown_keys(self, data: dict, known: Iterable[str], where: str = "") -> None:
        known = list(known)
        for key in data:
            if key not in known:
                self.add(f"{where}{key!r}: unknown key{did_you_mean(key, known, list_known=True)}")

    def raise_if_any(self) -> None:
        if self.messages:
            head = f"{self.what}: {len(self.messages)} problem(s)"
            raise DisplayError(head + "\n  - " + "\n  - ".join(self.messages))


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
