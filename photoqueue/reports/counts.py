"""The office's reports, pure: per-class counts and fees, per-college and per-day totals, the make-up
list. The photo agency's list is :mod:`photoqueue.reports.agency`.

Everything here takes the per-class rows of ``photoqueue.core.queue.class_counts`` (the export's
``classes``, the API's ``GET /api/v1/counts``) or a session's queue state, and returns plain dicts, so the
dashboard, the CSV/XLSX exports and the station's ``photoqueue export`` all show the same numbers.

Fees are settled per class by the number actually photographed (photographed x fee). They are summed in
fen (integer hundredths of a yuan) so that every total is exactly the sum of its parts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_FEE_YUAN = 20.0
NO_COLLEGE = "未注明学院"

COUNT_KEYS = ("expected", "issued", "photographed", "skipped", "voided", "waiting", "not_seen")

# Column order and Chinese headings of each export; the CSV/XLSX writers and the dashboard share them.
CLASS_COLUMNS = (("date", "日期"), ("room", "拍摄组"), ("college", "学院"), ("class", "班级"),
                 ("expected", "应拍"), ("issued", "已取号"), ("photographed", "已拍"), ("skipped", "未到(过号)"),
                 ("voided", "作废"), ("waiting", "排队中"), ("not_seen", "未取号"), ("fee", "应收费用(元)"))
TOTAL_COLUMNS = (("key", "分组"), ("classes", "班级数"), ("expected", "应拍"), ("issued", "已取号"),
                 ("photographed", "已拍"), ("skipped", "未到(过号)"), ("voided", "作废"), ("waiting", "排队中"),
                 ("not_seen", "未取号"), ("fee", "应收费用(元)"))
MAKEUP_COLUMNS = (("date", "日期"), ("room", "拍摄组"), ("college", "学院"), ("class", "班级"),
                  ("expected", "应拍"), ("photographed", "已拍"), ("missing", "需补拍"), ("not_seen", "未取号"),
                  ("skipped", "过号未拍"), ("waiting", "排队未拍"))


def fee_fen(fee_yuan: float) -> int:
    """A fee in yuan as integer fen (20 -> 2000)."""
    return round(float(fee_yuan) * 100)


def yuan(fen: int) -> int | float:
    """Integer fen back to yuan: a whole number stays an int (2000 -> 20), else 2 decimals."""
    return fen // 100 if fen % 100 == 0 else round(fen / 100, 2)


def college_of(colleges: Mapping[Any, str] | None, row: Mapping[str, Any]) -> str:
    """The class's college from a map keyed by (date, room, class), (room, class) or class; else NO_COLLEGE."""
    if colleges:
        for key in ((row.get("date"), row.get("room"), row.get("class")), (row.get("room"), row.get("class")),
                    row.get("class")):
            found = colleges.get(key)
            if found:
                return found
    return NO_COLLEGE


def class_rows(classes: Iterable[Mapping[str, Any]], fee_yuan: float = DEFAULT_FEE_YUAN,
               colleges: Mapping[Any, str] | None = None) -> list[dict[str, Any]]:
    """Each class with its college, counts, and the fee due (photographed x fee)."""
    per = fee_fen(fee_yuan)
    rows = []
    for c in classes:
        row = {"date": c.get("date", ""), "room": c.get("room", ""), "college": college_of(colleges, c),
               "class": c.get("class") or "(未分班)"}
        for k in COUNT_KEYS:
            row[k] = int(c.get(k) or 0)
        row["fee_fen"] = row["photographed"] * per
        row["fee"] = yuan(row["fee_fen"])
        rows.append(row)
    return rows


def _total(key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "classes": len(rows)}
    for k in COUNT_KEYS:
        out[k] = sum(r[k] for r in rows)
    out["fee_fen"] = sum(r["fee_fen"] for r in rows)
    out["fee"] = yuan(out["fee_fen"])
    return out


def totals_by(rows: list[dict[str, Any]], field_name: str) -> list[dict[str, Any]]:
    """One total per value of ``field_name`` ("college", "date", "room"), in order of first appearance."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(str(r[field_name]), []).append(r)
    return [_total(k, g) for k, g in groups.items()]


def grand_total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return _total("合计", rows)


def makeup_list(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Classes with students not yet photographed, and how many (expected - photographed), with why:
    never took a number, skipped (no-show after scanning), or still in line."""
    out = []
    for r in rows:
        missing = max(int(r["expected"]) - int(r["photographed"]), 0)
        if missing:
            out.append({"date": r["date"], "room": r["room"], "college": r.get("college", NO_COLLEGE),
                        "class": r["class"], "expected": r["expected"], "photographed": r["photographed"],
                        "missing": missing, "not_seen": r["not_seen"], "skipped": r["skipped"],
                        "waiting": r["waiting"]})
    return out


@dataclass
class Report:
    """Everything the office exports: per class, per college, per day, the grand total, the make-up list."""

    fee_yuan: float
    classes: list[dict[str, Any]]
    by_college: list[dict[str, Any]] = field(default_factory=list)
    by_day: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] = field(default_factory=dict)
    makeup: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"fee_yuan": self.fee_yuan, "classes": self.classes, "by_college": self.by_college,
                "by_day": self.by_day, "total": self.total, "makeup": self.makeup}


def build_report(classes: Iterable[Mapping[str, Any]], fee_yuan: float = DEFAULT_FEE_YUAN,
                 colleges: Mapping[Any, str] | None = None) -> Report:
    rows = class_rows(classes, fee_yuan, colleges)
    return Report(fee_yuan=fee_yuan, classes=rows, by_college=totals_by(rows, "college"),
                  by_day=totals_by(rows, "date"), total=grand_total(rows), makeup=makeup_list(rows))


def table_csv(rows: Iterable[Mapping[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
    """A CSV with Chinese headings (UTF-8 with a BOM, so Excel on a Chinese Windows opens it right)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([zh for _, zh in columns])
    for r in rows:
        writer.writerow(["" if r.get(k) is None else r.get(k) for k, _ in columns])
    return buf.getvalue()


def counts_csv(report: Report) -> str:
    """Per class, then the per-college, per-day and grand totals, in one CSV."""
    extra = [dict(t, date="", room="", college=t["key"], **{"class": "学院小计"}) for t in report.by_college]
    extra += [dict(t, date=t["key"], room="", college="", **{"class": "当日小计"}) for t in report.by_day]
    extra.append(dict(report.total, date="", room="", college="", **{"class": "合计"}))
    return table_csv(report.classes + extra, CLASS_COLUMNS)
