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
import dataclasses
import json
import logging
import shutil
import sqlite3
import time
from pathlib import Path

from photoqueue.core.events import TicketIssued, event_from_dict
from photoqueue.device.errors import StationError
from photoqueue.device.store import EventStore, db_path
from photoqueue.device.witness import read_witness, witness_path

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
    print(json.dumps({"out": str(args.out), "events": n}))
    return 0


def _raw_events(path: Path) -> tuple[str, list[tuple]] | None:
    """(station_id, event rows) of a file that still reads, else None (no checks of ours: it may be
    behind its witness, which is why we are recovering)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if db.execute("PRAGMA integrity_check(1)").fetchone()[0] != "ok":
                return None
            sid = db.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()[0]
            rows = db.execute("SELECT seq, body FROM events ORDER BY seq").fetchall()
            return sid, rows
        finally:
            db.close()
    except (sqlite3.Error, TypeError):
        return None


def fetch_centre_events(url: str, token: str, after: int) -> tuple[str, int, list[dict]]:
    """This station's events the centre holds after ``after``: (station_id, high_water, events)."""
    import httpx

    out: list[dict] = []
    with httpx.Client(base_url=url.rstrip("/"), timeout=30, headers={"authorization": f"Bearer {token}"}) as c:
        while True:
            try:
                r = c.get("/api/v1/events", params={"after": after + len(out)})
                doc = r.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise StationError(f"cannot read this station's events from the centre: {exc}") from None
            if r.status_code != 200:
                raise StationError(f"the centre answered {r.status_code}: {doc.get('error', '')}")
            out += doc["events"]
            if not doc["events"] or after + len(out) >= doc["high_water"]:
                return doc["station_id"], doc["high_water"], out


def recover(data_dir: str | Path, source: str | Path | None, centre: tuple[str, str] | None) -> dict:
    data_dir = Path(data_dir)
    path = db_path(data_dir)
    local = _raw_events(Path(source)) if source else _raw_events(path)
    if local is None:
        raise StationError(f"{source or path}: does not open as a station database; give a backup (--from)",
                           exit_status=2)
    station_id, rows = local
    if [s for s, _ in rows] != list(range(1, len(rows) + 1)):
        raise StationError(f"{source or path}: its event sequence has gaps; give another backup", exit_status=2)
    extra: list[dict] = []
    centre_hw = 0
    if centre is not None:
        centre_sid, centre_hw, extra = fetch_centre_events(*centre, after=len(rows))
        if centre_sid != station_id:
            raise StationError(f"the centre knows this token's station as {centre_sid}, the backup is {station_id}",
                               exit_status=2)
    total = len(rows) + len(extra)
    witness = read_witness(witness_path(path))
    if witness is not None and witness.seq > total:
        raise StationError(f"the station numbered {witness.seq} events, but the backup and the centre hold only "
                           f"{total}: events {total + 1}..{witness.seq} are nowhere else; keep the damaged files and "
                           "call for help (numbering on would give those numbers twice)", exit_status=4)
    aside = data_dir / f"damaged-{time.strftime('%Y%m%dT%H%M%S')}"
    aside.mkdir()
    for f in sorted(data_dir.glob(f"{path.name}*")):
        shutil.move(str(f), aside / f.name)
    shutil.copy(source or aside / path.name, path)
    _append(path, extra, centre_hw)
    return {"station_id": station_id, "from_backup": len(rows), "from_centre": len(extra), "events": total,
            "damaged_files_moved_to": str(aside)}


def _append(path: Path, public: list[dict], centre_hw: int) -> None:
    """The centre's events after the backup's, appended in their order; their raw codes are unknown."""
    with EventStore(path, create=False) as store:
        with store.transaction():
            events = []
            for d in public:
                e = event_from_dict(d)
                if isinstance(e, TicketIssued):
                    e = dataclasses.replace(e, code=f"digest:{e.code_digest}")
                events.append(e)
            store.append(events)
        if centre_hw:
            store.ack(centre_hw)
            store.record_centre_high_water(centre_hw)


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
    print(json.dumps(recover(args.data_dir, args.source, centre), ensure_ascii=False))
    return 0
