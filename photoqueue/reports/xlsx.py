"""The office's workbook: per-class counts and fees, college and day totals, the make-up list, and per room
the photo agency's list. The station (``photoqueue export --format xlsx``, in
:mod:`photoqueue.device.store.export`) and the central dashboard build the same workbook with :func:`build_workbook`.

Numbers come from :mod:`photoqueue.reports.counts` (pure), so the workbook, the CSVs, the dashboard and
``GET /api/v1/counts`` agree. openpyxl is imported inside the functions (no work at import time).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from photoqueue.reports import cells
from photoqueue.reports import counts as reports
from photoqueue.reports.agency import AGENCY_COLUMNS, codes_notice

CLASS_SHEET = "班级统计"
TOTALS_SHEET = "学院与日期合计"
MAKEUP_SHEET = "补拍名单"
AGENCY_PREFIX = "图片社"
SHEETS_EN = {CLASS_SHEET: "Classes", TOTALS_SHEET: "Totals", MAKEUP_SHEET: "Make-up", AGENCY_PREFIX: "Agency"}
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"

def _sheet(wb, title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]],
           widths: Mapping[str, int] | None = None):
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(title)
    ws.append([zh for _, zh in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r in rows:
        cells.append_row(ws, [_cell(k, r.get(k)) for k, _ in columns])  # codes and names are data, never formulas
        for cell in ws[ws.max_row]:  # a real date cell sorts and filters as a date in Excel/WPS
            if isinstance(cell.value, dt.datetime):
                cell.number_format = TIME_FORMAT
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    from openpyxl.utils import get_column_letter

    for i, (key, zh) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(key, max(8, 2 * len(zh) + 2))
    return ws


def _cell(key: str, value: Any) -> Any:
    """A value as its cell: dates and times (ISO text in the data) become date cells; the rest as is."""
    if value is None:
        return ""
    if key == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # a label in a totals row ("合计")
    if key in ("time", "issued_at", "photographed_at") and isinstance(value, str) and value:
        try:
            # a wall-clock time in the room; Excel has no time zones, so an offset is dropped, not shifted
            return dt.datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            return value
    return value


def _bold_last_row(ws) -> None:
    from openpyxl.styles import Font

    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def _sheet_title(prefix: str, room: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", f"{prefix} {room}")[:31]
    title, n = base, 2
    while title in taken:
        title = f"{base[:28]}~{n}"
        n += 1
    taken.add(title)
    return title


PARTS = ("counts", "totals", "makeup", "agency")


def build_workbook(report: reports.Report, agency: Mapping[str, Sequence[Mapping[str, Any]]],
                   agency_columns: Sequence[tuple[str, str]] = AGENCY_COLUMNS,
                   parts: Sequence[str] = PARTS, lang: str = "zh"):
    """An openpyxl Workbook: the class sheet (with a grand-total row), college and day totals, the make-up
    list, and one agency sheet per room (``agency``: room -> rows in shooting order); ``parts`` picks which.
    Every sheet's printed header says whether the file carries raw collection codes (a ``code`` column)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    raw = any(k == "code" for k, _ in agency_columns) and "agency" in parts
    notice = codes_notice(raw, lang)
    wb.properties.title = notice
    name = (lambda zh: SHEETS_EN[zh]) if lang == "en" else (lambda zh: zh)
    wide = {"class": 22, "college": 16, "date": 12, "room": 10, "code": 36, "code_digest": 20, "time": 20,
            "note": 16}
    if "counts" in parts:
        total = dict(report.total, date="Total" if lang == "en" else "合计", room="", college="", **{"class": ""})
        ws = _sheet(wb, name(CLASS_SHEET), reports.columns(reports.CLASS_KEYS, lang), report.classes + [total],
                    wide)
        _bold_last_row(ws)
        ws.append([])
        ws.append([reports.fee_rule_text(report.fee_rule, report.fee_yuan, lang)])
        ws.append([reports.sum_rule_line(lang)])
        ws.append([notice])
    if "totals" in parts:
        college, day = ("College: ", "Date: ") if lang == "en" else ("学院：", "日期：")
        ws = _sheet(wb, name(TOTALS_SHEET), reports.columns(reports.TOTAL_KEYS, lang),
                    [dict(t, key=f"{college}{t['key']}") for t in report.by_college]
                    + [dict(t, key=f"{day}{t['key']}") for t in report.by_day]
                    + [dict(report.total, key="Total" if lang == "en" else "合计")], {"key": 24})
        _bold_last_row(ws)
    if "makeup" in parts:
        _sheet(wb, name(MAKEUP_SHEET), reports.columns(reports.MAKEUP_KEYS, lang), report.makeup, wide)
    if "agency" in parts:
        taken = set(wb.sheetnames)
        for room, rows in agency.items():
            _sheet(wb, _sheet_title(name(AGENCY_PREFIX), room, taken), agency_columns, rows, wide)
        if not agency:
            _sheet(wb, name(AGENCY_PREFIX), agency_columns, [], wide)
    for ws in wb.worksheets:  # printed on every page, so a sheet printed alone still says it
        ws.oddHeader.center.text = notice
    return wb


def workbook_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
