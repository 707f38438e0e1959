"""The dashboard's settings: one flat dataclass, every field with a default and a help line.

``from_app`` starts from the defaults and takes any field of the same name from the service's
settings (``app.state.settings``, e.g. a ``fee_yuan`` there), then from ``app.state.dashboard_settings``
when whoever built the app set one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from photoqueue.central.settings import zone_errors


def _help(text: str, default: Any):
    return field(default=default, metadata={"help": text})


@dataclass
class DashboardSettings:
    fee_yuan: float = _help("Fee per photographed student in yuan; a class's fee is photographed x this", 20.0)
    push_interval_s: float = _help("The staff snapshot a page reloads is reused for 0.8 x this (seconds)", 0.5)
    keepalive_s: float = _help("Seconds between keep-alive comments on an idle live stream", 15.0)
    default_pace_s: float = _help("Seconds a student assumed for a room's plan until its pace is measured", 11.0)
    min_intervals: int = _help("Photo-to-photo intervals needed before a room's measured pace is used", 10)
    max_gap_s: float = _help("A longer pause between two photos is a break, not the pace (seconds)", 120.0)
    recent_commands: int = _help("Staff commands listed on the dashboard (newest first)", 12)
    time_zone: str = _help("The deployment's time zone: the dashboard's times and each room's clock", "Asia/Shanghai")
    arrive_early_min: float = _help("Minutes before its slot a class is asked to arrive (/status)", 15.0)

    def validate(self) -> list[str]:
        errors = []
        if not 0 <= self.fee_yuan <= 10_000:
            errors.append(f"fee_yuan: {self.fee_yuan} is not between 0 and 10000")
        if not 0.05 <= self.push_interval_s <= 10:
            errors.append(f"push_interval_s: {self.push_interval_s} is not between 0.05 and 10")
        if self.keepalive_s <= 0:
            errors.append(f"keepalive_s: must be more than 0, not {self.keepalive_s}")
        if not 0 < self.default_pace_s <= 600:
            errors.append(f"default_pace_s: {self.default_pace_s} is not above 0 and at most 600")
        if self.min_intervals < 1:
            errors.append(f"min_intervals: must be at least 1, not {self.min_intervals}")
        if self.max_gap_s <= 0:
            errors.append(f"max_gap_s: must be more than 0, not {self.max_gap_s}")
        if self.recent_commands < 0:
            errors.append(f"recent_commands: must not be negative, not {self.recent_commands}")
        errors += zone_errors(self.time_zone)
        if not 0 <= self.arrive_early_min <= 240:
            errors.append(f"arrive_early_min: {self.arrive_early_min} is not between 0 and 240")
        return errors

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # validate() names it; never a dead page
            return zoneinfo.ZoneInfo("UTC")

    def now(self) -> dt.datetime:
        """The wall clock in the deployment's time zone, naive like the stations' event times (a Pi in the
        room keeps local time): the centre may run in UTC, the day does not."""
        return dt.datetime.now(self.zone).replace(tzinfo=None)

    def local(self, stamp: str | None) -> dt.datetime | None:
        """A stored UTC stamp (ISO, with offset) as naive deployment time; None when unreadable."""
        if not stamp:
            return None
        try:
            t = dt.datetime.fromisoformat(stamp)
        except ValueError:
            return None
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.UTC)
        return t.astimezone(self.zone).replace(tzinfo=None)

    @classmethod
    def from_app(cls, app: Any) -> DashboardSettings:
        own = getattr(app.state, "dashboard_settings", None)
        if isinstance(own, DashboardSettings):
            return own
        service = getattr(app.state, "settings", None)
        names = {f.name for f in dataclasses.fields(cls)}
        values = {n: getattr(service, n) for n in names if service is not None and hasattr(service, n)}
        return cls(**values)
