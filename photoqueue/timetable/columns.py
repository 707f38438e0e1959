"""Header rows: which column holds what, from headers in Chinese or English.

A header cell is compared after NFKC, lower case, spaces and a trailing "(…)" removed, so "人数（人）",
"Class Name" and "class_name" all match. Unknown columns are ignored (and noted); a required one that
is missing is an error naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from photoqueue.timetable.errors import TimetableError
from photoqueue.timetable.sources import CARRY, blank
from photoqueue.timetable.values import norm, parse_date, parse_time_range

ALIASES: dict[str, set[str]] = {
    "date": {"日期", "拍摄日期", "采集日期", "date", "day"},
    "room": {"组别", "组", "分组", "组号", "拍摄组", "拍摄组别", "room", "group", "room_name"},
    "location": {"地点", "拍摄地点", "采集地点", "地址", "location", "place", "venue"},
    "start": {"开始", "开始时间", "起始时间", "start", "start_time", "from"},
    "end": {"结束", "结束时间", "end", "end_time", "to", "until"},
    "time": {"拍摄时间", "拍摄时段", "时间", "时段", "时间段", "采集时间", "采集时段", "time", "slot", "time_slot"},
    "college": {"学院", "二级学院", "院系", "系别", "college", "school", "department", "faculty"},
    "class": {"班级", "拍摄班级", "班级名称", "class", "class_name", "classname"},
    "headcount": {"人数", "学生人数", "拍摄人数", "应拍人数", "headcount", "students", "count"},
    "note": {"备注", "说明", "note", "notes", "remark", "remarks"},
}
LABELS = {
    "date": "日期/date", "room": "组别/room", "location": "地点/location", "start": "开始/start",
    "end": "结束/end", "time": "拍摄时间/time", "college": "学院/college", "class": "班级/class",
    "headcount": "人数/headcount", "note": "备注/note",
}
_CORE = {"class", "time", "start", "headcount"}
_BY_ALIAS = {alias: role for role, aliases in ALIASES.items() for alias in aliases}


def header_key(value: object) -> str:
    text = re.sub(r"[(（\[【].*?[)）\]】]\s*$", "", norm(value)).strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def roles_of(row: list[object]) -> dict[int, str]:
    """Column index -> role for the cells of ``row`` that are known headers."""
    found = {}
    for i, v in enumerate(row):
        if v is CARRY or blank(v):
            continue
        role = _BY_ALIAS.get(header_key(v))
        if role:
            found[i] = role
    return found


def is_header(row: list[object]) -> bool:
    roles = set(roles_of(row).values())
    return len(roles) >= 2 and bool(roles & _CORE)


def col_name(i: int) -> str:
    """0 -> A, 26 -> AA: how a spreadsheet names a column."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Columns:
    """Where each role is in one table; ``date_col`` may be a 时间段 column holding "13日 上午"."""

    at: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def get(self, row: list[object], role: str) -> object:
        i = self.at.get(role)
        return row[i] if i is not None and i < len(row) else None

    def has(self, role: str) -> bool:
        return role in self.at


def map_columns(header: list[object], body: list[list[object]], *, where: str, row_no: int) -> Columns:
    """The columns of the table under ``header`` (``body``: its rows, used to tell a time column from
    a date one when two headers could be either, as in the 2021 notice's 时间段 | 拍摄时间)."""
    cols = Columns()
    candidates: dict[str, list[int]] = {}
    for i, role in roles_of(header).items():
        candidates.setdefault(role, []).append(i)
    for i, v in enumerate(header):
        if not blank(v) and v is not CARRY and i not in roles_of(header):
            cols.notes.append(f"{where}: column {col_name(i)} {norm(v)!r} is not used / 未使用的列")

    def score(i: int, parse) -> int:
        return sum(1 for row in body if i < len(row) and parse(row[i]) is not None)

    times = sorted(candidates.pop("time", []), key=lambda i: -score(i, parse_time_range))
    if times and (score(times[0], parse_time_range) or not ("start" in candidates and "end" in candidates)):
        cols.at["time"] = times.pop(0)
    for i in times:  # a second time-ish column: a date (13日 上午) when there is no date column
        if "date" not in candidates and score(i, parse_date):
            candidates["date"] = [i]
            cols.notes.append(f"{where}: column {col_name(i)} {norm(header[i])!r} read as the date / 作为日期列")
        else:
            cols.notes.append(f"{where}: column {col_name(i)} {norm(header[i])!r} is not used / 未使用的列")
    if "class" not in candidates and "note" in candidates:
        candidates["class"] = candidates["note"][:1]
        i = candidates["class"][0]
        cols.notes.append(f"{where}: no 班级/class column; column {col_name(i)} {norm(header[i])!r} "
                          "holds the class names / 以备注列作为班级")
    candidates.pop("note", None)
    for role, idx in candidates.items():
        cols.at[role] = idx[0]
        for i in idx[1:]:
            cols.notes.append(f"{where}: second {LABELS[role]} column {col_name(i)} is not used / 重复的列")
    _require(cols, header, where, row_no)
    return cols


def _require(cols: Columns, header: list[object], where: str, row_no: int) -> None:
    missing = [LABELS[r] for r in ("class", "headcount") if r not in cols.at]
    if "time" not in cols.at:
        if "start" in cols.at and "end" not in cols.at:
            missing.append(LABELS["end"])
        elif "end" in cols.at and "start" not in cols.at:
            missing.append(LABELS["start"])
        elif "start" not in cols.at:
            missing.append("拍摄时间/time (or 开始/start + 结束/end)")
    if missing:
        found = ", ".join(norm(v) for v in header if not blank(v) and v is not CARRY)
        raise TimetableError(f"{where} row {row_no}: missing column {', '.join(missing)} (the header has: {found}) "
                             f"/ 缺少列：{'、'.join(m.split('/')[0] for m in missing)}", row=row_no, rule="columns")
