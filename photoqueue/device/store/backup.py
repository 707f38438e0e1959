"""``photoqueue backup`` and ``photoqueue recover``: a whole copy of a running station, and a station
rebuilt from what survives a damaged one.

A copy of ``station.db`` alone is not a backup: the day's last commits sit in ``station.db-wal``
until a checkpoint. ``backup`` goes through SQLite's online backup API, which copies one consistent
snapshot while the station keeps numbering.

``recover`` starts from the best local history (the data dir's own file when it still opens, or a
backup) and appends what the centre holds beyond it: the centre keeps every event the station
synced, in order, under the station's id. Tickets rebuilt from the centre have no raw code (the
centre never sees one); they keep their number and digest, so a rescan of the student is a reprint,
and the agency list marks them ``digest:...`` to be joined from the last backup's raw codes. The
damaged files are moved aside, never deleted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path

from photoqueue.device.errors import StationError
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.witness import read_witness, witness_path

log = logging.getLogger(__name__)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="a consistent copy of a (running) station's database")
    p.add_argument("--data-dir", required=True, help="the station's data directory")
    p.add_argument("--out", required=True, help="the copy to write (a new SQLite file)")
    p.set_defaults(func=run_backup)

    p = sub.add_parser("recover", help="rebuild a damaged station from its backup and the centre's copy")
    p.add_argument("--data-dir", required=True, help="the station's data directory")
    p.add_argument("--from", dest="source", help="a backup made by `photoqueue backup` (default: the data "
                                                 "dir's own file, when it still opens)")
    p.add_argument("--url", help="the centre's base URL (as [central] url)")
    p.add_argument("--token-file", help="the station's token file (as [central] token_file)")
    p.add_argument("--last-number", type=int, help="with no centre and no witness: the last number printed on "
                                                   "paper; the station numbers above it")
    p.add_argument("--room", help="with --last-number on an empty data dir: the room")
    p.add_argument("--date", help="with --last-number on an empty data dir: the session date")
    p.add_argument("--witness-dir", help="as [station] witness_dir (default: $STATE_DIRECTORY, else "
                                         "~/.local/state/photoqueue)")
    p.set_defaults(func=run_recover)


def backup(data_dir: str | Path, out: str | Path) -> int:
    """Copy the station's database to ``out``; returns its number of events."""
    out = Path(out)
    if out.exists():
        raise StationError(f"{out}: already exists; give a new file name", exit_status=2)
    with EventStore(db_path(data_dir), create=False) as store:  # checks the file before copying it
        try:
            with sqlite3.connect(out) as dst:
                store.backup_to(dst)
            dst.close()
        except (sqlite3.Error, OSError) as exc:
            out.unlink(missing_ok=True)
            raise StationError(f"{out}: cannot write the backup: {exc}") from None
        return store.last_seq()


def run_backup(args: argparse.Namespace) -> int:
    n = backup(args.data_dir, args.out)
    print(json.dumps({"out": str(args.out), "events": n}))  # for machines; the line below for staff
    print(f"已备份到 {args.out}（{n} 个事件） / backed up to {args.out} ({n} events)", file=sys.stderr)
    return 0


def recover(data_dir: str | Path, source: str | Path | None, centre: tuple[str, str] | None,
            last_number: int | None = None, witness_dir: str | Path | None = None,
            session: tuple[str, str] | None = None) -> dict:
    """Rebuild the data dir's station (see :mod:`.recover`); refuses what would give a number twice."""
    from photoqueue.device.store import recover as rc
    from photoqueue.device.store.gate import take_lock

    data_dir = Path(data_dir)
    lock = take_lock(data_dir)  # never under a running station (or a manual scan)
    try:
        marker = rc.read_marker(data_dir)
        if marker is not None and marker.get("step") == "swapping":
            # the new file was complete and synced: finish the swap that was cut short
            rc.finish(data_dir, Path(marker["aside"]))
            return {"finished_earlier_recover": True, "damaged_files_moved_to": marker["aside"]}
        return _recover(data_dir, Path(source) if source else None, centre, last_number, witness_dir, session)
    finally:
        os.close(lock)


