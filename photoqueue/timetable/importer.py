"""The tolerant importer: a timetable file as staff write it -> rows, findings, notes.

It reads every row it can and records what is wrong with each, so ``timetable check`` can report all
problems at once; :func:`~photoqueue.timetable.loader.load_timetable` then refuses a file with
an unreadable row. Only file-level problems (no file, an empty sheet, no header, a missing required
column) raise :class:`TimetableError` here.

What it understands (docs/timetable.md has the full list):

- one or more tables per sheet (one per room, as the notices print them), each under its own header row;
  title rows above a table ("（一）10月25日下午 第一组（763人）", "B组，拍摄地点：11B-105") give its room,
  date, location and declared headcount;
- merged cells (XLSX) and blank cells (CSV or XLSX) in the date, room, location and college columns
  take the value above;
- subtotal rows (小计, 合计, 总计, 共计) are checked against the rows they sum and left out, and so are
  the totals a notice writes into a college cell ("职业技术学院（375人）") or a title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from photoqueue.timetable.columns import Columns, is_header, map_columns
from photoqueue.timetable.errors import TimetableError
from photoqueue.timetable.findings import ERROR, Finding
from photoqueue.timetable.model import ClassSlot
from photoqueue.timetable.sources import CARRY, Sheet, blank, read_sheets
from photoqueue.timetable.values import (
    PartialDate,
    clean_text,
    find_date,
    find_location,
    find_room,
    norm,
    parse_date,
    parse_int,
    parse_time,
    parse_time_range,
    split_total,
)

_SUBTOTAL_RE = re.compile(r"^(小计|合计|总计|共计|总数|sub_?total|total)\s*[:：]?\s*(\d+)?\s*人?$", re.I)
_TOTAL_RE = re.compile(r"[(（]\s*(?:共\s*)?(\d+)\s*人\s*[)）]")
CARRIED = ("date", "room", "location", "college")  # a blank cell here means "as above"


@dataclass(frozen=True)
class ImportOptions:
    """What the file may leave out: the year of "10月25日", the date or room of a one-day, one-room file."""

    year: int | None = None
    date: dt.date | None = None
    room: str | None = None


@dataclass
class ParsedRow:
    """One class row as read; fields the row does not give correctly are None or ""."""

    sheet: str
    row: int
    name: str
    headcount: int | None
    start: dt.time | None
    end: dt.time | None
    room: str
    location: str = ""
    college: str = ""
    written_date: PartialDate | None = None
    date_text: str = ""
    date: dt.date | None = None
    unreadable: bool = False  # a finding on this row means it cannot become a ClassSlot

    @property
    def ok(self) -> bool:
        return not self.unreadable and self.date is not None and None not in (self.start, self.end) \
            and bool(self.name) and self.headcount is not None and bool(self.room)

    def slot(self) -> ClassSlot:
        return ClassSlot(date=self.date, room=self.room, name=self.name, headcount=self.headcount,
                         start=self.start, end=self.end, college=self.college, location=self.location,
                         row=self.row)


@dataclass
class _Block:
    """Rows a written total covers: a 小计 row, a college's "(375人)", a title's "第一组（763人）"."""

    what: str
    row: int
    sheet: str
    total: int | None = None
    rows: list[ParsedRow] = field(default_factory=list)


@dataclass
class ParseResult:
    source: str
    rows: list[ParsedRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    title_dates: list[PartialDate] = field(default_factory=list)

    def slots(self) -> list[ClassSlot]:
        return [r.slot() for r in self.rows if r.ok]


def parse_file(path: str | Path, options: ImportOptions | None = None) -> ParseResult:
    path = Path(path)
    options = options or ImportOptions()
    sheets = [s for s in read_sheets(path) if not s.is_empty]
    if not sheets:
        raise TimetableError(f"{path.name}: empty sheet, no rows at all / 表格是空的")
    result = ParseResult(source=str(path))
    for sheet in sheets:
        result.notes += sheet.notes
        label = sheet.name if len(sheets) > 1 else ""
        try:
            _SheetReader(sheet, label, path, options, result).run()
        except TimetableError as exc:
            if len(sheets) == 1 or exc.rule != "no-header":
                raise
            result.notes.append(f"sheet {sheet.name!r} skipped: no header row / 工作表 {sheet.name} 没有表头，已跳过")
    if not result.rows:
        raise TimetableError(f"{path.name}: a header but no class rows / 时间表中没有班级", rule="file")
    _complete_dates(result, options)
    _check_blocks(result)
    result.notes = list(dict.fromkeys(result.notes))
    return result


class _SheetReader:
    def __init__(self, sheet: Sheet, label: str, path: Path, options: ImportOptions, result: ParseResult):
        self.sheet, self.label, self.options, self.out = sheet, label, options, result
        self.where = f"{path.name}" + (f" [{sheet.name}]" if label else "")
        self.file_room = find_room(path.stem) or path.stem
        self.room = find_room(sheet.name) if sheet.titled else None
        self.date = find_date(sheet.name) if sheet.titled else None
        self.location: str | None = None
        self.section: _Block | None = None
        self.college: _Block | None = None
        self.since_subtotal: list[ParsedRow] = []
        self.since_total: list[ParsedRow] = []
        self.cols = Columns()

    def finding(self, row: int, rule: str, message: str, severity: str = ERROR) -> None:
        self.out.findings.append(Finding(row, severity, rule, message, self.label))

    def run(self) -> None:
        rows = self.sheet.rows
        headers = [i for i, r in enumerate(rows) if is_header(r)]
        if not headers:
            first = ", ".join(norm(v) for v in rows[0] if not blank(v) and v is not CARRY) if rows else ""
            raise TimetableError(
                f"{self.where}: no header row; expected columns such as 日期/date, 组别/room, 拍摄时间/time "
                f"(or 开始/start, 结束/end), 班级/class, 人数/headcount; the first row has: {first} "
                "/ 找不到表头行", rule="no-header", sheet=self.label)
        for i in range(headers[0]):
            self.title(i + 1, " ".join(norm(v) for v in rows[i] if not blank(v) and v is not CARRY))
        for n, h in enumerate(headers):
            end = headers[n + 1] if n + 1 < len(headers) else len(rows)
            self.table(h, rows[h + 1:end])
        self.close_college()
        self.close_section()

    def title(self, row_no: int, text: str) -> tuple:
        room, date, location = find_room(text), find_date(text), find_location(text)
        total = _TOTAL_RE.search(norm(text))
        if room or date or total:
            self.close_college()
            self.close_section()
        if room:
            self.room, self.location = room, None
        if date:
            self.date = date
            self.out.title_dates.append(date)
        if location:
            self.location = location
        if total:
            self.section = _Block(text, row_no, self.label, int(total.group(1)))
        return room, date, location

    def table(self, h: int, body: list[list[object]]) -> None:
        header_no = h + 1
        cols = map_columns(self.sheet.rows[h], body, where=self.where, row_no=header_no)
        self.out.notes += cols.notes
        self.cols = cols
        if not cols.has("date") and self.date is None and self.options.date is None:
            raise TimetableError(f"{self.where} row {header_no}: no 日期/date column, no date in a title above the "
                                 "table and no --date / 缺少日期列", row=header_no, rule="columns", sheet=self.label)
        self.close_college()
        self.since_subtotal = []
        prev: list[object] = []
        for k, raw in enumerate(body):
            row_no = header_no + 1 + k
            cells = [(i, v) for i, v in enumerate(raw) if not blank(v) and v is not CARRY]
            if not cells:
                continue
            if any(_SUBTOTAL_RE.match(norm(v)) for _, v in cells):
                self.subtotal(row_no, raw, cols)
                continue
            if len(cells) == 1 and self.is_title(cells[0], cols):
                room, date, location = self.title(row_no, norm(cells[0][1]))
                if not (room or date or location or _TOTAL_RE.search(norm(cells[0][1]))):
                    self.out.notes.append(f"{self.where} row {row_no}: {norm(cells[0][1])!r} is not a class row, "
                                          "left out / 非班级行，已忽略")
                for role, hit in (("room", room), ("date", date), ("location", location or room)):
                    if hit and cols.has(role) and cols.at[role] < len(prev):
                        prev[cols.at[role]] = None  # a new title starts a new "as above"
                continue
            vals = [prev[i] if (v is CARRY or (blank(v) and self.carried(i, cols))) and i < len(prev) else v
                    for i, v in enumerate(raw)]
            prev = [None if v is CARRY else v for v in vals]
            self.data_row(row_no, raw, vals, cols)

    @staticmethod
    def carried(i: int, cols: Columns) -> bool:
        return any(cols.at.get(role) == i for role in CARRIED)

    @staticmethod
    def is_title(cell: tuple[int, object], cols: Columns) -> bool:
        i, v = cell
        if i in (cols.at.get("class"), cols.at.get("headcount")):
            return False
        return parse_time_range(v) is None and parse_time(v) is None and parse_int(v) is None

    def subtotal(self, row_no: int, raw: list[object], cols: Columns) -> None:
        label_cell = next(norm(v) for v in raw if not blank(v) and v is not CARRY and _SUBTOTAL_RE.match(norm(v)))
        m = _SUBTOTAL_RE.match(label_cell)
        value = parse_int(cols.get(raw, "headcount"))
        if value is None and m.group(2):
            value = int(m.group(2))
        if value is None:
            value = next((parse_int(v) for v in raw if parse_int(v) is not None), None)
        grand = m.group(1) != "小计"
        covered = self.since_total if grand else self.since_subtotal
        self.out.blocks.append(_Block(m.group(1), row_no, self.label, value, list(covered)))
        self.since_subtotal = []
        if grand:
            self.since_total = []
        self.close_college()

    def data_row(self, row_no: int, raw: list[object], vals: list[object], cols: Columns) -> None:
        def cell(role: str) -> object:
            i = cols.at.get(role)
            return vals[i] if i is not None and i < len(vals) else None

        r = ParsedRow(self.label, row_no, clean_text(cell("class")), None, None, None, "")
        self.read_date(r, cell)
        self.read_time(r, cell)
        self.read_headcount(r, cell("headcount"))
        if not r.name:
            self.finding(row_no, "missing-class", "no class name / 缺少班级名称")
            r.unreadable = True
        room = clean_text(cell("room")) if cols.has("room") else ""
        r.room = room or self.room or self.options.room or ("" if cols.has("room") else self.file_room)
        if not r.room:
            self.finding(row_no, "missing-room", "no room (组别) for this row / 缺少组别")
        r.location = clean_text(cell("location")) or self.location or ""
        r.college, college_total = split_total(cell("college"))
        i = cols.at.get("college")
        if i is not None and i < len(raw) and not blank(raw[i]) and raw[i] is not CARRY:
            if self.college is None or self.college.what != r.college or college_total is not None:
                self.close_college()
                self.college = _Block(r.college, row_no, self.label, college_total)
        for block in (self.college, self.section):
            if block is not None:
                block.rows.append(r)
        self.since_subtotal.append(r)
        self.since_total.append(r)
        self.out.rows.append(r)

    def read_date(self, r: ParsedRow, cell) -> None:
        value = cell("date")
        if blank(value):
            r.written_date = self.date or (_partial(self.options.date) if self.options.date else None)
            if r.written_date is None:
                self.finding(r.row, "malformed-date", "no date for this row / 缺少日期")
                r.unreadable = True
            return
        r.date_text = norm(value)
        r.written_date = parse_date(value)
        if r.written_date is None:
            self.finding(r.row, "malformed-date", f"date {r.date_text!r} is not a date / 日期格式错误")
            r.unreadable = True

    def read_time(self, r: ParsedRow, cell) -> None:
        if self.cols.has("time"):
            value = cell("time")
            span = parse_time_range(value)
            if span:
                r.start, r.end = span
            else:
                self.finding(r.row, "malformed-time", "no time / 缺少拍摄时间" if blank(value) else
                             f"time {norm(value)!r} is not a time range like 8:30-8:55 / 时间格式错误")
                r.unreadable = True
            return
        for attr, role, zh in (("start", "start", "开始"), ("end", "end", "结束")):
            value = cell(role)
            t = parse_time(value)
            if t is None:
                self.finding(r.row, "malformed-time", f"no {role} time / 缺少{zh}时间" if blank(value) else
                             f"{role} time {norm(value)!r} is not a time like 8:30 / {zh}时间格式错误")
                r.unreadable = True
            setattr(r, attr, t)

    def read_headcount(self, r: ParsedRow, value: object) -> None:
        n = parse_int(value)
        if n is None:
            self.finding(r.row, "headcount", "no headcount / 缺少人数" if blank(value) else
                         f"headcount {norm(value)!r} is not a whole number / 人数不是整数")
            r.unreadable = True
        elif n <= 0:
            self.finding(r.row, "headcount", f"headcount {n}: a class needs at least one student / 人数必须大于 0")
        r.headcount = n

    def close_college(self) -> None:
        if self.college is not None and self.college.total is not None:
            self.out.blocks.append(self.college)
        self.college = None

    def close_section(self) -> None:
        if self.section is not None:
            self.out.blocks.append(self.section)
            self.section = None


def _partial(d: dt.date) -> PartialDate:
    return PartialDate(d.day, d.month, d.year)


def _most_common(values: list) -> object:
    values = [v for v in values if v is not None]
    return Counter(values).most_common(1)[0][0] if values else None


def _complete_dates(result: ParseResult, options: ImportOptions) -> None:
    """Give "10月25日" its year and "13日" its month: from --year/--date, else the dates written in full."""
    written = [r.written_date for r in result.rows if r.written_date] + result.title_dates
    year = options.year or (options.date.year if options.date else None) or _most_common([p.year for p in written])
    month = (options.date.month if options.date else None) or _most_common([p.month for p in written])
    missing: dict[tuple, list[ParsedRow]] = {}  # one finding per date written without its year or month
    for r in result.rows:
        p = r.written_date
        if p is None:
            continue
        r.date = p.complete(year, month)
        if r.date is None:
            r.unreadable = True
            missing.setdefault((r.sheet, r.date_text or str(p)), []).append(r)
    for (sheet, text), rows in missing.items():
        p = rows[0].written_date
        if p.year is None and year is None:
            msg = f"date {text!r} has no year; write it in full or pass --year / 日期缺少年份"
        elif p.month is None and month is None:
            msg = f"date {text!r} has no month; write it in full or pass --date / 日期缺少月份"
        else:
            msg = f"date {text!r} is not a date / 日期格式错误"
        if len(rows) > 1:
            msg += f" (rows {rows[0].row}-{rows[-1].row}, {len(rows)} rows / 共 {len(rows)} 行)"
        result.findings.append(Finding(rows[0].row, ERROR, "malformed-date", msg, sheet))


def _check_blocks(result: ParseResult) -> None:
    for b in result.blocks:
        if b.total is None or not b.rows:
            continue
        counts = [r.headcount for r in b.rows]
        if None in counts:
            result.notes.append(f"row {b.row}: {b.what} {b.total} not checked: a row in it has no headcount "
                                "/ 有班级缺少人数，未核对")
            continue
        if sum(counts) != b.total:
            span = f"rows {b.rows[0].row}-{b.rows[-1].row}" if len(b.rows) > 1 else f"row {b.rows[0].row}"
            result.findings.append(Finding(
                b.row, ERROR, "subtotal",
                f"{b.what}: written {b.total}, but the {len(b.rows)} classes it covers ({span}) add up to "
                f"{sum(counts)} / 小计 {b.total} 与各班人数之和 {sum(counts)} 不符", b.sheet))


__all__ = ["ImportOptions", "ParseResult", "ParsedRow", "parse_file"]
