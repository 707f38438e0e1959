"""The display's view model: plain, immutable data that says what the hall screen shows.

The station builds a :class:`DisplayState` from its queue and timetable and hands it to the display;
the display never asks the queue anything. Its JSON form is the one ``photoqueue display preview
--state FILE`` reads (DESIGN.md)::

    {"room": "第一组", "now_serving": 17, "next": [18, 19, 20],
     "current_class": {"name": "20财务管理1班", "done": 12, "expected": 53},
     "next_class": {"name": "20商务英语A班", "start": "14:40", "expected": 31},
     "waiting": 8, "alerts": ["打印机缺纸"]}

plus these optional keys: ``location`` (the room's place, e.g. 行政附楼1号会议室), ``wait_minutes``
(expected wait for the last in the queue), ``late_minutes`` (how late the room runs against the
timetable; negative = early), ``clock`` ("HH:MM[:SS]", a fixed clock for previews; absent = live time)
``flash`` (``{"kind": "issued"|"reprint"|"refused"|"info", "text", "number", "until"}``: a short
message after a scan, shown until ``until``, an ISO date-time or "HH:MM:SS" today) and ``date_check``
(``{"date": "2024-10-25", "confirmed_by": ""}``: the session's date shown large in place of the call, before
the first scan; ``confirmed_by`` empty asks the photographer to press the button to confirm it).

States are frozen and compare by value, so the renderer redraws only when a new state differs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from photoqueue.display._check import Problems, is_int, is_number
from photoqueue.display.errors import DisplayError
from photoqueue.textfile import read_text

FLASH_KINDS = ("issued", "reprint", "refused", "info")

@dataclass(frozen=True)
class CurrentClass:
    """The class being shot: its name, how many are photographed, how many the timetable expects."""

    name: str
    done: int = 0
    expected: int = 0


@dataclass(frozen=True)
class NextClass:
    """The class that comes next: its name, scheduled start and headcount."""

    name: str
    start: dt.time | None = None
    expected: int = 0


@dataclass(frozen=True)
class Flash:
    """A short message after a scan: the number just issued, a reprint, or why a code was refused.

    ``until`` is when it stops showing (local time); None shows it for as long as the state stands.
    """

    kind: str
    text: str = ""
    number: int | None = None
    until: dt.datetime | None = None

    def active(self, now: dt.datetime) -> bool:
        return self.until is None or now < self.until

    @classmethod
    def from_dict(cls, data, *, today: dt.date | None = None) -> Flash:
        """A flash from its JSON form (``kind``, ``text``, ``number``, ``until``); DisplayError if malformed."""
        p = Problems("flash")
        flash = _flash(p, data, today or dt.date.today())
        p.raise_if_any()
        return flash


@dataclass(frozen=True)
class DateCheck:
    """The session's date, shown large before the first scan so the room checks it against the real day (a Pi
    without a clock battery may boot on yesterday's date). ``confirmed_by``: who confirmed it (``config``,
    ``centre``, ``button``, ``cli``, ...); empty while nobody has, and the screen asks for the button."""

    date: dt.date
    confirmed_by: str = ""


@dataclass(frozen=True)
class DisplayState:
    """Everything the hall screen shows, as plain data."""

    room: str = ""
    now_serving: int | None = None
    next: tuple[int, ...] = ()
    current_class: CurrentClass | None = None
    next_class: NextClass | None = None
    waiting: int = 0
    alerts: tuple[str, ...] = ()
    location: str = ""
    wait_minutes: float | None = None
    late_minutes: float | None = None
    clock: dt.time | None = None
    flash: Flash | None = None
    date_check: DateCheck | None = None

    # --- conversions -------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        d: dict = {
            "room": self.room,
            "now_serving": self.now_serving,
            "next": list(self.next),
            "current_class": dataclasses.asdict(self.current_class) if self.current_class else None,
            "next_class": None,
            "waiting": self.waiting,
            "alerts": list(self.alerts),
            "location": self.location,
            "wait_minutes": self.wait_minutes,
            "late_minutes": self.late_minutes,
            "clock": self.clock.isoformat(timespec="seconds") if self.clock else None,
            "flash": None,
            "date_check": None,
        }
        if self.next_class:
            nc = self.next_class
            start = nc.start.strftime("%H:%M") if nc.start else None
            d["next_class"] = {"name": nc.name, "start": start, "expected": nc.expected}
        if self.flash:
            f = self.flash
            until = f.until.isoformat(timespec="seconds") if f.until else None
            d["flash"] = {"kind": f.kind, "text": f.text, "number": f.number, "until": until}
        if self.date_check:
            d["date_check"] = {"date": self.date_check.date.isoformat(), "confirmed_by": self.date_check.confirmed_by}
        return d

    @classmethod
    def from_dict(cls, data, *, today: dt.date | None = None) -> DisplayState:
        """Build a state from its JSON form; every problem is reported at once in one DisplayError."""
        p = Problems("display state")
        if not isinstance(data, dict):
            raise DisplayError(f"display state: expected a JSON object, got {type(data).__name__}")
        p.unknown_keys(data, [f.name for f in dataclasses.fields(cls)])
        kw: dict = {}
        for key in ("room", "location"):
            if key in data and data[key] is not None:
                kw[key] = _str(p, key, data[key])
        if data.get("now_serving") is not None:
            kw["now_serving"] = _count(p, "now_serving", data["now_serving"])
        if data.get("waiting") is not None:
            kw["waiting"] = _count(p, "waiting", data["waiting"])
        if data.get("next") is not None:
            kw["next"] = tuple(_list(p, "next", data["next"], _count))
        if data.get("alerts") is not None:
            kw["alerts"] = tuple(_list(p, "alerts", data["alerts"], _str))
        for key in ("wait_minutes", "late_minutes"):
            value = data.get(key)
            if value is not None:
                if is_number(value):
                    kw[key] = value
                else:
                    p.add(f"{key}: expected a number of minutes, got {value!r}")
        if data.get("clock") is not None:
            kw["clock"] = _time(p, "clock", data["clock"])
        for key, parse in (("current_class", _current), ("next_class", _next), ("date_check", _date_check)):
            if data.get(key) is not None:
                kw[key] = parse(p, data[key])
        if data.get("flash") is not None:
            kw["flash"] = _flash(p, data["flash"], today or dt.date.today())
        p.raise_if_any()
        return cls(**kw)

    @classmethod
    def load(cls, path: str | Path) -> DisplayState:
        """Read a state file (UTF-8 JSON)."""
        path = Path(path)
        text = read_text(path, "state file", DisplayError, encoding="utf-8-sig", missing_zh="找不到状态文件")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DisplayError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
            ) from None
        try:
            return cls.from_dict(data)
        except DisplayError as exc:
            raise DisplayError(f"{path}: {exc}") from None


# --- field parsers: each adds a message and returns a harmless value on error ------------------------


def _str(p: Problems, key: str, value) -> str:
    if not isinstance(value, str):
        p.add(f"{key}: expected text, got {value!r}")
        return ""
    return value


def _count(p: Problems, key: str, value) -> int:
    if not is_int(value) or value < 0:
        p.add(f"{key}: expected a whole number >= 0, got {value!r}")
        return 0
    return value


def _list(p: Problems, key: str, value, item) -> list:
    if not isinstance(value, list):
        p.add(f"{key}: expected a list, got {value!r}")
        return []
    return [item(p, f"{key}[{i}]", v) for i, v in enumerate(value)]


def _time(p: Problems, key: str, value) -> dt.time | None:
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            pass
    p.add(f"{key}: expected a time HH:MM or HH:MM:SS, got {value!r}")
    return None


def _obj(p: Problems, key: str, value, known: tuple[str, ...]) -> dict | None:
    if not isinstance(value, dict):
        p.add(f"{key}: expected an object with {', '.join(known)}, got {value!r}")
        return None
    p.unknown_keys(value, known, where=f"{key}.")
    if "name" in known and "name" not in value:
        p.add(f"{key}.name: missing")
    return value


def _current(p: Problems, value) -> CurrentClass | None:
    d = _obj(p, "current_class", value, ("name", "done", "expected"))
    if d is None:
        return None
    return CurrentClass(
        name=_str(p, "current_class.name", d.get("name", "")),
        done=_count(p, "current_class.done", d.get("done", 0)),
        expected=_count(p, "current_class.expected", d.get("expected", 0)),
    )


def _next(p: Problems, value) -> NextClass | None:
    d = _obj(p, "next_class", value, ("name", "start", "expected"))
    if d is None:
        return None
    start = d.get("start")
    return NextClass(
        name=_str(p, "next_class.name", d.get("name", "")),
        start=_time(p, "next_class.start", start) if start is not None else None,
        expected=_count(p, "next_class.expected", d.get("expected", 0)),
    )


def _flash(p: Problems, value, today: dt.date) -> Flash | None:
    d = _obj(p, "flash", value, ("kind", "text", "number", "until"))
    if d is None:
        return None
    kind = d.get("kind", "info")
    if kind not in FLASH_KINDS:
        p.add(f"flash.kind: expected one of {', '.join(FLASH_KINDS)}, got {kind!r}")
        kind = "info"
    number = d.get("number")
    if number is not None:
        number = _count(p, "flash.number", number)
    until = d.get("until")
    if until is not None:
        until = _until(p, until, today)
    return Flash(kind=kind, text=_str(p, "flash.text", d.get("text", "")), number=number, until=until)


def _date_check(p: Problems, value) -> DateCheck | None:
    d = _obj(p, "date_check", value, ("date", "confirmed_by"))
    if d is None:
        return None
    text = d.get("date")
    try:
        day = dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        day = None
    if day is None:
        p.add(f"date_check.date: expected a date YYYY-MM-DD, got {text!r}")
        return None
    return DateCheck(day, _str(p, "date_check.confirmed_by", d.get("confirmed_by") or ""))


def _until(p: Problems, value, today: dt.date) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            try:
                return dt.datetime.combine(today, dt.time.fromisoformat(value.strip()))
            except ValueError:
                pass
    p.add(f"flash.until: expected a date-time (ISO) or HH:MM:SS, got {value!r}")
    return None
