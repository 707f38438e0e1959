"""``timetable plan`` for people: the table and the verdict in Chinese (``--lang en`` keeps the English),
and ``--out FILE.xlsx``, the timetable corrected to the pace the plan used.

Honest words: a delay under a minute is on time (a plan at 11 s a student is not that precise); a room
without station data says its plan is only an estimate at the default pace and is not called late.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from photoqueue.timetable.errors import TimetableError
from photoqueue.timetable.plan import minutes_between, to_minute

MINUTE = dt.timedelta(minutes=1)
STATUS = {"zh": {"done": "已完成", "shooting": "拍摄中", "waiting": "待拍"},
          "en": {"done": "done", "shooting": "shooting", "waiting": "waiting"}}
SOURCE = {"zh": {"given": "指定", "measured": "实测", "default": "默认"},
          "en": {"given": "given", "measured": "measured", "default": "default"}}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _hm(t: dt.datetime | None) -> str:
    return to_minute(t).strftime("%H:%M") if t else "?"


def _at(day: dt.date, t: dt.time | None) -> dt.datetime | None:
    return dt.datetime.combine(day, t) if t is not None else None


def _t(t: dt.time | None) -> str:
    return t.strftime("%H:%M") if t else "?"


def _mins(a: dt.datetime | None, b: dt.datetime | None, lang: str) -> str:
    m = minutes_between(a, b)
    if m is None:
        return ""
    if lang == "en":
        return "on time" if m == 0 else (f"+{m} min" if m > 0 else f"{m} min")
    return "准时" if m == 0 else (f"晚 {m} 分" if m > 0 else f"早 {-m} 分")


def late_minutes(p) -> int:
    """How many minutes after its last slot the room finishes, as the table shows the two times."""
    return minutes_between(p.finish, p.scheduled_finish) or 0


def is_late(p) -> bool:
    """The room finishes a minute or more after its last slot (a class starting late inside a day that
    ends on time is said in the room's verdict, not listed as a delay)."""
    return late_minutes(p) >= 1


def verdict(p, lang: str = "zh") -> str:
    late_m = late_minutes(p)
    delays = [(minutes_between(c.start, c.scheduled_start) or 0, c) for c in p.classes]
    worst_m, worst = max(delays, key=lambda d: d[0], default=(0, None))
    if lang == "en":
        finish = (f"finishes {_hm(p.finish)}, {late_m} min after its last slot ({_hm(p.scheduled_finish)})"
                  if late_m >= 1 else f"finishes {_hm(p.finish)}, on time ({_hm(p.scheduled_finish)})")
        if worst_m < 1 or worst is None:
            return finish + "; every class starts on time"
        return (f"{finish}; classes start up to {worst_m} min late ({worst.name} at {_hm(worst.start)} instead "
                f"of {_hm(worst.scheduled_start)})")
    finish = (f"预计 {_hm(p.finish)} 拍完，比最后时段结束（{_hm(p.scheduled_finish)}）晚 {late_m} 分钟"
              if late_m >= 1 else f"预计 {_hm(p.finish)} 拍完，按时（最后时段 {_hm(p.scheduled_finish)} 结束）")
    if worst_m < 1 or worst is None:
        return finish + "；各班都能按时开始"
    return (f"{finish}；最多晚 {worst_m} 分钟开始（{worst.name} 约 {_hm(worst.start)} 开始，时间表为 "
            f"{_hm(worst.scheduled_start)}）")


def _header(p, lang: str, no_data: bool) -> str:
    if lang == "en":
        head = (f"{p.room} {p.date} {p.location}  pace {p.pace_s:.1f} s/student ({SOURCE['en'][p.pace_source]})"
                + (f"  as of {p.now:%H:%M}" if p.now else ""))
        return head + ("\n  no station data for this room: an estimate at the default pace only" if no_data else "")
    head = (f"{p.room} {p.date} {p.location}  速度 {p.pace_s:.1f} 秒/人（{SOURCE['zh'][p.pace_source]}）"
            + (f"  截至 {p.now:%H:%M}" if p.now else ""))
    return head + ("\n  该组没有拍摄数据：以下只是按默认速度的估算" if no_data else "")


def render(plans, lang: str = "zh", no_data: frozenset = frozenset(), notes: list[str] | None = None) -> str:
    """The plans as a table for a person, then the rooms that run late (rooms without data apart)."""
    cols = (("class", "students", "slot", "planned", "starts", "ends", "status") if lang == "en"
            else ("班级", "人数", "时间表时段", "预计时段", "开始", "结束", "状态"))
    lines = []
    for p in plans:
        guess = (p.room, p.date) in no_data
        lines.append(_header(p, lang, guess))
        name_w = max([_width(c.name) for c in p.classes] + [5]) + 2
        lines.append(f"  {_pad(cols[0], name_w)}{_pad(cols[1], 8)}  {_pad(cols[2], 11)}  {_pad(cols[3], 11)}  "
                     f"{_pad(cols[4], 8)}  {_pad(cols[5], 8)}  {cols[6]}")
        for c in p.classes:
            slot = f"{_hm(c.scheduled_start)}-{_hm(c.scheduled_end)}"
            start, end = span(c)
            planned = f"{_t(start)}-{_t(end)}"
            lines.append(f"  {_pad(c.name, name_w)}{_pad(str(c.headcount), 8)}  {slot:<11}  {planned:<11}  "
                         f"{_pad(_mins(c.start, c.scheduled_start, lang), 8)}  "
                         f"{_pad(_mins(_at(p.date, end), c.scheduled_end, lang), 8)}  "
                         f"{STATUS[lang].get(c.status, c.status)}")
        lines.append(f"  {verdict(p, lang)}")
        lines.append("")
    lines += [f"note: {n}" if lang == "en" else f"注意：{n}" for n in notes or []]
    late = [p for p in plans if is_late(p) and (p.room, p.date) not in no_data]
    if late:
        lines.append("Running late:" if lang == "en" else "将会延误：")
        lines += [f"  {p.room} {p.date}: {verdict(p, lang)}" for p in late]
    else:
        lines.append("No room runs late at this pace" if lang == "en" else "按此速度各组均不会延误")
    guessed = [p for p in plans if (p.room, p.date) in no_data]
    if guessed:
        names = ", ".join(f"{p.room} {p.date}" for p in guessed)
        lines.append(f"No data (estimates only): {names}" if lang == "en" else f"没有数据、仅为估算的组：{names}")
    return "\n".join(lines) + "\n"


def order_notes(timetable, lang: str = "zh") -> list[str]:
    """Where the published order differs from the start times: the plan keeps the published order."""
    out = []
    for date in timetable.dates:
        for room in timetable.rooms_on(date):
            slots = [s for s in timetable.slots if s.room == room and s.date == date]
            for a, b in zip(slots, slots[1:], strict=False):
                if a.start and b.start and b.start < a.start:
                    out.append(f"{room} {date}: {b.name} ({b.start:%H:%M}) is listed after {a.name} "
                               f"({a.start:%H:%M}); planned in the published order" if lang == "en" else
                               f"{room} {date}：{b.name}（{b.start:%H:%M}）排在 {a.name}（{a.start:%H:%M}）之后；"
                               "按公布的顺序计划")
    return out


def span(c) -> tuple[dt.time | None, dt.time | None]:
    """A class's planned start and end as the table and ``--out`` both show them: rounded once, and a class
    shorter than half a minute (2 students) still gets its minute so it reads as a slot."""
    start = to_minute(c.start) if c.start is not None else None
    end = to_minute(c.end) if c.end is not None else None
    if start is not None and end is not None and end <= start:
        end = start + MINUTE
    return (start.time() if start else None), (end.time() if end else None)


HEADERS = ("日期", "拍摄组", "地点", "学院", "班级", "人数", "开始时间", "结束时间", "备注")


def corrected_rows(plans, timetable) -> list[list]:
    """One row a class: the plan's start and end as the text shows them (the one rounding, to the nearest
    minute; it keeps the order, so slots never overlap), the original slot in the note; columns the
    importer reads back."""
    colleges = {(s.date, s.room, s.name): s.college for s in timetable.slots}
    rows = []
    for p in plans:
        for c in p.classes:
            start, end = span(c)
            was = f"原时段 {_hm(c.scheduled_start)}-{_hm(c.scheduled_end)}"
            rows.append([p.date, p.room, p.location, colleges.get((p.date, p.room, c.name), ""), c.name,
                         c.headcount, start.strftime("%H:%M") if start else "",
                         end.strftime("%H:%M") if end else "", was])
    return rows


def write_corrected(path: str, plans, timetable) -> Path:
    """The corrected timetable as .xlsx (one sheet, the importer's Chinese headers, dates as date cells)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from photoqueue.atomicfile import atomic_write

    out = Path(path)
    if out.suffix.lower() != ".xlsx":
        raise TimetableError(f"--out {path!r}: the corrected timetable is written as .xlsx / 请用 .xlsx 文件名",
                             exit_status=2)
    wb = Workbook()
    ws = wb.active
    ws.title = "调整后时间表"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in corrected_rows(plans, timetable):
        ws.append(row)
        ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGHI", (12, 10, 16, 16, 24, 6, 10, 10, 22), strict=True):
        ws.column_dimensions[col].width = width
    import io

    buf = io.BytesIO()
    wb.save(buf)
    try:
        atomic_write(out, buf.getvalue())
    except OSError as exc:
        raise TimetableError(f"{out}: cannot write: {exc.strerror or exc} / 无法写入文件", exit_status=1) from None
    return out
