"""The office's workbook: per-class counts and fees, college and day totals, the make-up list, and per room
the photo agency's list. ``photoqueue export --format xlsx --out FILE`` calls :func:`write_xlsx`; the central
dashboard builds the same workbook from its store with :func:`build_workbook`.

Numbers come from :mod:`photoqueue.device.reports` (pure), so the workbook, the CSVs, the dashboard and
``GET /api/v1/counts`` agree. openpyxl is imported inside the functions (no work at import time).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from photoqueue.device import reports
from photoqueue.device.errors import StationError

CLASS_SHEET = "班级统计"
TOTALS_SHEET = "学院与日期合计"
MAKEUP_SHEET = "补拍名单"
AGENCY_PREFIX = "图片社"

# The station's agency list carries the raw code (the agency joins photos to students by it).
STATION_AGENCY_COLUMNS = (("order", "照片序"), ("room", "拍摄组"), ("date", "日期"), ("number", "拍摄号"),
                          ("code", "采集码"), ("code_digest", "采集码摘要"),
                          ("check", "校验"), ("class", "班级"), ("status", "状态"),
                          ("time", "拍摄时间"), ("note", "备注"))


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
                   agency_columns: Sequence[tuple[str, str]] = reports.AGENCY_COLUMNS,
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


def station_report(data_dir: str | Path, fee_yuan: float = reports.DEFAULT_FEE_YUAN,
                   colleges: Mapping[Any, str] | None = None) -> tuple[reports.Report, dict[str, list[dict]]]:
    """The report and per-room agency rows (with raw codes) of a station's data dir, or a demo's."""
    from photoqueue.device.export import agency_rows, collect, sessions

    report = reports.build_report(collect(data_dir)["classes"], fee_yuan, colleges)
    agency: dict[str, list[dict]] = {}
    for store, state in sessions(data_dir):
        for row in agency_rows(store, state):
            row = dict(row, status=reports.STATUS_ZH.get(row["status"], row["status"]),
                       code_digest=state.tickets[row["number"]].code_digest)
            agency.setdefault(state.room, []).append(row)
        store.close()
    return report, agency


def colleges_from_timetable(path: str | Path) -> dict[tuple[str, str, str], str]:
    """(date, room, class) -> college, from a timetable file (the station's plan does not carry colleges)."""
    from photoqueue.device.timetable import load_timetable

    return {(s.date.isoformat(), s.room, s.name): s.college for s in load_timetable(path).slots if s.college}


def write_xlsx(data_dir: str | Path, out_path: str | Path, *, fee_yuan: float = reports.DEFAULT_FEE_YUAN,
               timetable: str | Path | None = None) -> Path:
    """Write the workbook of a station's (or a demo's) data dir to ``out_path``; returns the path."""
    colleges = colleges_from_timetable(timetable) if timetable else None
    report, agency = station_report(data_dir, fee_yuan, colleges)
    wb = build_workbook(report, agency, STATION_AGENCY_COLUMNS)
    out = Path(out_path)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(tmp)
        tmp.replace(out)  # a reader never sees half a workbook
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StationError(f"{out}: cannot write the workbook: {exc} / 无法写入文件") from None
    return out
