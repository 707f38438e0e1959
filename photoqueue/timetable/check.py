"""``timetable check``: every mistake in a timetable, each on its row, before the day goes wrong.

The importer reports what cannot be read (malformed date or time, missing class name, bad headcount,
a subtotal that does not add up); the rules here look at what was read:

==================  ========  ==========================================================================
rule                severity  what
==================  ========  ==========================================================================
end-before-start    error     a slot ends before (or when) it starts: 10:55-10:20
overlap             error     two slots of one room on one date share time (reported on the later one)
pace-impossible     error     under ``min_pace_s`` (5 s) a student: 53 students in 17:10-17:12
pace-tight          warning   at ``tight_pace_s`` a student (the one working pace, 11 s, that ``plan``
                              plans at) the class overruns its slot by a minute or more, rounded as the
                              plan rounds: 43 students in 10:50-10:55 (7 s) need 7.9 min
pace-slow           warning   over ``max_pace_s`` (60 s) a student: 68 students in 9:25-10:55
hole                warning   over ``max_hole_min`` (30 min) idle inside a half-day of one room
duplicate-class     error     the same class twice (names compared after NFKC, so （ and ( match)
==================  ========  ==========================================================================

A half-day is the morning (slots starting before ``lunch``, 12:00) or the afternoon (the rest): the
gap between the last morning slot and the first afternoon one is lunch, never a hole.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from photoqueue.core.pace import WORKING_PACE_S
from photoqueue.settings import setting
from photoqueue.timetable.errors import TimetableError
from photoqueue.timetable.findings import ERROR, WARNING, Finding
from photoqueue.timetable.importer import ImportOptions, parse_file
from photoqueue.timetable.values import fmt_time, name_key, parse_time


def _time_problem(text: str) -> str | None:
    return None if parse_time(text) is not None else f"{text!r} is not a time HH:MM"


@dataclass
class CheckSettings:
    """Thresholds of the rules; the defaults are the ones docs/timetable.md explains."""

    min_pace_s: float = setting(5.0, "fewer seconds a student than this is impossible", min=0.01)
    max_pace_s: float = setting(60.0, "more seconds a student than this is suspicious", min=0.01)
    tight_pace_s: float = setting(WORKING_PACE_S, "fewer seconds a student than this overruns the slot at the "
                                                  "working pace `timetable plan` uses", min=0.01)
    max_hole_min: float = setting(30.0, "a longer idle gap inside a half-day is a hole", min=0.01)
    lunch: str = setting("12:00", "slots starting before this are the morning (HH:MM)", check=_time_problem)

    def validate(self) -> list[str]:
        """The rules that join the paces (each field's own constraints are declared on it)."""
        errors = []
        if not self.min_pace_s < self.max_pace_s:
            errors.append("min_pace_s: must be below max_pace_s")
        if not self.min_pace_s <= self.tight_pace_s < self.max_pace_s:
            errors.append("tight_pace_s: must be between min_pace_s and max_pace_s")
        return errors


@dataclass
class CheckReport:
    source: str
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def to_dict(self) -> dict:
        return {"findings": [f.to_dict() for f in self.findings], "notes": self.notes,
                "summary": {"source": self.source, "rows": self.rows, "errors": len(self.errors),
                            "warnings": len(self.warnings)}}


def check_file(path: str | Path, options: ImportOptions | None = None,
               settings: CheckSettings | None = None) -> CheckReport:
    """All findings for a timetable file. A file that cannot be read at all gives one finding (row 0, or
    the header's row for a missing column) instead of raising."""
    try:
        result = parse_file(path, options)
    except TimetableError as exc:
        rule = "columns" if exc.rule in ("columns", "no-header") else "file"
        return CheckReport(str(path), [Finding(exc.row, ERROR, rule, str(exc), exc.sheet)])
    findings = result.findings + check_rows(result.rows, settings)
    findings.sort(key=lambda f: f.sort_key)
    return CheckReport(str(path), findings, result.notes, len(result.rows))


def check_rows(rows, settings: CheckSettings | None = None) -> list[Finding]:
    """The rules above over class rows: importer rows or :class:`ClassSlot` objects alike (each needs
    ``row, room, date, name, headcount, start, end``; ``sheet`` when there is one)."""
    settings = settings or CheckSettings()
    findings: list[Finding] = []
    timed = []
    for r in rows:
        if r.start is None or r.end is None:
            continue
        if r.end <= r.start:
            what = "ends before it starts" if r.end < r.start else "ends when it starts"
            findings.append(_finding(r, ERROR, "end-before-start",
                                     f"{_slot(r)} {what} / 结束时间{'早于' if r.end < r.start else '等于'}开始时间"))
            continue
        timed.append(r)
        findings += _pace(r, settings)
    findings += _overlaps(timed)
    findings += _holes(timed, settings)
    findings += _duplicates(rows)
    return findings


def _finding(r, severity: str, rule: str, message: str) -> Finding:
    return Finding(r.row, severity, rule, message, getattr(r, "sheet", ""))


def _slot(r) -> str:
    return f"{r.room} {r.date or '?'} {fmt_time(r.start)}-{fmt_time(r.end)} {r.name}".replace("  ", " ")


def _minutes(a: dt.time, b: dt.time) -> float:
    return (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).total_seconds() / 60


def _pace(r, s: CheckSettings) -> list[Finding]:
    if not r.headcount or r.headcount <= 0:
        return []
    minutes = _minutes(r.start, r.end)
    pace = minutes * 60 / r.headcount
    said = f"{r.headcount} students in {minutes:g} min = {pace:.1f} s a student"
    zh = f"{minutes:g} 分钟拍 {r.headcount} 人，每人 {pace:.1f} 秒"
    if pace < s.min_pace_s:
        return [_finding(r, ERROR, "pace-impossible",
                         f"{_slot(r)}: {said}, under the {s.min_pace_s:g} s a student any room can do "
                         f"/ {zh}，不可能完成")]
    over = overrun_minutes(r.headcount, minutes, s.tight_pace_s)
    if over >= 1:
        return [_finding(r, WARNING, "pace-tight",
                         f"{_slot(r)}: {said}; at the plan's {s.tight_pace_s:g} s a student the class overruns its "
                         f"slot by {over} min (`photoqueue timetable plan` shows the day) / {zh}；按计划速度 "
                         f"{s.tight_pace_s:g} 秒/人，该班超出时段 {over} 分钟（`photoqueue timetable plan` 给出全天预计）")]
    if pace > s.max_pace_s:
        return [_finding(r, WARNING, "pace-slow",
                         f"{_slot(r)}: {said}, over {s.max_pace_s:g} s: is the time mistyped? "
                         f"/ {zh}，时间可能写错")]
    return []


def overrun_minutes(headcount: int, slot_minutes: float, pace_s: float) -> int:
    """Whole minutes a class of ``headcount`` at ``pace_s`` overruns its slot, rounded as the plan rounds
    (half a minute up): the check's pace-tight and the plan's delay are one rule."""
    return math.floor((headcount * pace_s / 60 - slot_minutes) + 0.5)


def _by_room_day(rows) -> dict[tuple, list]:
    groups: dict[tuple, list] = {}
    for r in rows:
        if r.date is not None and r.room:
            groups.setdefault((r.room, r.date), []).append(r)
    for g in groups.values():
        g.sort(key=lambda r: (r.start, r.row))
    return groups


def _overlaps(rows) -> list[Finding]:
    out = []
    for group in _by_room_day(rows).values():
        for j, later in enumerate(group):
            for earlier in group[:j]:
                if later.start < earlier.end:
                    out.append(_finding(later, ERROR, "overlap",
                                        f"{_slot(later)} overlaps row {earlier.row} ({fmt_time(earlier.start)}-"
                                        f"{fmt_time(earlier.end)} {earlier.name}) / 与第 {earlier.row} 行时间重叠"))
    return out


def _holes(rows, s: CheckSettings) -> list[Finding]:
    lunch = parse_time(s.lunch) or dt.time(12)
    out = []
    for (room, date), group in _by_room_day(rows).items():
        for half in (True, False):
            part = [r for r in group if (r.start < lunch) is half]
            for prev_end, r in zip(_running_ends(part), part[1:], strict=False):
                gap = _minutes(prev_end, r.start)
                if gap > s.max_hole_min:
                    name, zh = ("morning", "上午") if half else ("afternoon", "下午")
                    out.append(_finding(r, WARNING, "hole",
                                        f"{room} {date} {name}: nothing for {gap:g} min between "
                                        f"{fmt_time(prev_end)} and {fmt_time(r.start)} / {zh} {fmt_time(prev_end)}"
                                        f" 至 {fmt_time(r.start)} 空档 {gap:g} 分钟"))
    return out


def _running_ends(rows) -> list[dt.time]:
    ends, latest = [], None
    for r in rows:
        latest = r.end if latest is None else max(latest, r.end)
        ends.append(latest)
    return ends


def _duplicates(rows) -> list[Finding]:
    seen: dict[str, object] = {}
    out = []
    for r in sorted((r for r in rows if r.name), key=lambda r: (getattr(r, "sheet", ""), r.row)):
        first = seen.setdefault(name_key(r.name), r)
        if first is not r:
            out.append(_finding(r, ERROR, "duplicate-class",
                                f"{r.name}: the same class as row {first.row} ({first.room} {first.date or '?'} "
                                f"{fmt_time(first.start)}) / 与第 {first.row} 行班级重复"))
    return out

