"""Does a timetable fit the station (or registration) that names it? The checks ``station --check``, the
station's start, ``central add-station`` and ``central load-timetable`` share, each problem with its fix.

Why: a station whose room or date the timetable does not have issues tickets with no class all day, seen
only as a health alert; a timetable with a reversed slot plans a class that never comes. Pure.
"""

from __future__ import annotations

import datetime as dt

from photoqueue.hints import did_you_mean
from photoqueue.timetable.check import CheckSettings, check_rows
from photoqueue.timetable.findings import ERROR, Finding
from photoqueue.timetable.model import Timetable


def room_problem(timetable: Timetable, room: str) -> str | None:
    """Why ``room`` is not a room of ``timetable`` (with the closest name and the fix), or None."""
    if room in timetable.rooms:
        return None
    rooms = "、".join(timetable.rooms) or "（没有）"
    return (f"时间表中没有拍摄组 {room!r}{did_you_mean(room, timetable.rooms)}；时间表的拍摄组：{rooms}。"
            f"请把 room 改成时间表里的写法 / the timetable has no room {room!r}; its rooms: "
            f"{', '.join(timetable.rooms) or 'none'}: set room as the timetable spells it")


def date_problem(timetable: Timetable, room: str, date: dt.date) -> str | None:
    """Why the room has no classes on ``date`` in ``timetable`` (with its days and the fix), or None."""
    days = sorted({s.date for s in timetable.slots if s.room == room and s.date is not None})
    if date in days:
        return None
    listed = ", ".join(d.isoformat() for d in days) or "none"
    return (f"时间表中 {room} 在 {date.isoformat()} 没有班级（该组的日期：{listed}）。请改正 date，或换用当天的时间表 "
            f"/ the timetable has no classes for {room} on {date.isoformat()} (its days: {listed}): set the "
            "date, or use that day's timetable")


def findings_of(timetable: Timetable, settings: CheckSettings | None = None) -> list[Finding]:
    """The timetable rules (photoqueue.timetable.check) over a loaded timetable's classes."""
    findings = check_rows(timetable.slots, settings)
    findings.sort(key=lambda f: f.sort_key)
    return findings


def errors_problem(source: str, findings: list[Finding], limit: int = 3) -> str | None:
    """One line for a timetable with errors: how many, the first few, and the fix; None without errors."""
    errors = [f for f in findings if f.severity == ERROR]
    if not errors:
        return None
    shown = "; ".join(f"第 {f.row} 行 row {f.row}: {f.message}" for f in errors[:limit])
    more = f"; … {len(errors) - limit} more" if len(errors) > limit else ""
    return (f"时间表 {source} 有 {len(errors)} 处错误，请先改正（`photoqueue timetable check {source}` 列出全部） / "
            f"the timetable has {len(errors)} error(s): {shown}{more}")


def day_warnings(timetable: Timetable, room: str, date: dt.date | None = None,
                 settings: CheckSettings | None = None) -> list[str]:
    """The one rule the station (at ``--check`` and at its start), the centre (``load-timetable``) and the
    demo apply to a room's day: its own rows are checked (another day's or another room's mistakes are not
    this day's), and nothing in them stops the room. A room cannot refuse its students on the morning of
    the day; it shoots the classes in the published order, and every finding is a warning, each with the
    plan at the working pace when the day runs late. ``date`` None: every day of the room.

    Returns the warning lines (Chinese first), empty for a clean day."""
    from photoqueue.timetable.plan import DEFAULT_PACE_S, minutes_between, plan_room, to_minute

    days = sorted({s.date for s in timetable.slots if s.room == room and s.date is not None
                   and (date is None or s.date == date)})
    out = []
    for day in days:
        room_day = timetable.room_day(room, day)
        findings = check_rows(room_day.classes, settings)
        findings.sort(key=lambda f: f.sort_key)
        for f in findings:
            out.append(f"{room} {day}：第 {f.row} 行（{'错误' if f.severity == ERROR else '注意'}，不影响开始）"
                       f" row {f.row} ({f.severity}; the station starts anyway): {f.message}")
        if not findings:
            continue
        plan = plan_room(room_day, DEFAULT_PACE_S)
        late = minutes_between(plan.finish, plan.scheduled_finish)
        if late is not None and late >= 1:
            finish = to_minute(plan.finish).strftime("%H:%M")
            end = to_minute(plan.scheduled_finish).strftime("%H:%M")
            out.append(f"{room} {day}：按每人 {DEFAULT_PACE_S:g} 秒预计 {finish} 拍完，比最后时段（{end}）"
                       f"晚 {late} 分钟（`photoqueue timetable plan` 给出各班时间） / at "
                       f"{DEFAULT_PACE_S:g} s a student the room finishes {finish}, {late} min after its last slot "
                       f"({end})")
    return out
