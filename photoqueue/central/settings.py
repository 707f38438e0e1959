"""The central service's settings: one flat dataclass of :func:`photoqueue.settings.setting` declarations.

``photoqueue central serve`` builds it with :meth:`CentralSettings.load`: the defaults, then a TOML file
(``--config FILE``), then environment variables ``PHOTOQUEUE_CENTRAL_<KEY>``, then ``--set KEY=VALUE`` and
``--db``/``--host``/``--port``; each later source wins. docs/central.md documents each field (a test checks
that).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photoqueue.central.errors import CentralError
from photoqueue.settings import problems as settings_problems
from photoqueue.settings import setting

DEFAULT_DB = "sqlite:///central.db"
ENV_PREFIX = "PHOTOQUEUE_CENTRAL_"


LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _db_problem(url: str) -> str | None:
    if url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        return None
    return f"{url!r} is not sqlite:///PATH or postgresql://..."


def _port_problem(port: int) -> str | None:
    return None if 0 < port < 65536 else f"{port} is not a TCP port (1-65535)"


def _proxies_problem(text: str) -> str | None:
    from photoqueue.central.guard import parse_proxies

    try:
        parse_proxies(text)
    except ValueError as exc:
        return str(exc)
    return None


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
    trusted_proxies: str = setting("", "Reverse proxies (addresses or networks, comma-separated) whose "
                                       "X-Forwarded-For names the client; from anyone else the header is ignored",
                                   check=_proxies_problem)
    status_max_streams: int = setting(8000, "Most live /status streams this process holds at once; more get 503 "
                                            "with Retry-After and the page polls instead", min=1)
    status_streams_per_client: int = setting(200, "Most live /status streams one client address may hold (a campus "
                                                  "NAT puts many phones behind one address)", min=1)
    status_refresh_s: float = setting(5.0, "The public snapshot is recomputed at least this often without changes "
                                           "(clocks, lateness), seconds", min=0.05, max=600)
    status_min_interval_s: float = setting(1.0, "At most one recomputation of the live snapshots this often, "
                                                "however many changes arrive, seconds", min=0.05, max=60)
    status_poll_s: int = setting(15, "Seconds between reloads of a page that polls /status.json (no stream free); "
                                     "also its Retry-After", min=1)
    staff_max_streams: int = setting(200, "Most live dashboard streams (staff logins) this process holds, apart "
                                          "from the public ones; more poll their snapshot instead", min=1)
    header_timeout_s: float = setting(10.0, "A connection whose request headers are not complete this long after "
                                            "it opened (or after its last answer) is closed, seconds", min=0.5,
                                      max=300)
    idle_timeout_s: float = setting(30.0, "A request body that stops arriving for this long ends its connection, "
                                          "seconds", min=1, max=3600)
    connections_per_client: int = setting(256, "Most open connections from one client address (at least "
                                               "status_streams_per_client + 16: room for pages and staff)", min=2)
    max_waiting_headers: int = setting(1024, "Most connections at once still sending their request headers; past "
                                             "it the oldest of them is closed", min=16)

    def validate(self) -> list[str]:
        """The rules between fields (each field's own bounds are declared above)."""
        found = []
        if self.status_refresh_s < self.status_min_interval_s:
            found.append(f"status_refresh_s: {self.status_refresh_s} is below status_min_interval_s "
                         f"({self.status_min_interval_s})")
        return found

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
        problems += settings_problems(settings)
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
