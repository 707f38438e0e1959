"""The hall screen's alert band: named alerts, each shown until it is cleared or its time runs out.

The station's queue thread owns the band; other threads reach it by submitting an :class:`Alert` item
(the photo watch's "photos and numbers disagree"). Times are the station's clock (``monotonic``), so a
simulated day expires its notices on the simulated clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Alert:
    """A named alert for the hall screen (and the dashboard, through health) from another thread: the
    photo watch's "photos and numbers disagree". ``text`` None clears it."""

    key: str
    text: str | None = None


class AlertBand:
    """key -> (text, until); ``until`` None stays until cleared. Every change answers whether the band
    changed, so the caller redraws only then."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._items: dict[str, tuple[str, float | None]] = {}

    def set(self, key: str, text: str, seconds: float | None = None) -> None:
        self._items[key] = (text, None if seconds is None else self._clock() + seconds)

    def text(self, key: str) -> str | None:
        item = self._items.get(key)
        return item[0] if item else None

    def clear(self, key: str) -> bool:
        return self._items.pop(key, None) is not None

    def clear_prefix(self, prefix: str) -> bool:
        return self._drop(lambda key, _until: key.startswith(prefix))

    def expire(self) -> bool:
        """Drop the alerts whose time ran out."""
        now = self._clock()
        return self._drop(lambda _key, until: until is not None and now >= until)

    def _drop(self, gone: Callable[[str, float | None], bool]) -> bool:
        keys = [k for k, (_, until) in self._items.items() if gone(k, until)]
        for k in keys:
            del self._items[k]
        return bool(keys)

    @property
    def texts(self) -> list[str]:
        return [text for text, _ in self._items.values()]


def gate_alerts(band: AlertBand, gate, sync_status: Callable[[], dict]) -> bool:
    """The number gate's state in the band (device/store/gate.py): why numbering is refused, or that the centre was
    not reached at the start (cleared once a sync gets through). True when the band changed."""
    changed = False
    refusal = gate.refusal
    text = f"{refusal.zh} / {refusal.reason.value}" if refusal is not None else None
    if text is not None and band.text("gate") != text:
        band.set("gate", text)
        changed = True
    if gate.centre_state == "unreachable":
        if sync_status().get("last_ok_at"):
            gate.centre_state = "reached after start"
            changed = band.clear("centre") or changed
        elif band.text("centre") is None:
            from photoqueue.device.store.gate import UNREACHABLE_ZH

            band.set("centre", UNREACHABLE_ZH)
            changed = True
    return changed

