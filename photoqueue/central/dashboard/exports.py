"""The dashboard's downloads, from the central store: per-class counts and fees, the make-up list, and per
room the photo agency's list (with code digests: raw codes never leave the stations), as xlsx or csv.

Each maker takes (store, fee_yuan, room) and returns (body, media type, file name).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from photoqueue.reports import counts as reports
from photoqueue.reports import xlsx as export_xlsx
from photoqueue.reports.agency import AGENCY_COLUMNS, agency_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def report_of(store: Any, fee_yuan: float) -> reports.Report:
    colleges = {(s.date.isoformat(), s.room, s.name): s.college for s in store.timetable().slots if s.college}
    return reports.build_report(store.counts(), fee_yuan, colleges)


def agency_of(store: Any, room: str | None = None) -> dict[str, list[dict]]:
    """room -> the agency rows of each of its sessions, oldest day first."""
    store.catch_up()
    out: dict[str, list[dict]] = {}
    sessions = sorted(store.projection.sessions(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0]))
    for (_sid, r, _date), state in sessions:
        if room is None or r == room:
            out.setdefault(r, []).extend(agency_list(state))
    return out


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M")


def workbook_xlsx(store: Any, fee_yuan: float, room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, fee_yuan), agency_of(store, room))
    return export_xlsx.workbook_bytes(wb), XLSX, f"图像采集统计-{_stamp()}.xlsx"


def counts_xlsx(store: Any, fee_yuan: float, _room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, fee_yuan), {}, parts=("counts", "totals"))
    return export_xlsx.workbook_bytes(wb), XLSX, f"班级统计与费用-{_stamp()}.xlsx"


def counts_csv(store: Any, fee_yuan: float, _room: str | None) -> tuple[bytes, str, str]:
    return reports.counts_csv(report_of(store, fee_yuan)).encode("utf-8"), CSV, f"班级统计与费用-{_stamp()}.csv"


def makeup_xlsx(store: Any, fee_yuan: float, _room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, fee_yuan), {}, parts=("makeup",))
    return export_xlsx.workbook_bytes(wb), XLSX, f"补拍名单-{_stamp()}.xlsx"


def makeup_csv(store: Any, fee_yuan: float, _room: str | None) -> tuple[bytes, str, str]:
    text = reports.table_csv(report_of(store, fee_yuan).makeup, reports.MAKEUP_COLUMNS)
    return text.encode("utf-8"), CSV, f"补拍名单-{_stamp()}.csv"


def agency_xlsx(store: Any, fee_yuan: float, room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, fee_yuan), agency_of(store, room), parts=("agency",))
    return export_xlsx.workbook_bytes(wb), XLSX, f"图片社名单-{room or '全部'}-{_stamp()}.xlsx"


def agency_csv(store: Any, _fee_yuan: float, room: str | None) -> tuple[bytes, str, str]:
    rows = [r for rows in agency_of(store, room).values() for r in rows]
    text = reports.table_csv(rows, AGENCY_COLUMNS)
    return text.encode("utf-8"), CSV, f"图片社名单-{room or '全部'}-{_stamp()}.csv"


# every maker takes (store, fee_yuan, room), whether or not its export uses each
EXPORTS = {"workbook.xlsx": workbook_xlsx, "counts.xlsx": counts_xlsx, "counts.csv": counts_csv,
           "makeup.xlsx": makeup_xlsx, "makeup.csv": makeup_csv, "agency.xlsx": agency_xlsx,
           "agency.csv": agency_csv}
