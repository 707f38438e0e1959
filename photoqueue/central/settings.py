"""The central service's settings: one flat dataclass, every field with a default and a help line.

``photoqueue central serve`` builds it with :meth:`CentralSettings.load`: the defaults, then a TOML file
(``--config FILE``), then environment variables ``PHOTOQUEUE_CENTRAL_<KEY>``, then ``--set KEY=VALUE`` and
``--db``/``--host``/``--port``; each later source wins. docs/central.md documents each field (a test checks
that).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photoqueue.central.errors import CentralError

DEFAULT_DB = "sqlite:///central.db"
ENV_PREFIX = "PHOTOQUEUE_CENTRAL_"


def _help(text: str, default: Any):
    return field(default=default, metadata={"help": text})


@dataclass
class CentralSettings:
    db: str = _help("Store URL: sqlite:///PATH (one machine) or postgresql://USER@HOST:PORT/DB", DEFAULT_DB)
    host: str = _help("Address the web service listens on", "127.0.0.1")
    port: int = _help("TCP port the web service listens on", 8600)
    max_body_bytes: int = _help("Largest request body accepted (bytes); larger gets 413", 4_000_000)
    max_batch_events: int = _help("Most events one POST /api/v1/events may carry; more gets 413", 5000)
    rate_limit_per_s: float = _help("Requests per second each station may make on average; 0 turns the limit off",
                                    20.0)
    rate_burst: int = _help("Requests a station may make at once above its average rate", 60)
    login_attempts_per_min: int = _help("Staff login attempts allowed per client address a minute (slows password "
                                        "guessing)", 30)
    pool_size: int = _help("Most open database connections", 8)
    session_max_age_s: int = _help("How long a staff login stays valid (seconds)", 12 * 3600)
    cookie_secure: bool = _help("Mark the staff session cookie Secure (set when served over HTTPS)", False)
    station_stale_s: float = _help("A station not heard from for this long shows as offline on /api/v1/rooms",
                                   60.0)
    command_expiry_s: float = _help("A staff command the station has not taken within this many seconds expires "
                                    "(已过期) and is no longer sent", 300.0)
    log_level: str = _help("uvicorn's log level: critical, error, warning, info, debug", "warning")
    fee_yuan: float = _help("Fee per photographed student in yuan, for the dashboard's fees and exports", 20.0)
    time_zone: str = _help("The deployment's time zone (IANA name): the dashboard's clock and times, and today on "
                           "/status", "Asia/Shanghai")
    arrive_early_min: float = _help("Minutes before its slot a class is asked to arrive (/status: 请于 HH:MM 前到场)",
                                    15.0)
    trusted_proxies: str = _help("Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For "
                                 "names the client; from anyone else the header is ignored", "")
    status_max_streams: int = _help("Most live /status streams this process holds at once; more get 503 with "
                                    "Retry-After and the page polls instead", 8000)
    status_streams_per_client: int = _help("Most live /status streams one client address may hold (a campus NAT "
                                           "puts many phones behind one address)", 200)
    status_refresh_s: float = _help("The public snapshot is recomputed at least this often without changes "
                                    "(clocks, lateness), seconds", 5.0)
    status_min_interval_s: float = _help("At most one recomputation of the live snapshots this often, however "
                                         "many changes arrive, seconds", 1.0)
    status_poll_s: int = _help("Seconds between reloads of a page that polls /status.json (no stream free); "
                               "also its Retry-After", 15)

    def validate(self) -> list[str]:
        errors = []
        if not (self.db.startswith("sqlite:///") or self.db.startswith(("postgresql://", "postgres://"))):
            errors.append(f"db: {self.db!r} is not sqlite:///PATH or postgresql://...")
        if not 0 < self.port < 65536:
            errors.append(f"port: {self.port} is not a TCP port (1-65535)")
        for name in ("max_body_bytes", "max_batch_events", "rate_burst", "login_attempts_per_min", "pool_size",
                     "session_max_age_s"):
            if getattr(self, name) < 1:
                errors.append(f"{name}: must be at least 1, not {getattr(self, name)}")
        if self.rate_limit_per_s < 0:
            errors.append(f"rate_limit_per_s: must be 0 (off) or more, not {self.rate_limit_per_s}")
        if self.command_expiry_s <= 0:
            errors.append(f"command_expiry_s: must be more than 0, not {self.command_expiry_s}")
        if self.station_stale_s <= 0:
            errors.append(f"station_stale_s: must be more than 0, not {self.station_stale_s}")
        if not 0 <= self.fee_yuan <= 10_000:
            errors.append(f"fee_yuan: {self.fee_yuan} is not between 0 and 10000")
        errors += zone_errors(self.time_zone)
        if not 0 <= self.arrive_early_min <= 240:
            errors.append(f"arrive_early_min: {self.arrive_early_min} is not between 0 and 240")
        try:
            from photoqueue.central.guard import parse_proxies

            parse_proxies(self.trusted_proxies)
        except ValueError as exc:
            errors.append(f"trusted_proxies: {exc}")
        for name in ("status_max_streams", "status_streams_per_client", "status_poll_s"):
            if getattr(self, name) < 1:
                errors.append(f"{name}: must be at least 1, not {getattr(self, name)}")
        if not 0.05 <= self.status_min_interval_s <= 60:
            errors.append(f"status_min_interval_s: {self.status_min_interval_s} is not between 0.05 and 60")
        if not self.status_min_interval_s <= self.status_refresh_s <= 600:
            errors.append(f"status_refresh_s: {self.status_refresh_s} is not between status_min_interval_s and 600")
        if self.log_level not in ("critical", "error", "warning", "info", "debug"):
            errors.append(f"log_level: {self.log_level!r} is not one of critical, error, warning, info, debug")
        return errors

    @classmethod
    def load(cls, path: str | Path | None = None, *, env: Mapping[str, str] | None = None,
             values: Mapping[str, str] | None = None) -> CentralSettings:
        """Defaults < the TOML file ``path`` < ``PHOTOQUEUE_CENTRAL_*`` variables < ``values`` (``--set``).
        An unknown key or a bad value anywhere raises one CentralError naming every problem."""
        settings, problems = cls(), []
        if path is not None:
            settings, problems = settings._from_file(Path(path))
        env = os.environ if env is None else env
        names = {f.name for f in dataclasses.fields(cls)}
        from_env = {k[len(ENV_PREFIX):].lower(): v for k, v in env.items() if k.startswith(ENV_PREFIX)}
        from_env.pop("config", None)  # PHOTOQUEUE_CENTRAL_CONFIG names the file, it is not a setting
        unknown = sorted(set(from_env) - names)
        problems += [f"environment {ENV_PREFIX}{k.upper()}: unknown setting" for k in unknown]
        for source in ({k: v for k, v in from_env.items() if k in names}, dict(values or {})):
            try:
                settings = settings.with_values(source)
            except CentralError as exc:
                problems.append(str(exc))
        problems += settings.validate()
        if problems:
            raise CentralError("; ".join(problems), exit_status=2)
        return settings

    def _from_file(self, path: Path) -> tuple[CentralSettings, list[str]]:
        import tomllib

        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            return self, [f"{path}: cannot read the settings file: {exc.strerror}"]
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            return self, [f"{path}: not TOML: {exc}"]
        doc = doc.get("central", doc) if isinstance(doc.get("central"), dict) else doc
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes, problems = {}, []
        for key, value in doc.items():
            f = fields.get(key)
            if f is None:
                problems.append(f"{path}: unknown setting {key!r}")
            elif isinstance(f.default, bool) is not isinstance(value, bool) or not isinstance(
                    value, (type(f.default), int) if isinstance(f.default, float) else type(f.default)):
                problems.append(f"{path}: {key} must be a {type(f.default).__name__}, not {value!r}")
            else:
                changes[key] = float(value) if isinstance(f.default, float) else value
        return dataclasses.replace(self, **changes), problems

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


def zone_errors(name: str) -> list[str]:
    """[] when ``name`` is a time zone this machine knows (its tz database), else why not."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [f"time_zone: {name!r} is not a known time zone (e.g. Asia/Shanghai, UTC; Debian: package tzdata)"]
    return []


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
