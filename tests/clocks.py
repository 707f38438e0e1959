"""Clocks for tests of a station on a real (not simulated) clock."""

from __future__ import annotations

import datetime as dt
import time


class ShiftedClock:
    """A real clock (not simulated) ``days`` off the wall clock: a Pi that booted on a saved time."""

    def __init__(self, days: int):
        self.shift = dt.timedelta(days=days)

    def now(self) -> dt.datetime:
        return dt.datetime.now() + self.shift

    def monotonic(self) -> float:
        return time.monotonic()
