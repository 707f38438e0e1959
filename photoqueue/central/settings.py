"""The central service's settings: one flat dataclass of :func:`photoqueue.settings.setting` declarations.

``photoqueue central serve`` builds it from its options (``--db``, ``--host``, ``--port`` and
``--set KEY=VALUE`` for the rest); docs/central.md documents each field (a test checks that).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from photoqueue.central.errors import CentralError
from photoqueue.settings import setting

DEFAULT_DB = "sqlite:///central.db"


LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _db_problem(url: str) -> str | None:
    if url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        return None
    return f"{url!r} is not sqlite:///PATH or postgresql://..."


def _port_problem(port: int) -> str | None:
    return None if 0 < port < 65536 else f"{port} is not a TCP port (1-65535)"


def zone_problem(name: str) -> str | None:
    """None when ``name`` is a time zone this machine knows (its tz database), else why not."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not a known time zone (e.g. Asia/Shanghai, UTC; Debian: package tzdata)"
    return None


@dataclass
class CentralSettings:
    db: str = setting(DEFAULT_DB, "Store URL: sqlite:///PATH (one machine) or postgresql://USER@HOST:PORT/DB",
                      check=_db_problem)
    host: str = setting("127.0.0.1", "Address the web service listens on")
    port: int = setting(8600, "TCP port the web service listens on (1-65535)", check=_port_problem)
    max_body_bytes: int = setting(4_000_000, "Largest request body accepted (bytes); larger gets 413", min=1)
    max_batch_events: int = setting(5000, "Most events one POST /api/v1/events may carry; more gets 413", min=1)
    rate_limit_per_s: float = setting(20.0, "Requests per second each station may make on average; 0 turns the "
                                            "limit off", min=0)
    rate_burst: int = setting(60, "Requests a station may make at once above its average rate", min=1)
    login_attempts_per_min: int = setting(30, "Staff login attempts allowed per client address a minute (slows "
                                              "password guessing)", min=1)
    pool_size: int = setting(8, "Most open database connections", min=1)
    session_max_age_s: int = setting(12 * 3600, "How long a staff login stays valid (seconds)", min=1)
    cookie_secure: bool = setting(False, "Mark the staff session cookie Secure (set when served over HTTPS)")
    # at least 10 ms: "offline" must mean some time without a word
    station_stale_s: float = setting(60.0, "A station not heard from for this long shows as offline on "
                                           "/api/v1/rooms", min=0.01)
    command_expiry_s: float = setting(300.0, "A staff command the station has not taken within this many seconds "
                                             "expires (已过期) and is no longer sent", min=0.01)
    log_level: str = setting("warning", "uvicorn's log level: critical, error, warning, info, debug",
                             choices=LOG_LEVELS)
    fee_yuan: float = setting(20.0, "Fee per photographed student in yuan, for the dashboard's fees and exports",
                              min=0, max=10_000)
    time_zone: str = setting("Asia/Shanghai", "The deployment's time zone (IANA name): the dashboard's clock and "
                                              "times, and today on /status", check=zone_problem)
    arrive_early_min: float = setting(15.0, "Minutes before its slot a class is asked to arrive (/status: 请于 HH:MM "
                                            "前到场)", min=0, max=240)

    def with_values(self, values: dict[str, str]) -> CentralSettings:
        """A copy with fields set from text (``--set KEY=VALUE``); unknown keys or bad values raise."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for key, text in values.items():
            f = fields.get(key)
            if f is None:
                raise CentralError(f"unknown setting {key!r} (known: {', '.join(fields)})", exit_status=2)
            changes[key] = _parse(key, text, f.default)
        return dataclasses.replace(self, **changes)


def _parse(key: str, text: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return text.lower() in ("true", "1", "yes")
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
    except ValueError:
        raise CentralError(f"setting {key}: {text!r} is not a {type(default).__name__}", exit_status=2) from None
    return text
