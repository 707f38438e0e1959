"""Small helpers that collect every problem in a dict before raising one :class:`DisplayError`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from photoqueue.display.errors import DisplayError


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
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
                self.add(f"{where}{key!r}: unknown key{hint}")

    def raise_if_any(self) -> None:
        if self.messages:
            head = f"{self.what}: {len(self.messages)} problem(s)"
            raise DisplayError(head + "\n  - " + "\n  - ".join(self.messages))


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
