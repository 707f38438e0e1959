"""未取号 split by the clock, pure: of the students who never took a number, who is 未到（已过时段） (their class
is over: absent, a make-up case) and who is 未开始 (their class is not over yet: still expected), and how
many tickets a class has over its headcount.

Mid-day the office must tell absent students from classes not yet due: one 未取号 figure of 460 said
neither. The split is by what the room did, not by the printed slot alone: a class the room has finished
(its plan says "done") is over even before its slot ends, and a class a late room has not reached is not
over even after its slot ended (its students have not been called). Without a live plan the slot's end
decides; a past day is over and a future day is not.

The sums always add up, per class and in every total:

    已拍 + 过号 + 排队中 + 未到 + 未开始 = 应拍 + 超出应拍        已取号 = 已拍 + 过号 + 排队中 + 作废

``over`` (超出应拍) counts tickets past the headcount (a class correction, a student from another list):
a void is not a student and counts in neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from photoqueue.core import counts
from photoqueue.reports.counts import makeup_list

SPLIT_KEYS = ("absent", "not_started", "over")


def class_over(date: str, today: dt.date, now: dt.datetime, *, plan_status: str | None = None,
               slot_end: dt.datetime | None = None) -> bool:
    """Is the class of ``date`` over at ``now``: the one rule, :func:`photoqueue.core.counts.class_over`
    (``today`` is ``now``'s date, kept for the callers that pass it)."""
    del today
    return counts.class_over(date, now, status=plan_status, slot_end=slot_end)


def split(row: Mapping[str, Any], over: bool) -> dict[str, int]:
    """The class row's 未取号 as absent / not_started, and its tickets over its headcount
    (:func:`photoqueue.core.counts.split_row`)."""
    out = counts.split_row(dict(row), None, over=over)
    return {k: out[k] for k in SPLIT_KEYS}


def apply(report: dict[str, Any], is_over: Callable[[Mapping[str, Any]], bool]) -> dict[str, Any]:
    """``report`` (``Report.to_dict()``) with the split added to every class row, every total and the
    make-up list; the make-up list keeps only classes that are over (the others still have time)."""
    for row in report["classes"]:
        counts.split_row(row, None, over=bool(is_over(row)))
    rows = report["classes"]
    for total in report.get("by_college", []):
        _add(total, (r for r in rows if str(r.get("college")) == total["key"]))
    for total in report.get("by_day", []):
        _add(total, (r for r in rows if str(r.get("date")) == total["key"]))
    if report.get("total") is not None:
        _add(report["total"], rows)
    makeup = makeup_list(rows)
    report["makeup"] = makeup
    return report


def _add(total: dict[str, Any], rows: Iterable[Mapping[str, Any]]) -> None:
    sums = dict.fromkeys(SPLIT_KEYS, 0)
    for r in rows:
        for k in SPLIT_KEYS:
            sums[k] += int(r.get(k) or 0)
    total.update(sums)