def _recover(data_dir: Path, source: Path | None, centre, last_number, witness_dir, session) -> dict:
    from photoqueue.device.store import recover as rc
    from photoqueue.device.store.outer_witness import DayWitness, default_dir

    path = db_path(data_dir)
    origin = source or path
    local = rc.raw_events(origin)
    if local is None and (source is not None or (centre is None and last_number is None)):
        raise StationError(f"{origin}: does not open as a station database; give a backup (--from), the centre "
                           "(--url, --token-file) or the last number printed on paper (--last-number N)",
                           exit_status=2)
    own = rc.data_dir_identity(data_dir)
    if local is not None and own is not None and local[0] != own:
        raise StationError(f"{origin} is a backup of station {local[0]}, but {data_dir} is station {own}'s: "
                           "give this station's backup / 备份属于另一台工作站", exit_status=2)
    station_id, rows = local if local is not None else (own, [])
    if [r[0] for r in rows] != list(range(1, len(rows) + 1)):
        raise StationError(f"{origin}: its event sequence has gaps; give another backup", exit_status=2)
    extra: list[dict] = []
    dropped: list[tuple] = []  # local events that parted from the centre's (kept only in the files moved aside)
    centre_hw = 0
    keep = None
    if centre is not None:
        centre_sid, centre_hw, held = rc.fetch_centre_events(*centre, after=0)
        if station_id is not None and centre_sid != station_id:
            raise StationError(f"the centre knows this token's station as {centre_sid}, the backup is {station_id}",
                               exit_status=2)
        station_id = centre_sid
        keep = _agreeing(rows, held)
        rows, dropped, extra = rows[:keep], rows[keep:], held[keep:]
    if station_id is None:
        raise StationError(f"{data_dir}: nothing says which station this is; give a backup (--from) or the centre",
                           exit_status=2)
    total = len(rows) + len(extra)
    witness = read_witness(witness_path(path))
    if witness is not None and witness.station_id == station_id and witness.seq > max(total, len(rows) + len(dropped)):
        raise StationError(f"the station numbered {witness.seq} events, but the backup and the centre hold only "
                           f"{total}: events {total + 1}..{witness.seq} are nowhere else; keep the damaged files and "
                           "call for help (numbering on would give those numbers twice)", exit_status=4)
    sessions = [(r[1], r[2]) for r in rows + dropped] + [(e["room"], e["date"]) for e in extra]
    room, date = session or (sessions[-1] if sessions else (None, None))
    day = DayWitness(default_dir(str(witness_dir or ""), data_dir), data_dir, room, date) if room else None
    outer = day.read() if day is not None else None
    paper = _paper(room, date, _highest(rows, extra, room, date), last_number, _highest(dropped, [], room, date),
                   outer.number if outer is not None else 0, centre is None and witness is None and outer is None)
    aside = data_dir / f"damaged-{time.strftime('%Y%m%dT%H%M%S')}"
    rc._mark(data_dir, "building")
    rc.build(data_dir, origin if local is not None else None, station_id, extra, centre_hw, paper, keep, day)
    rc._mark(data_dir, "swapping", aside=str(aside))
    rc.finish(data_dir, aside)
    return {"station_id": station_id, "from_backup": len(rows), "from_centre": len(extra), "events": total,
            "numbers_on_paper": paper[2] if paper else None, "damaged_files_moved_to": str(aside)}


def _paper(room: str | None, date: str | None, highest: int, last_number: int | None, superseded: int,
           witnessed: int, no_evidence: bool) -> tuple[str, str, int] | None:
    """The floor the rebuilt session numbers above (a NumbersOnPaper event), or None; refuses what would give
    a number twice. ``superseded``: the highest number of local events that parted from the centre's (handed
    out on paper all the same); ``witnessed``: the outer witness's number of the day."""
    if last_number is not None and room is None:
        raise StationError("--last-number needs --room and --date (the local file holds no session)", exit_status=2)
    if last_number is None and no_evidence:
        raise StationError("no centre and no witness: nothing says how far this room numbered; give the last number "
                           "printed on paper (--last-number N), and the station numbers above it / 无中心、无记录："
                           "请用 --last-number 给出纸上最后一个号", exit_status=2)
    floor = max(superseded, last_number or 0)
    if witnessed > max(highest, floor):
        raise StationError(f"the witness outside the data dir ({room} {date}) records number {witnessed}, but the "
                           f"backup and the centre hold only up to {highest}; give the last number printed on paper "
                           "(--last-number N) to number above it", exit_status=4)
    return (room, date, floor) if room is not None and floor > highest else None


def _agreeing(rows: list[tuple], held: list[dict]) -> int:
    """How many local rows agree with the centre's events, from the first: after a divergence (a rolled-back
    station numbered again while the centre was down) the centre's history wins; the local tail stays in the
    damaged files moved aside."""
    from photoqueue.core.events import event_from_dict

    for i, (row, theirs) in enumerate(zip(rows, held, strict=False)):
        if event_from_dict(json.loads(row[3])).public_dict() != theirs:
            log.warning("recover: the local history parts from the centre's at seq %d; the centre's is kept from "
                        "there", i + 1)
            return i
    return len(rows)


def _highest(rows: list[tuple], extra: list[dict], room: str | None, date: str | None) -> int:
    numbers = [0]
    for _, r, d, body in rows:
        if (r, d) == (room, date):
            doc = json.loads(body)
            numbers.append(int(doc.get("number") or doc.get("upto") or 0) if doc.get("type") in (
                "ticket_issued", "numbers_on_paper") else 0)
    numbers += [int(e.get("number") or 0) for e in extra if (e.get("room"), e.get("date")) == (room, date)
                and e.get("type") == "ticket_issued"]
    return max(numbers)


def run_recover(args: argparse.Namespace) -> int:
    centre = None
    if args.url:
        if not args.token_file:
            raise StationError("--url needs --token-file (the station's token)", exit_status=2)
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise StationError(f"{args.token_file}: {exc.strerror}", exit_status=2) from None
        centre = (args.url, token)
    if args.last_number is not None and args.last_number < 1:
        raise StationError("--last-number: the last number printed on paper, 1 or more", exit_status=2)
    session = (args.room, args.date) if args.room and args.date else None
    print(json.dumps(recover(args.data_dir, args.source, centre, args.last_number, args.witness_dir, session),
                     ensure_ascii=False))
    return 0
