"""The per-class settlement slip: one print-ready HTML page of slips, one per class, each with 班级, 应拍,
已拍, 金额 under the fee rule, and a line for the class leader's signature.

Why HTML: every office PC prints it from a browser (A4, several slips a page, never split across pages)
with no PDF library on the station; the fonts are the system's CJK fonts, nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

from photoqueue.core import glossary
from photoqueue.reports import counts as reports

_CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei",
       "PingFang SC", sans-serif; color: #000; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
.slip { border: 1px solid #000; padding: 5mm 7mm; margin: 0 0 6mm; page-break-inside: avoid;
        break-inside: avoid; }
.slip h2 { font-size: 14pt; margin: 0 0 3mm; }
.slip table { border-collapse: collapse; width: 100%; font-size: 12pt; }
.slip th, .slip td { border: 1px solid #555; padding: 2mm 3mm; text-align: left; }
.slip th { width: 22%; background: #eee; }
.amount { font-size: 15pt; font-weight: bold; }
.meta, .rule { font-size: 10pt; color: #333; margin: 2mm 0; }
.sign { display: flex; gap: 10mm; margin-top: 6mm; font-size: 12pt; }
.sign span { flex: 1; border-bottom: 1px solid #000; padding-bottom: 7mm; }
@media screen { body { max-width: 190mm; margin: 8mm auto; } }
"""

_WORDS = {
    "zh": {"title": "毕业照拍摄结算单", "amount": "金额", "yuan": "元", "leader": "班长（负责人）签字",
           "staff": "工作人员签字", "date_signed": "日期", "made": "生成时间", "none": "没有班级可结算。"},
    "en": {"title": "Graduation photo settlement slip", "amount": "amount", "yuan": "yuan",
           "leader": "Class leader's signature", "staff": "Staff signature", "date_signed": "Date",
           "made": "Made", "none": "No class to settle."},
}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _slip(row: Mapping[str, Any], report: reports.Report, lang: str) -> str:
    w = _WORDS[lang]
    label = glossary.label
    cells = [(label("class", lang), row["class"]), (label("expected", lang), row["expected"]),
             (label("photographed", lang), row["photographed"])]
    if row.get("missing", max(row["expected"] - row["photographed"], 0)):
        cells.append((label("missing", lang), max(row["expected"] - row["photographed"], 0)))
    if row.get("over"):
        cells.append((label("over", lang), row["over"]))
    cells.append((w["amount"], f"{row['fee']} {w['yuan']}"))
    body = "".join(
        f"<tr><th>{_e(k)}</th><td{' class=amount' if k == w['amount'] else ''}>{_e(v)}</td></tr>"
        for k, v in cells)
    meta = " · ".join(_e(x) for x in (row.get("date"), row.get("room"), row.get("college")) if x
                      and x != reports.NO_COLLEGE)
    return (f'<section class="slip"><h2>{_e(row["class"])}</h2><p class="meta">{meta}</p>'
            f"<table>{body}</table>"
            f'<p class="rule">{_e(reports.fee_rule_text(report.fee_rule, report.fee_yuan, lang))}</p>'
            f'<div class="sign"><span>{_e(w["leader"])}：</span><span>{_e(w["staff"])}：</span>'
            f'<span>{_e(w["date_signed"])}：</span></div></section>')


def slip_html(report: reports.Report, lang: str = "zh", made: dt.datetime | None = None) -> str:
    """The whole page: a title, then one slip per class in the report's order."""
    w = _WORDS["en" if lang == "en" else "zh"]
    lang = "en" if lang == "en" else "zh"
    slips = "".join(_slip(r, report, lang) for r in report.classes) or f"<p>{_e(w['none'])}</p>"
    stamp = f'<p class="meta">{_e(w["made"])}：{_e(made.strftime("%Y-%m-%d %H:%M"))}</p>' if made else ""
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{_e(w['title'])}</title><style>{_CSS}</style></head>"
            f"<body><h1>{_e(w['title'])}</h1>{stamp}{slips}</body></html>\n")
