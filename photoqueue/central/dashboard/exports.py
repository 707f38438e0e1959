"""The dashboard's downloads, from the central store: per-class counts and fees, the make-up list, and per
room the photo agency's list (with code digests: raw codes never leave the stations), as xlsx or csv.

Each maker takes (store, settings, room) and returns (body, media type, file name). The counts split 未到 /
未开始 at the deployment's time by the one rule the page, ``/api/v1/counts`` and the station export share
(:func:`photoqueue.core.counts.split_row`).
"""

from __future__ import annotations

from typing import Any

from photoqueue.reports import counts as reports
from photoqueue.reports import xlsx as export_xlsx
from photoqueue.reports.agency import AGENCY_COLUMNS, agency_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def report_of(store: Any, settings: Any) -> reports.Report:
    """The office's report as the page shows it: the fee of the settings, split at the deployment's time."""
    colleges = {(s.date.isoformat(), s.room, s.name): s.college for s in store.timetable().slots if s.college}
    return reports.build_report(store.counts(), settings.fee_yuan, colleges, getattr(settings, "fee_rule",
                                "photographed"), now=settings.now())


def agency_of(store: Any, room: str | None = None) -> dict[str, list[dict]]:
    """room -> the agency rows of each of its sessions, oldest day first."""
    store.catch_up()
    out: dict[str, list[dict]] = {}
    sessions = sorted(store.projection.sessions(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0]))
    for (_sid, r, _date), state in sessions:
        if room is None or r == room:
            out.setdefault(r, []).extend(agency_list(state))
    return out


def _stamp(settings: Any) -> str:
    return settings.now().strftime("%Y%m%d-%H%M")  # the deployment's time, as the page shows it


def workbook_xlsx(store: Any, settings: Any, room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, settings), agency_of(store, room))
    return export_xlsx.workbook_bytes(wb), XLSX, f"图像采集统计-{_stamp(settings)}.xlsx"


def counts_xlsx(store: Any, settings: Any, _room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, settings), {}, parts=("counts", "totals"))
    return export_xlsx.workbook_bytes(wb), XLSX, f"班级统计与费用-{_stamp(settings)}.xlsx"


def counts_csv(store: Any, settings: Any, _room: str | None) -> tuple[bytes, str, str]:
    return reports.counts_csv(report_of(store, settings)).encode("utf-8"), CSV, f"班级统计与费用-{_stamp(settings)}.csv"


def makeup_xlsx(store: Any, settings: Any, _room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, settings), {}, parts=("makeup",))
    return export_xlsx.workbook_bytes(wb), XLSX, f"补拍名单-{_stamp(settings)}.xlsx"


def makeup_csv(store: Any, settings: Any, _room: str | None) -> tuple[bytes, str, str]:
    text = reports.table_csv(report_of(store, settings).makeup, reports.MAKEUP_COLUMNS)
    return text.encode("utf-8"), CSV, f"补拍名单-{_stamp(settings)}.csv"


def agency_xlsx(store: Any, settings: Any, room: str | None) -> tuple[bytes, str, str]:
    wb = export_xlsx.build_workbook(report_of(store, settings), agency_of(store, room), parts=("agency",))
    return export_xlsx.workbook_bytes(wb), XLSX, f"图片社名单-{room or '全部'}-{_stamp(settings)}.xlsx"


def agency_csv(store: Any, settings: Any, room: str | None) -> tuple[bytes, str, str]:
    rows = [r for rows in agency_of(store, room).values() for r in rows]
    text = reports.table_csv(rows, AGENCY_COLUMNS)
    return text.encode("utf-8"), CSV, f"图片社名单-{room or '全部'}-{_stamp(settings)}.csv"


def slip_html(store: Any, settings: Any, room: str | None, class_name: str | None = None) -> tuple[bytes, str, str]:
    """The settlement slips (reports/slip.py) of every class, of one room's, or of one class: printed from the
    dashboard for the class leader (已拍, 应交 under the deployment's fee rule, a line to sign)."""
    from dataclasses import replace

    from photoqueue.reports.slip import slip_html as page

    report = report_of(store, settings)
    rows = [r for r in report.classes if (room is None or r["room"] == room)
            and (class_name is None or r["class"] == class_name)]
    body = page(replace(report, classes=rows), made=settings.now()).encode("utf-8")
    return body, "text/html; charset=utf-8", f"结算单-{class_name or room or '全部'}-{_stamp(settings)}.html"


# every maker takes (store, settings, room), whether or not its export uses each
EXPORTS = {"workbook.xlsx": workbook_xlsx, "counts.xlsx": counts_xlsx, "counts.csv": counts_csv,
           "makeup.xlsx": makeup_xlsx, "makeup.csv": makeup_csv, "agency.xlsx": agency_xlsx,
           "agency.csv": agency_csv, "slip.html": slip_html}
