"""The photo agency's list: per room, every ticket in shooting order, with skips and voids marked.

One list serves both ends: the station's carries the raw collection code (the agency joins photos to
students by it; raw codes never leave the station otherwise), the centre's only the code's digest. Every
file says which on its first line (``codes_notice``), so a list with raw codes is not passed on unawares.

Statuses and notes use :mod:`photoqueue.core.glossary`'s words (过号 for a skipped ticket, as everywhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from photoqueue.core import glossary
from photoqueue.core.state import CALLED, PHOTOGRAPHED, SKIPPED, VOIDED, WAITING, SessionState, TicketState

STATUS_ZH = {status: glossary.status_label(status) for status in glossary.STATUS_TERM}

# Column order and Chinese headings: the centre's list (digests only) and the station's (raw codes too).
AGENCY_COLUMNS = (("order", "照片序"), ("room", "拍摄组"), ("date", "日期"), ("number", "拍摄号"),
                  ("code_digest", "采集码摘要"), ("class", "班级"), ("status", "状态"), ("time", "拍摄时间"),
                  ("note", "备注"))
STATION_AGENCY_COLUMNS = (("order", "照片序"), ("room", "拍摄组"), ("date", "日期"), ("number", "拍摄号"),
                          ("code", "采集码"), ("code_digest", "采集码摘要"),
                          ("check", "校验"), ("class", "班级"), ("status", "状态"),
                          ("time", "拍摄时间"), ("note", "备注"))


def shooting_order(state: SessionState) -> list[TicketState]:
    """Tickets in the order they left the line (photographed, skipped or voided), then those still in line."""
    done = sorted((t for t in state.tickets.values() if t.shot_seq is not None), key=lambda t: t.shot_seq)
    rest = [t for t in state.tickets.values() if t.shot_seq is None]
    rest.sort(key=lambda t: (t.status != CALLED, state.waiting.index(t.number) if t.number in state.waiting
                             else t.number))
    return done + rest


def codes_notice(raw_codes: bool, lang: str = "zh") -> str:
    """The first line of an agency list: whether it carries raw collection codes."""
    if lang == "en":
        return ("Contains RAW collection codes (station export): give only to the photo agency" if raw_codes
                else "Code digests only, no raw collection codes (central export)")
    return ("本文件含原始采集码（工作站导出），仅交图片社，请勿外传" if raw_codes
            else "本文件只含采集码摘要，不含原始采集码（中心导出）")


def _note(t: TicketState) -> str:
    if t.status == VOIDED:
        return f"{glossary.label('voided')} {t.void_reason}".strip()
    if t.status == SKIPPED:
        return "过号，可召回"
    return {WAITING: "未拍（排队中）", CALLED: glossary.label("called")}.get(t.status, "")


def agency_rows(state: SessionState, codes: Mapping[int, str] | None = None) -> list[dict[str, Any]]:
    """One room's list in shooting order; ``order`` counts photographs only, so it is the photo's place in
    the camera's roll. ``status`` is the queue's own word; ``codes`` (number -> raw code) only on a station."""
    rows, order = [], 0
    for t in shooting_order(state):
        photographed = t.status == PHOTOGRAPHED
        order += photographed
        rows.append({"order": order if photographed else "", "room": state.room, "date": state.date,
                     "number": t.number, "code": (codes or {}).get(t.number, ""), "code_digest": t.code_digest,
                     "check": t.code_digest[:4].upper(), "class": t.class_name or "", "status": t.status,
                     "time": t.photographed_at or "", "note": _note(t)})
    return rows


def in_chinese(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same rows with each status in Chinese, as the spreadsheets show them."""
    return [dict(r, status=STATUS_ZH.get(r["status"], r["status"])) for r in rows]


def agency_list(state: SessionState) -> list[dict[str, Any]]:
    """The centre's list: Chinese statuses, digests only."""
    return in_chinese(agency_rows(state))


def ticket_dict(state: SessionState, t: TicketState) -> dict[str, Any]:
    """A ticket as the export's ``tickets`` and the dashboard show it (a digest, never the raw code)."""
    return {
        "room": state.room, "date": state.date, "number": t.number, "status": t.status, "class": t.class_name,
        "code_digest": t.code_digest, "issued_at": t.issued_at, "photographed_at": t.photographed_at,
        "printed": t.printed, "print_error": t.print_error, "reprints": t.reprints,
        "void_reason": t.void_reason, "flagged_room": t.flagged_room or None,
    }
