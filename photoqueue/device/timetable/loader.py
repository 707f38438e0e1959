"""Read a timetable file into the model.

This reads the CSV layout of shared/timetables/ (date, room, location, start, end, college,
class_name, headcount; UTF-8). The full importer (Chinese headers, GBK, XLSX, merged cells,
subtotal rows) and the checks build on it.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from photoqueue.device.timetable.model import ClassSlot, Timetable
from photoqueue.errors import PhotoqueueError

REQUIRED = ("date", "room", "start", "end", "class_name", "headcount")


class TimetableError(PhotoqueueError):
    """A timetable that cannot be read: names the file, the row or column, and the problem."""


def _time(value: str, where: str) -> dt.time:
    try:
        h, m = value.strip().split(":")
        return dt.time(int(h), int(m))
    except (ValueError, TypeError):
        raise TimetableError(f"{where}: malformed time {value!r} (expected HH:MM) / 时间格式错误") from None


def load_timetable(path: str | Path) -> Timetable:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TimetableError(f"{path}: no such file / 找不到时间表文件") from None
    except UnicodeDecodeError:
        raise TimetableError(f"{path}: not UTF-8 text / 文件编码不是 UTF-8") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise TimetableError(f"{path}: missing column(s) {', '.join(missing)} / 缺少列")
    slots = []
    for row_no, row in enumerate(reader, start=2):
        where = f"{path.name} row {row_no}"
        try:
            date = dt.date.fromisoformat(row["date"].strip())
        except ValueError:
            raise TimetableError(f"{where}: malformed date {row['date']!r} / 日期格式错误") from None
        try:
            headcount = int(row["headcount"])
        except ValueError:
            raise TimetableError(f"{where}: headcount {row['headcount']!r} is not a number / 人数不是数字") from None
        slots.append(
            ClassSlot(
                date=date,
                room=row["room"].strip(),
                name=row["class_name"].strip(),
                headcount=headcount,
                start=_time(row["start"], where),
                end=_time(row["end"], where),
                college=(row.get("college") or "").strip(),
                location=(row.get("location") or "").strip(),
                row=row_no,
            )
        )
    return Timetable.of(slots, source=str(path))
