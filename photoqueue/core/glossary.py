"""The one vocabulary of the photo day, Chinese first: every screen, ticket, CLI line, dashboard cell,
export heading and doc uses these words and means the same thing by them (docs/glossary.md is the table).

Pure data and two lookups. The keys are the count keys of ``photoqueue.core.counts.class_counts`` and the
ticket statuses, so a column, a badge and a sum all name a term by the key they already carry.

Why one module: the office once read "未到" on the dashboard, "Absent" in the demo summary and "过号" in the
make-up list for overlapping things, and could not make the day's numbers add up.

The office's sum, which every report keeps (see ``SUM_RULE``)::

    应拍 + 超出应拍 = 已拍 + 过号 + 排队中 + 未到（已过时段） + 未开始

作废 tickets stand outside it (a voided ticket was a mistake: the student's real ticket, if any, is counted),
and 未取号 = 未到（已过时段） + 未开始.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")


@dataclass(frozen=True)
class Term:
    key: str
    zh: str
    en: str
    meaning_zh: str
    meaning_en: str

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


_TERMS = (
    Term("expected", "应拍", "expected", "时间表上该班的人数", "the class's headcount in the timetable"),
    Term("issued", "已取号", "took a number", "扫码取到号的人数（含作废）", "tickets issued to the class, voided ones included"),
    Term("photographed", "已拍", "photographed", "已拍照", "photographed"),
    Term("skipped", "过号", "skipped", "叫号未到，已跳过；可重新叫号（召回）",
         "called but not there, passed over; can be recalled"),
    Term("voided", "作废", "voided", "工作人员作废的号（误取、重复），不计入应拍",
         "voided by staff (a mistaken or duplicate ticket); not counted against the headcount"),
    Term("waiting", "排队中", "in line", "已取号，等候或正在拍摄", "holds a number, waiting or being photographed"),
    Term("called", "正在拍摄", "now shooting", "当前叫到的号", "the number being photographed"),
    Term("not_seen", "未取号", "no number yet", "应拍但还没有取号：未到（已过时段）+ 未开始",
         "expected but never scanned: absent + not yet due"),
    Term("absent", "未到（已过时段）", "absent (slot passed)", "该班拍摄时段已过仍未取号",
         "the class's slot has passed and they never took a number"),
    Term("not_started", "未开始", "not yet due", "该班拍摄时段还没到（或正在进行）",
         "the class's slot has not passed yet"),
    Term("over", "超出应拍", "over headcount", "有效取号人数多于应拍人数（多出的人数）",
         "more valid tickets than the headcount (by how many)"),
    Term("missing", "需补拍", "needs a make-up photo", "应拍 − 已拍：需要安排补拍的人数",
         "expected minus photographed: students to photograph at a make-up session"),
    Term("fee", "应收费用(元)", "fee due (yuan)", "按收费规则计算的金额", "the amount under the fee rule"),
    Term("date", "日期", "date", "拍摄日期", "shooting date"),
    Term("room", "拍摄组", "room", "拍摄组（拍摄间）", "photo room"),
    Term("college", "学院", "college", "学院", "college"),
    Term("class", "班级", "class", "班级", "class"),
    Term("number", "号码", "number", "拍摄号（取号顺序）", "the shooting number, in order of issue"),
)

TERMS: dict[str, Term] = {t.key: t for t in _TERMS}

# Ticket status (photoqueue.core.queue.TicketStatus values) -> the term people read for it.
STATUS_TERM: dict[str, str] = {"waiting": "waiting", "called": "called", "photographed": "photographed",
                               "skipped": "skipped", "voided": "voided"}

# The sum every report keeps: left side == right side, per class and in every total.
SUM_RULE: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("expected", "over"), ("photographed", "skipped", "waiting", "absent", "not_started"))

# Fee rules: which count the per-student fee multiplies.
FEE_RULES: dict[str, tuple[str, str, str]] = {
    # rule -> (count key, zh description, en description)
    "photographed": ("photographed", "按已拍人数收费", "per photographed student"),
    "issued": ("issued", "按取号人数收费（不含作废）", "per student who took a number (voided excluded)"),
    "expected": ("expected", "按应拍人数收费（无论是否拍摄）", "per expected graduate, photographed or not"),
}
DEFAULT_FEE_RULE = "photographed"


def term(key: str) -> Term:
    """The term for a key; a KeyError names the key (a typo in code, not something a person types)."""
    return TERMS[key]


def label(key: str, lang: str = "zh") -> str:
    """The word for ``key`` in ``lang`` ("zh" default, "en")."""
    return TERMS[key].label(lang)


def status_label(status: str, lang: str = "zh") -> str:
    """The word for a ticket status ("skipped" -> 过号); an unknown status is shown as itself."""
    key = STATUS_TERM.get(str(status))
    return label(key, lang) if key else str(status)


def sum_rule_text(lang: str = "zh") -> str:
    """The office's sum as a sentence, for the foot of a sheet."""
    left, right = SUM_RULE
    return f"{' + '.join(label(k, lang) for k in left)} = {' + '.join(label(k, lang) for k in right)}"
