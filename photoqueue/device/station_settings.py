"""The station's own settings dataclasses: [station] and [sound] of the config file.

Each field carries its default and a one-line help (the config reference in docs/config.md and
the example systemd/station.example.toml are generated from these; a test checks both).
Secrets are never settings: the deployment key and the central token live in files named here
or arrive as systemd credentials.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class StationSettings:
    room: str = field(default="", metadata={"help": "this station's room, as the timetable names it (required)"})
    data_dir: str = field(default="/var/lib/photoqueue",
                          metadata={"help": "where the station keeps its event log (station.db) and state"})
    timetable: str = field(default="", metadata={"help": "timetable file (CSV); empty: tickets carry no class"})
    date: str = field(default="", metadata={"help": "session date YYYY-MM-DD; empty: today"})
    auto_advance: bool = field(default=True, metadata={
        "help": "switch to the next class by itself when a class's issued count reaches its headcount"})
    key_file: str = field(default="", metadata={
        "help": "deployment HMAC key file ($CREDENTIALS_DIRECTORY is expanded); empty: the systemd credential "
                "'deployment-key', else DATA_DIR/deployment.key (made on first start)"})
    screen: bool = field(default=True, metadata={
        "help": "drive the hall screen ([display]); false: run without one"})
    refresh_s: float = field(default=1.0, metadata={
        "help": "how often to pick up queue changes made by the staff CLI, in seconds"})
    health_stale_s: float = field(default=10.0, metadata={
        "help": "the station reports itself unhealthy (and stops the watchdog) after this long without a loop turn"})
    log_level: str = field(default="info", metadata={"help": "log level: debug, info, warning or error"})

    def validate(self) -> list[str]:
        errors = []
        if not self.room.strip():
            errors.append("room: required; name this station's room as the timetable does (e.g. \"第一组\")")
        if not self.data_dir.strip():
            errors.append("data_dir: must not be empty")
        if self.date:
            try:
                dt.date.fromisoformat(self.date)
            except ValueError:
                errors.append(f"date: {self.date!r} is not a date YYYY-MM-DD")
        if not 0.05 <= self.refresh_s <= 60:
            errors.append(f"refresh_s: expected 0.05 to 60 seconds, got {self.refresh_s}")
        if not 1 <= self.health_stale_s <= 600:
            errors.append(f"health_stale_s: expected 1 to 600 seconds, got {self.health_stale_s}")
        if self.log_level not in LOG_LEVELS:
            errors.append(f"log_level: expected one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}")
        return errors


@dataclass(frozen=True)
class SoundSettings:
    scan_beeps: bool = field(default=True, metadata={
        "help": "sound the buzzer (and the screen's speaker) on each scan: one beep good, three beeps bad"})
    good_beep_ms: int = field(default=120, metadata={"help": "length of the good-scan beep, in milliseconds"})
    bad_beep_ms: int = field(default=80, metadata={"help": "length of each of the three bad-scan beeps, in ms"})
    call_chime: bool = field(default=True, metadata={"help": "chime on the hall screen's speaker when a number is called"})

    def validate(self) -> list[str]:
        errors = []
        for name in ("good_beep_ms", "bad_beep_ms"):
            value = getattr(self, name)
            if not 10 <= value <= 2000:
                errors.append(f"{name}: expected 10 to 2000 ms, got {value}")
        return errors
