"""The office's workbook: per-class counts and fees, college and day totals, the make-up list, and per room
the photo agency's list. The station (``photoqueue export --format xlsx``, in
:mod:`photoqueue.device.export`) and the central dashboard build the same workbook with :func:`build_workbook`.

Numbers come from :mod:`photoqueue.reports.counts` (pure), so the workbook, the CSVs, the dashboard and
``GET /api/v1/counts`` agree. openpyxl is imported inside the functions (no work at import time).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from photoqueue.reports import counts as reports
from photoqueue.reports.agency import AGENCY_COLUMNS

CLASS_SHEET = "班级统计"
TOTALS_SHEET = "学院与日期合计"
MAKEUP_SHEET = "补拍名单"
AGENCY_PREFIX = "图片社"



def _sheet(wb, title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]],
           widths: Mapping[str, int] | None = None):
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(title)
    ws.append([zh for _, zh in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r in rows:
        ws.append([_cell(r.get(k)) for k, _ in columns])
    ws.freeze_panes = "A2"
    from openpyxl.utils import get_column_letter

    for i, (key, zh) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(key, max(8, 2 * len(zh) + 2))
    return ws


def _cell(value: Any) -> Any:
    return "" if value is None else value


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
                   parts: Sequence[str] = PARTS):
    """An openpyxl Workbook: the class sheet (with a grand-total row), college and day totals, the make-up
    list, and one agency sheet per room (``agency``: room -> rows in shooting order); ``parts`` picks which."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    wide = {"class": 22, "college": 16, "date": 12, "room": 10, "code": 36, "code_digest": 20, "time": 20,
            "note": 16}
    if "counts" in parts:
        total = dict(report.total, date="合计", room="", college="", **{"class": ""})
        ws = _sheet(wb, CLASS_SHEET, reports.CLASS_COLUMNS, report.classes + [total], wide)
        _bold_last_row(ws)
        ws.append([])
        ws.append([f"收费标准：每人 {reports.yuan(reports.fee_fen(report.fee_yuan))} 元，按已拍人数结算"])
    if "totals" in parts:
        ws = _sheet(wb, TOTALS_SHEET, reports.TOTAL_COLUMNS,
                    [dict(t, key=f"学院：{t['key']}") for t in report.by_college]
                    + [dict(t, key=f"日期：{t['key']}") for t in report.by_day]
                    + [dict(report.total, key="合计")], {"key": 24})
        _bold_last_row(ws)
    if "makeup" in parts:
        _sheet(wb, MAKEUP_SHEET, reports.MAKEUP_COLUMNS, report.makeup, wide)
    if "agency" in parts:
        taken = set(wb.sheetnames)
        for room, rows in agency.items():
            _sheet(wb, _sheet_title(AGENCY_PREFIX, room, taken), agency_columns, rows, wide)
        if not agency:
            _sheet(wb, AGENCY_PREFIX, agency_columns, [], wide)
    return wb


def workbook_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
