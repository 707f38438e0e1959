"""The central service's one exception class."""

from __future__ import annotations

from typing import Any

from photoqueue.errors import PhotoqueueError


class CentralError(PhotoqueueError):
    """A central-side failure a person (or a station) can act on: a bad database URL, a refused
    request. ``http_status`` is what the API answers when a request causes it; ``extra`` holds
    more keys for the JSON answer (e.g. ``expected_seq`` with a 409)."""

    def __init__(self, message: str, *, http_status: int = 400, extra: dict[str, Any] | None = None,
                 exit_status: int | None = None):
        super().__init__(message, exit_status=exit_status)
        self.http_status = http_status
        self.extra = dict(extra or {})
