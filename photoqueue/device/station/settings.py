"""The station's own settings dataclasses: [station] and [sound] of the config file.

Each field is a :func:`photoqueue.settings.setting`: its default, a one-line help and its constraints
(the config reference in docs/config.md and the example systemd/station.example.toml are generated
from these; a test checks both). Neither section has a rule that joins fields, so neither has a
``validate()``.
Secrets are never settings: the deployment key and the central token live in files named here
or arrive as systemd credentials.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from photoqueue.settings import setting

LOG_LEVELS = ("debug", "info", "warning", "error")


def _room_problem(room: str) -> str | None:
    return None if room.strip() else "required; name this station's room as the timetable does (e.g. \"第一组\")"


def _not_empty(text: str) -> str | None:
    return None if text.strip() else "must not be empty"


def _date_problem(text: str) -> str | None:
    if not text:
        return None
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a date YYYY-MM-DD"
    return None


@dataclass(frozen=True)
class StationSettings:
    room: str = setting("", "this station's room, as the timetable names it (required)", check=_room_problem)
    data_dir: str = setting("/var/lib/photoqueue", "where the station keeps its event log (station.db) and state",
                            check=_not_empty)
    timetable: str = setting("", "timetable file (CSV); empty: tickets carry no class")
    date: str = setting("", "session date YYYY-MM-DD; empty: today by the clock (then confirmed before the first "
                            "number, see confirm_date); set, it is the date staff confirmed", check=_date_problem)
    confirm_date: bool = setting(True, "with no date set, number only once the clock's date is confirmed: by the "
                                       "centre's date, the photographer's button (the screen shows the date) or "
                                       "`photoqueue queue confirm-date`; false: trust the clock (a Pi with a clock "
                                       "battery)")
    auto_advance: bool = setting(True, "switch to the next class by itself when a class's issued count reaches its "
                                       "headcount")
    witness_dir: str = setting("", "where the witness outside the data dir is kept (how far each room's day "
                                   "numbered, so a deleted or restored data dir is refused); empty: "
                                   "$STATE_DIRECTORY, else ~/.local/state/photoqueue")
    key_file: str = setting("", "deployment HMAC key file ($CREDENTIALS_DIRECTORY is expanded), read when the service "
                                "has no systemd credential 'deployment-key'; empty: DATA_DIR/deployment.key (made on "
                                "first start without a centre)")
    screen: bool = setting(True, "drive the hall screen ([display]); false: run without one")
    refresh_s: float = setting(1.0, "how often to pick up queue changes made by the staff CLI, in seconds",
                               min=0.05, max=60)
    health_stale_s: float = setting(10.0, "the station reports itself unhealthy (and stops the watchdog) after this "
                                          "long without a loop turn", min=1, max=600)
    log_level: str = setting("info", "log level: debug, info, warning or error", choices=LOG_LEVELS)


@dataclass(frozen=True)
class SoundSettings:
    scan_beeps: bool = setting(True, "sound the buzzer (and the screen's speaker) on each scan: one beep good, three "
                                     "beeps bad")
    good_beep_ms: int = setting(120, "length of the good-scan beep, in milliseconds", min=10, max=2000)
    bad_beep_ms: int = setting(80, "length of each of the three bad-scan beeps, in ms", min=10, max=2000)
    call_chime: bool = setting(True, "chime on the hall screen's speaker when a number is called")
