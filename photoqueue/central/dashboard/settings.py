"""The dashboard's settings: one flat dataclass of :func:`photoqueue.settings.setting` declarations.

``from_app`` starts from the defaults and takes any field of the same name from the service's
settings (``app.state.settings``, e.g. a ``fee_yuan`` there), then from ``app.state.dashboard_settings``
when whoever built the app set one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from photoqueue.central.settings import zone_problem
from photoqueue.settings import setting


@dataclass
class DashboardSettings:
    fee_yuan: float = setting(20.0, "Fee per photographed student in yuan; a class's fee is photographed x this",
                              min=0, max=10_000)
    push_interval_s: float = setting(0.5, "The staff snapshot a page reloads is reused for 0.8 x this (seconds)",
                                     min=0.05, max=10)
    keepalive_s: float = setting(15.0, "Seconds between keep-alive comments on an idle live stream", min=0.01)
    default_pace_s: float = setting(11.0, "Seconds a student assumed for a room's plan until its pace is measured",
                                    min=0.01, max=600)
    min_intervals: int = setting(10, "Photo-to-photo intervals needed before a room's measured pace is used", min=1)
    max_gap_s: float = setting(120.0, "A longer pause between two photos is a break, not the pace (seconds)",
                               min=0.01)
    recent_commands: int = setting(12, "Staff commands listed on the dashboard (newest first)", min=0)
    time_zone: str = setting("Asia/Shanghai", "The deployment's time zone: the dashboard's times and each room's "
                                              "clock", check=zone_problem)
    arrive_early_min: float = setting(15.0, "Minutes before its slot a class is asked to arrive (/status)",
                                      min=0, max=240)
    fee_rule: str = setting("photographed", "What a class pays for (/status's 应交 for a class leader, the "
                            "settlement slip): photographed, issued (voided excluded) or expected",
                            choices=("photographed", "issued", "expected"))
    idle_over_min: float = setting(30.0, "On its day, a room is over once its last slot has ended and nothing "
                                   "happened for this many minutes (/status then says 已结束)", min=1, max=600)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # the settings check names it; never a dead page
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
