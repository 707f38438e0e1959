"""Exports of a station's data dir (or a demo's, with one station dir per room).

- ``collect(data_dir)``: the JSON shape DESIGN.md gives (tickets and per-class counts).
- ``agency_rows(...)``: the photo agency's list for one room, in shooting order, with skips and
  voids marked; the only export that carries raw collection codes, which never leave the station
  otherwise.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from photoqueue.device import queue
from photoqueue.device.errors import StationError
from photoqueue.device.store import DB_NAME, EventStore

AGENCY_COLUMNS = ("order", "room", "date", "number", "code", "check", "class", "status", "time", "note")


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


def replay(store: EventStore, room: str, date: str) -> queue.SessionState:
    state = queue.SessionState(room=room, date=date)
    for event in store.events(room=room, date=date):
        queue.apply(state, event)
    return state


def ticket_dict(state: queue.SessionState, t: queue.Ticket) -> dict[str, Any]:
    return {
        "room": state.room, "date": state.date, "number": t.number, "status": t.status, "class": t.class_name,
        "code_digest": t.code_digest, "issued_at": t.issued_at, "photographed_at": t.photographed_at,
        "printed": t.printed, "print_error": t.print_error, "reprints": t.reprints,
        "void_reason": t.void_reason, "flagged_room": t.flagged_room or None,
    }


def shooting_order(state: queue.SessionState) -> list[queue.Ticket]:
    """Tickets in the order they left the line (photographed, skipped or voided), then those still in line."""
    done = sorted((t for t in state.tickets.values() if t.shot_seq is not None), key=lambda t: t.shot_seq)
    rest = [t for t in state.tickets.values() if t.shot_seq is None]
    rest.sort(key=lambda t: (t.status != queue.CALLED, state.waiting.index(t.number) if t.number in state.waiting
                             else t.number))
    return done + rest


def sessions(data_dir: str | Path) -> list[tuple[EventStore, queue.SessionState]]:
    out = []
    for path in station_dbs(data_dir):
        store = EventStore(path, create=False)
        for room, date in store.sessions():
            out.append((store, replay(store, room, date)))
    return out


def collect(data_dir: str | Path) -> dict[str, list[dict[str, Any]]]:
    tickets, classes = [], []
    for store, state in sessions(data_dir):
        tickets += [ticket_dict(state, state.tickets[n]) for n in sorted(state.tickets)]
        classes += queue.class_counts(state)
        store.close()
    return {"tickets": tickets, "classes": classes}


def agency_rows(store: EventStore, state: queue.SessionState) -> list[dict[str, Any]]:
    codes = store.codes(state.room, state.date)
    rows = []
    order = 0
    for t in shooting_order(state):
        if t.status == queue.PHOTOGRAPHED:
            order += 1
        note = {"skipped": "未到 no-show", "voided": f"作废 void {t.void_reason}".strip(),
                "waiting": "未拍 not yet shot", "called": "拍摄中 being shot"}.get(t.status, "")
        rows.append({"order": order if t.status == queue.PHOTOGRAPHED else "", "room": state.room,
                     "date": state.date, "number": t.number, "code": codes.get(t.number, ""),
                     "check": t.code_digest[:4].upper(), "class": t.class_name or "", "status": t.status,
                     "time": t.photographed_at or "", "note": note})
    return rows


def agency_csv(data_dir: str | Path) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=AGENCY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for store, state in sessions(data_dir):
        writer.writerows(agency_rows(store, state))
        store.close()
    return buf.getvalue()


def export_text(data_dir: str | Path, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(collect(data_dir), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return agency_csv(data_dir)
    raise StationError(f"unknown export format {fmt!r} (json, csv)")
