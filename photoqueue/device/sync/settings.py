"""The station's ``[central]`` settings: where the centre is and how the sync client behaves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from photoqueue.device.errors import StationError
from photoqueue.settings import setting


def _url_problem(url: str) -> str | None:
    if url and not url.startswith(("http://", "https://")):
        return f"{url!r} must start with http:// or https://"
    return None


@dataclass
class SyncSettings:
    url: str = setting("", "The centre's base URL, e.g. http://central.lan:8600; empty: no sync (offline station)",
                       check=_url_problem)
    token_file: str = setting("", "File holding this station's token (from `photoqueue central add-station`)")
    batch_size: int = setting(500, "Most events sent in one request", min=1, max=5000)
    # at least 10 ms: a zero or negative wait would spin
    interval_s: float = setting(2.0, "Seconds between syncs when the outbox is empty (a heartbeat)", min=0.01)
    timeout_s: float = setting(10.0, "Seconds to wait for the centre's answer", min=0.01)
    backoff_initial_s: float = setting(1.0, "First retry delay after a failure (seconds; doubles each failure)",
                                       min=0.01)
    backoff_max_s: float = setting(60.0, "Longest retry delay after failures (seconds)", min=0.01)
    hello_timeout_s: float = setting(3.0, "Seconds to wait for the centre's hello before the first number after a "
                                          "start; unreachable: number on this station's own records", min=0.1,
                                     max=30)
    clock_bound_s: float = setting(120.0, "Seconds the station's clock may differ from the centre's before it shows "
                                          "an alert; a different date stops numbering either way", min=0.01)
    timetable_cache: str = setting("", "Where the last timetable pulled from the centre is kept; empty: beside the "
                                       "station database")

    def validate(self) -> list[str]:
        """The rules that join fields: a token with a URL, a ceiling not below the first delay."""
        errors = []
        if self.url and not self.token_file:
            errors.append("token_file: needed when url is set (the station's token)")
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
