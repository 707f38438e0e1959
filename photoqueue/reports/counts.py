"""The office's reports, pure: per-class counts and fees, per-college and per-day totals, the make-up
list. The photo agency's list is :mod:`photoqueue.reports.agency`.

Everything here takes the per-class rows of ``photoqueue.core.counts.class_counts`` (the export's
``classes``, the API's ``GET /api/v1/counts``) or a session's queue state, and returns plain dicts, so the
dashboard, the CSV/XLSX exports and the station's ``photoqueue export`` all show the same numbers.

The words are :mod:`photoqueue.core.glossary`'s. Every row and total keeps the office's sum
(expected + over == photographed + skipped + waiting + absent + not_started; voided stands outside it).

Fees are settled per class under a fee rule (glossary.FEE_RULES: per photographed student, the default; per
student who took a number; per expected graduate) times the fee. They are summed in fen (integer
hundredths of a yuan) so that every total is exactly the sum of its parts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from photoqueue.core import glossary
from photoqueue.core.counts import split_row
from photoqueue.reports import cells
from photoqueue.reports.errors import ReportError

DEFAULT_FEE_YUAN = 20.0
NO_COLLEGE = "未注明学院"

COUNT_KEYS = ("expected", "issued", "photographed", "skipped", "voided", "waiting", "not_seen")
# The office's split of not_seen and a class's overflow (photoqueue.core.counts.class_counts adds them).
SPLIT_KEYS = ("absent", "not_started", "over")
ALL_KEYS = COUNT_KEYS + SPLIT_KEYS

CLASS_KEYS = ("date", "room", "college", "class", "expected", "issued", "photographed", "skipped", "voided",
               "waiting", "not_seen", "absent", "not_started", "over", "fee")
TOTAL_KEYS = ("key", "classes", "expected", "issued", "photographed", "skipped", "voided", "waiting",
               "not_seen", "absent", "not_started", "over", "fee")
MAKEUP_KEYS = ("date", "room", "college", "class", "expected", "photographed", "missing", "absent",
                "not_started", "skipped", "waiting")
_OWN_WORDS = {"key": ("分组", "group"), "classes": ("班级数", "classes")}


def columns(keys: tuple[str, ...], lang: str = "zh") -> tuple[tuple[str, str], ...]:
    """(key, heading) pairs in the glossary's words for ``lang`` ("zh" or "en")."""
    out = []
    for k in keys:
        if k in _OWN_WORDS:
            out.append((k, _OWN_WORDS[k][1 if lang == "en" else 0]))
        else:
            out.append((k, glossary.label(k, lang)))
    return tuple(out)


# Column order and headings of each export; the CSV/XLSX writers and the dashboard share them.
CLASS_COLUMNS = columns(CLASS_KEYS)
TOTAL_COLUMNS = columns(TOTAL_KEYS)
MAKEUP_COLUMNS = columns(MAKEUP_KEYS)


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


def fee_rule_text(rule: str, fee_yuan: float, lang: str = "zh") -> str:
    """The fee rule as printed on a sheet: 收费标准：每人 20 元，按已拍人数收费."""
    _, zh, en = glossary.FEE_RULES[rule]
    amount = yuan(fee_fen(fee_yuan))
    return f"Fee: {amount} yuan {en}" if lang == "en" else f"收费标准：每人 {amount} 元，{zh}"


def sum_rule_line(lang: str = "zh") -> str:
    """The office's sum, printed under the class table so a reader can check it."""
    lead = "Every row adds up: " if lang == "en" else "每行都满足："
    tail = " (voided tickets stand outside the sum)" if lang == "en" else "（作废的号不计入）"
    return lead + glossary.sum_rule_text(lang) + tail


def check_fee_rule(rule: str) -> str:
    if rule not in glossary.FEE_RULES:
        raise ReportError(f"收费规则 {rule!r} 不存在，可选：{'、'.join(glossary.FEE_RULES)} / "
                          f"no fee rule {rule!r}; choose one of {', '.join(glossary.FEE_RULES)}")
    return rule


def _fee_base(row: Mapping[str, Any], rule: str) -> int:
    if rule == "issued":  # a voided ticket was a mistake: nobody pays for it
        return max(row["issued"] - row["voided"], 0)
    return row[glossary.FEE_RULES[rule][0]]


