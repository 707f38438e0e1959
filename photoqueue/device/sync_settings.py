"""The station's ``[central]`` settings: where the centre is and how the sync client behaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photoqueue.device.errors import StationError


def _help(text: str, default: Any):
    return field(default=default, metadata={"help": text})


@dataclass
class SyncSettings:
    url: str = _help("The centre's base URL, e.g. http://central.lan:8600; empty: no sync (offline station)", "")
    token_file: str = _help("File holding this station's token (from `photoqueue central add-station`)", "")
    batch_size: int = _help("Most events sent in one request", 500)
    interval_s: float = _help("Seconds between syncs when the outbox is empty (a heartbeat)", 2.0)
    timeout_s: float = _help("Seconds to wait for the centre's answer", 10.0)
    backoff_initial_s: float = _help("First retry delay after a failure (seconds; doubles each failure)", 1.0)
    backoff_max_s: float = _help("Longest retry delay after failures (seconds)", 60.0)
    clock_bound_s: float = _help("Seconds the station's clock may differ from the centre's before it shows an "
                                 "alert; a different date stops numbering either way", 120.0)
    timetable_cache: str = _help("Where the last timetable pulled from the centre is kept; empty: beside the "
                                 "station database", "")

    def validate(self) -> list[str]:
        errors = []
        if self.url and not self.url.startswith(("http://", "https://")):
            errors.append(f"url: {self.url!r} must start with http:// or https://")
        if self.url and not self.token_file:
            errors.append("token_file: needed when url is set (the station's token)")
        if not 1 <= self.batch_size <= 5000:
            errors.append(f"batch_size: {self.batch_size} is not between 1 and 5000")
        for name in ("interval_s", "timeout_s", "backoff_initial_s", "backoff_max_s", "clock_bound_s"):
            if getattr(self, name) <= 0:
                errors.append(f"{name}: must be more than 0, not {getattr(self, name)}")
        if self.backoff_max_s < self.backoff_initial_s:
            errors.append("backoff_max_s: must not be less than backoff_initial_s")
        return errors

    def read_token(self) -> str:
        try:
            token = Path(self.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise StationError(f"{self.token_file}: cannot read the station token: {exc.strerror}") from None
        if not token:
            raise StationError(f"{self.token_file}: the station token file is empty")
        return token
