"""Exports of a station's data dir (or a demo's, with one station dir per room): the station's side of
``photoqueue export``. It reads the station databases and hands the queue states to the pure
:mod:`photoqueue.reports`, so the station and the centre export the same numbers.

- ``collect(data_dir)``: the JSON shape DESIGN.md gives (tickets and per-class counts).
- ``agency_csv`` / ``write_xlsx``: the photo agency's list with raw collection codes, which never leave
  the station otherwise, and the office's workbook. Both in one language and shape: the same Chinese
  headings and values, the first line saying the file carries raw codes; ``lang="en"`` gives the English
  CSV scripts have read since the first release (keys as headings, the queue's own status words).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from photoqueue.atomicfile import atomic_write
from photoqueue.core import counts, glossary, queue
from photoqueue.core.state import SessionState
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import DB_NAME, EventStore
from photoqueue.reports import cells
from photoqueue.reports import counts as reports
from photoqueue.reports.agency import (
    STATION_AGENCY_COLUMNS,
    agency_rows,
    codes_notice,
    in_chinese,
    ticket_dict,
)

CSV_COLUMNS = tuple(k for k, _ in STATION_AGENCY_COLUMNS)


def station_dbs(data_dir: str | Path) -> list[Path]:
    """The station databases under a data dir: its own, or one per room directory (a demo's)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise StationError(f"{data_dir}: no such data directory / 数据目录不存在")
    own = data_dir / DB_NAME
    found = [own] if own.exists() else sorted(data_dir.glob(f"*/{DB_NAME}"))
    if not found:
        raise StationError(f"{data_dir}: no station data here (no {DB_NAME}) / 此目录中没有工作站数据")
    return found


def replay(store: EventStore, room: str, date: str) -> SessionState:
    state = SessionState(room=room, date=date)
    for event in store.events(room=room, date=date):
        queue.apply(state, event)
    return state


class _OneStream:
    """The stores that hold one station stream's session: a replaced Pi's data dir and the spare's that took
    the room over (a demo's DATA_DIR/<room>/ and DATA_DIR/<room>-spare/, or two cards copied side by side).
    The queue is the longer history's (the spare's, rebuilt from the centre and numbered on); the raw codes
    come from any of them (a rebuilt ticket has only ``digest:...``; the dead Pi's card has the code)."""

    def __init__(self, stores: list[EventStore]):
        self.stores = stores

    def codes(self, room: str, date: str) -> dict[int, str]:
        merged: dict[int, str] = {}
        for store in self.stores:
            for number, code in store.codes(room, date).items():
                if number not in merged or merged[number].startswith("digest:"):
                    merged[number] = code
        return merged

    def close(self) -> None:
        for store in self.stores:
            store.close()


def sessions(data_dir: str | Path) -> list[tuple[EventStore, SessionState]]:
    """Each (room, date) session's store and queue; two stores of one station stream give it once."""
    found: dict[tuple[str, str, str], list[tuple[int, EventStore]]] = {}
    for path in station_dbs(data_dir):
        store = EventStore(path, create=False)
        for room, date in store.sessions():
            last = max((e.seq for e in store.events(room=room, date=date)), default=0)
            found.setdefault((store.station_id, room, date), []).append((last, store))
    out = []
    for (_, room, date), held in found.items():
        held.sort(key=lambda pair: pair[0], reverse=True)
        store = held[0][1] if len(held) == 1 else _OneStream([s for _, s in held])
        out.append((store, replay(held[0][1], room, date)))
    return out


def collect(data_dir: str | Path, now: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """Tickets and per-class counts, as the centre's ``GET /api/v1/counts`` gives them: 未取号 split by the
    one rule (:func:`photoqueue.core.counts.split_row`) at ``now`` (without it, by the room's status only)."""
    tickets, classes = [], []
    for store, state in sessions(data_dir):
        tickets += [ticket_dict(state, state.tickets[n]) for n in sorted(state.tickets)]
        classes += counts.class_counts(state, now)
        store.close()
    return {"tickets": tickets, "classes": classes}


def station_agency_rows(store: EventStore, state: SessionState) -> list[dict[str, Any]]:
    """The agency's list of one session, with the raw codes the station keeps."""
    return agency_rows(state, store.codes(state.room, state.date))


def agency_csv(data_dir: str | Path, lang: str = "zh") -> str:
    """The agency's list of every session, in shooting order, with raw codes. Chinese: a BOM (Excel on a
    Chinese Windows), the raw-codes notice, the xlsx's headings and values, times Excel reads as dates."""
    buf = io.StringIO()
    if lang == "en":
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for store, state in sessions(data_dir):
            writer.writerows({k: cells.safe_cell(v) for k, v in row.items()}
                             for row in station_agency_rows(store, state))
            store.close()
        return buf.getvalue()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([codes_notice(True)])
    writer.writerow([zh for _, zh in STATION_AGENCY_COLUMNS])
    for store, state in sessions(data_dir):
        for row in in_chinese(station_agency_rows(store, state)):
            row["time"] = str(row["time"]).replace("T", " ")
            # a code is opaque and may begin with = or +: escaped here so a spreadsheet reads it as text
            writer.writerow([cells.safe_cell(row.get(k, "")) for k in CSV_COLUMNS])
        store.close()
    return buf.getvalue()


def export_text(data_dir: str | Path, fmt: str, lang: str = "zh") -> str:
    if fmt == "json":
        return json.dumps(collect(data_dir, dt.datetime.now()), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return agency_csv(data_dir, lang)
    raise StationError(f"unknown export format {fmt!r} (json, csv)")


def station_report(data_dir: str | Path, fee_yuan: float = reports.DEFAULT_FEE_YUAN,
                   colleges: Mapping[Any, str] | None = None, fee_rule: str = glossary.DEFAULT_FEE_RULE,
                   lang: str = "zh") -> tuple[reports.Report, dict[str, list[dict]]]:
    """The report and per-room agency rows (with raw codes) of a station's data dir, or a demo's."""
    report = reports.build_report(collect(data_dir)["classes"], fee_yuan, colleges, fee_rule, now=dt.datetime.now())
    agency: dict[str, list[dict]] = {}
    for store, state in sessions(data_dir):
        rows = station_agency_rows(store, state)
        agency.setdefault(state.room, []).extend(rows if lang == "en" else in_chinese(rows))
        store.close()
    return report, agency


def colleges_from_timetable(path: str | Path) -> dict[tuple[str, str, str], str]:
    """(date, room, class) -> college, from a timetable file (the station's plan does not carry colleges)."""
    from photoqueue.timetable import load_timetable

    return {(s.date.isoformat(), s.room, s.name): s.college for s in load_timetable(path).slots if s.college}


def write_xlsx(data_dir: str | Path, out_path: str | Path, *, fee_yuan: float = reports.DEFAULT_FEE_YUAN,
               timetable: str | Path | None = None, fee_rule: str = glossary.DEFAULT_FEE_RULE,
               lang: str = "zh") -> Path:
    """Write the workbook of a station's (or a demo's) data dir to ``out_path``; returns the path."""
    try:
        import openpyxl  # noqa: F401  (a station, photoqueue[station], does not carry it)
    except ImportError:
        raise StationError("--format xlsx needs openpyxl, which a station does not install: use --format csv "
                           "or json here, or export on the office's machine / 本机不支持 xlsx，请用 csv") from None
    from photoqueue.reports.xlsx import build_workbook, workbook_bytes

    colleges = colleges_from_timetable(timetable) if timetable else None
    report, agency = station_report(data_dir, fee_yuan, colleges, fee_rule, lang)
    columns = STATION_AGENCY_COLUMNS if lang != "en" else tuple((k, k) for k, _ in STATION_AGENCY_COLUMNS)
    data = workbook_bytes(build_workbook(report, agency, columns, lang=lang))
    out = Path(out_path)
    try:
        atomic_write(out, data)  # a reader never sees half a workbook
    except OSError as exc:
        raise StationError(f"{out}: cannot write the workbook: {exc} / 无法写入文件") from None
    return out