def _split(row: dict[str, Any], c: Mapping[str, Any], now: dt.datetime | None) -> None:
    """absent / not_started / over through the one split (:func:`photoqueue.core.counts.split_row`): the
    source row's room status and slot end, at ``now`` (the report's time; without it, the status at the
    time of the count). A row from before the split (no status) keeps what its source said was absent."""
    row["status"], row["slot_end"] = c.get("status"), c.get("slot_end")
    if now is None and "status" not in c:
        split_row(row, None, over=bool(c.get("absent")) or bool(c.get("is_over")))
    else:
        split_row(row, now)


def class_rows(classes: Iterable[Mapping[str, Any]], fee_yuan: float = DEFAULT_FEE_YUAN,
               colleges: Mapping[Any, str] | None = None,
               fee_rule: str = glossary.DEFAULT_FEE_RULE, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each class with its college, counts, and the fee due (the fee rule's count x fee). ``now`` (local
    wall clock): split 未取号 by the time of the report rather than of the count."""
    per = fee_fen(fee_yuan)
    check_fee_rule(fee_rule)
    rows = []
    for c in classes:
        row = {"date": c.get("date", ""), "room": c.get("room", ""), "college": college_of(colleges, c),
               "class": c.get("class") or "(未分班)"}
        for k in COUNT_KEYS:
            row[k] = int(c.get(k) or 0)
        _split(row, c, now)
        row["fee_fen"] = _fee_base(row, fee_rule) * per
        row["fee"] = yuan(row["fee_fen"])
        rows.append(row)
    return rows


def _total(key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "classes": len(rows)}
    for k in ALL_KEYS:
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
    """Classes that are over (:func:`photoqueue.core.counts.class_over`) with students not photographed
    (需补拍 = expected - photographed), and why: never took a number (未到, absent: the class is over, so
    none of them is "not started"), skipped (过号, can be recalled), or still in line. A class not over yet
    still has time: it is not a make-up case."""
    out = []
    for r in rows:
        missing = max(int(r["expected"]) - int(r["photographed"]), 0)
        if missing and r.get("is_over"):
            out.append({"date": r["date"], "room": r["room"], "college": r.get("college", NO_COLLEGE),
                        "class": r["class"], "expected": r["expected"], "photographed": r["photographed"],
                        "missing": missing, "not_seen": r["not_seen"], "absent": int(r.get("absent") or 0),
                        "not_started": int(r.get("not_started") or 0), "skipped": r["skipped"],
                        "waiting": r["waiting"]})
    return out


@dataclass
class Report:
    """Everything the office exports: per class, per college, per day, the grand total, the make-up list."""

    fee_yuan: float
    classes: list[dict[str, Any]]
    fee_rule: str = glossary.DEFAULT_FEE_RULE
    by_college: list[dict[str, Any]] = field(default_factory=list)
    by_day: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] = field(default_factory=dict)
    makeup: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"fee_yuan": self.fee_yuan, "fee_rule": self.fee_rule, "classes": self.classes, "by_college": self.by_college,
                "by_day": self.by_day, "total": self.total, "makeup": self.makeup}


def build_report(classes: Iterable[Mapping[str, Any]], fee_yuan: float = DEFAULT_FEE_YUAN,
                 colleges: Mapping[Any, str] | None = None, fee_rule: str = glossary.DEFAULT_FEE_RULE,
                 now: dt.datetime | None = None) -> Report:
    rows = class_rows(classes, fee_yuan, colleges, fee_rule, now)
    return Report(fee_yuan=fee_yuan, fee_rule=fee_rule, classes=rows, by_college=totals_by(rows, "college"),
                  by_day=totals_by(rows, "date"), total=grand_total(rows), makeup=makeup_list(rows))


def table_csv(rows: Iterable[Mapping[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
    """A CSV with Chinese headings (UTF-8 with a BOM, so Excel on a Chinese Windows opens it right)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([zh for _, zh in columns])
    for r in rows:
        writer.writerow([cells.safe_cell("" if r.get(k) is None else r.get(k)) for k, _ in columns])
    return buf.getvalue()


def counts_csv(report: Report, lang: str = "zh") -> str:
    """Per class, then the per-college, per-day and grand totals, in one CSV."""
    college_sub, day_sub, total = ("College subtotal", "Day subtotal", "Total") if lang == "en" else (
        "学院小计", "当日小计", "合计")
    extra = [dict(t, date="", room="", college=t["key"], **{"class": college_sub}) for t in report.by_college]
    extra += [dict(t, date=t["key"], room="", college="", **{"class": day_sub}) for t in report.by_day]
    extra.append(dict(report.total, date="", room="", college="", **{"class": total}))
    return table_csv(report.classes + extra, columns(CLASS_KEYS, lang))
