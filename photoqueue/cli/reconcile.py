"""``photoqueue reconcile``: the camera's photo folder against a room's queue, the same day. A command that joins
rooms: the station's store (device) read for the alignment on the line's model (reconcile; docs/reconcile.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from photoqueue.reconcile.errors import ReconcileError


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reconcile", help="check that the camera's photos and the shooting numbers line up")
    p.add_argument("--data-dir", required=True, help="the station's data directory (or a demo's)")
    p.add_argument("--room", required=True)
    p.add_argument("--date", help="session date YYYY-MM-DD (default: the room's latest session)")
    p.add_argument("--photos", required=True, help="the camera's folder (JPEG, raw; subfolders too)")
    p.add_argument("--json", action="store_true", help="one JSON object: offset, photos, findings")
    p.add_argument("--out", help="write the photo agency's workbook (.xlsx) here")
    p.add_argument("--offset", type=float, default=None,
                   help="the camera clock's offset if known (station minus camera, seconds); default: estimated")
    p.set_defaults(func=run_reconcile)


def load_session(data_dir: str | Path, room: str, date: str | None) -> tuple[str, list, dict[int, str]]:
    """(date, events, number -> code) of a room's session, read through the station's own store."""
    from photoqueue.device.errors import StationError
    from photoqueue.device.store.events import DB_NAME, EventStore

    data_dir = Path(data_dir)
    candidates = [data_dir / DB_NAME, data_dir / room / DB_NAME]
    path = next((c for c in candidates if c.exists()), None)
    if path is None:
        raise ReconcileError(f"{data_dir}: no station data for room {room} here (no {DB_NAME}) "
                             "/ 此目录中没有该组的工作站数据", exit_status=2)
    try:
        store = EventStore(path, create=False)
    except StationError as exc:
        raise ReconcileError(str(exc), exit_status=2) from None
    try:
        dates = sorted(d for r, d in store.sessions() if r == room)
        if not dates:
            raise ReconcileError(f"{path}: no queue for room {room} here / 此工作站没有该组的记录", exit_status=2)
        date = date or dates[-1]
        if date not in dates:
            raise ReconcileError(f"{path}: no queue for {room} on {date} (its days: {', '.join(dates)}) "
                                 "/ 该组该日期没有记录", exit_status=2)
        return date, list(store.events(room=room, date=date)), store.codes(room, date)
    finally:
        store.close()


def run_reconcile(args: argparse.Namespace) -> int:
    from photoqueue.reconcile import Params, reconcile
    from photoqueue.reconcile.photos import read_folder

    date, events, codes = load_session(args.data_dir, args.room, args.date)
    photos, problems = read_folder(args.photos)
    if not photos:
        raise ReconcileError(f"{args.photos}: no photo to reconcile here / 文件夹中没有照片"
                             + (f" ({problems[0].message})" if problems else ""), exit_status=2)
    rec = reconcile(events, photos, room=args.room, date=date, params=Params(offset_s=args.offset),
                    problems=problems)
    if args.out:
        from photoqueue.reconcile.xlsx import write_xlsx

        write_xlsx(rec, args.out, codes)
    if args.json:
        print(json.dumps(rec.to_dict(), ensure_ascii=False))
    else:
        _print_summary(rec, args.out)
    from photoqueue.reconcile.model import MISALIGNMENTS

    return 1 if any(f.kind in MISALIGNMENTS for f in rec.findings) else 0


def _print_summary(rec, out: str | None) -> None:
    assigned = sum(1 for p in rec.photos if p.number is not None)
    numbers = len(rec.by_number())
    w = sys.stdout.write
    if rec.camera_offset_s is not None:
        w(f"room {rec.room} {rec.date}: camera clock {rec.camera_offset_s:+.1f} s from the station's "
          f"(drift {rec.drift_s:+.1f} s over the day)\n")
    w(f"{assigned} of {len(rec.photos)} photos assigned to {numbers} numbers; {len(rec.findings)} finding(s)\n")
    for f in rec.findings:
        where = f"{f.number:>5}" if f.number is not None else "    -"
        w(f"{where}  {f.kind:<18} {f.message}\n")
    if out:
        w(f"workbook: {out}\n")
