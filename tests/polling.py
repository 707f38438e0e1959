"""Waiting in tests for something another thread does: poll the condition, never sleep a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], object], timeout: float = 15.0) -> bool:
    """True as soon as ``predicate()`` is true; its last answer after ``timeout`` seconds. The timeout
    only bounds a failing test: a passing one returns at the first true answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())
