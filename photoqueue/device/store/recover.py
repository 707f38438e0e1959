"""``photoqueue recover``, that a power cut cannot break; and a replacement Pi's rebuild from the centre.

The new database is built beside the old one (``recover-new.db``, with its witness), synced to the disk,
and only then swapped in by renames. From the first step to the last, DATA_DIR/recovering.json says a
recover is under way: every store refuses to open ``station.db`` while it is there (store.RECOVERING), so a
station started after a power cut in the middle does not number on an empty or half-built directory. A
rerun finishes the swap when the new file was complete, or starts the build again when it was not. The old
files are moved aside (``damaged-<time>/``), never deleted.

Where the history comes from: the best local file (the data dir's own, or ``--from`` a backup of the same
station) and what the centre holds beyond it (under the station's id; tickets rebuilt from it carry no raw
code, ``digest:...``). A station that numbered beyond both (its witnesses say so) is refused. With no
centre and no witness left, nothing says how far the room went: staff give the last number printed on paper
(``--last-number N``), recorded as a NumbersOnPaper event, and the next number is above it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import sqlite3
import time
from pathlib import Path

from photoqueue.atomicfile import atomic_write
from photoqueue.core.events import NumbersOnPaper, TicketIssued, event_from_dict
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import DB_NAME, RECOVERING, EventStore, db_path
from photoqueue.device.store.witness import read_witness, witness_path

log = logging.getLogger(__name__)

NEW_NAME = "recover-new.db"  # not station.db*: the swap moves those aside
KILL_ENV = "PHOTOQUEUE_RECOVER_KILL_AT"  # tests: SIGKILL this process at the named step (a power cut)



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

def _step(name: str) -> None:
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mark(data_dir: Path, step: str, **extra) -> None:
    atomic_write(data_dir / RECOVERING, json.dumps({"step": step, "pid": os.getpid(), **extra}))


def read_marker(data_dir: Path) -> dict | None:
    try:
        return json.loads((data_dir / RECOVERING).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"step": "building"}  # a torn marker: the build starts again, the old files are where they were


def raw_events(path: Path) -> tuple[str, list[tuple]] | None:
    """(station_id, event rows) of a file that still reads, else None (no checks of ours: it may be
    behind its witness, which is why we are recovering)."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if db.execute("PRAGMA integrity_check(1)").fetchone()[0] != "ok":
                return None
            sid = db.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()[0]
            rows = db.execute("SELECT seq, room, date, body FROM events ORDER BY seq").fetchall()
            return sid, rows
        finally:
            db.close()
    except (sqlite3.Error, TypeError):
        return None


def _copy(source: Path, new: Path) -> None:
    """SQLite's backup of ``source`` (its WAL included) into ``new``."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        with sqlite3.connect(new) as dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()


def _truncate(path: Path, keep: int) -> None:
    """Drop the events after ``keep`` (and what they wrote) from a copy that is not in use yet."""
    with sqlite3.connect(path) as db:
        for table in ("outbox", "codes", "number_floor", "events"):
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
                db.execute(f"DELETE FROM {table} WHERE seq > ?", (keep,))
    db.close()


def build(data_dir: Path, source: Path | None, station_id: str, centre_events: list[dict], centre_hw: int,
          paper: tuple[str, str, int] | None, keep: int | None = None, outer=None) -> Path:
    """The new database beside the old one, complete and on disk; returns its path. ``keep``: the source's
    events after it are dropped (they parted from the centre's). ``outer``: the witness outside the data dir
    (a DayWitness of the session), given the rebuilt history before the swap."""
    new = data_dir / NEW_NAME
    for stale in data_dir.glob(NEW_NAME + "*"):
        stale.unlink()
    if source is not None:
        _copy(source, new)
        if keep is not None:
            _truncate(new, keep)
        _step("copied")
    with EventStore(new) as store:
        if source is None:
            store.adopt_identity(station_id)
        events = []
        for d in centre_events:
            e = event_from_dict(d)
            if isinstance(e, TicketIssued):  # the centre never saw the raw code
                e = dataclasses.replace(e, code=f"digest:{e.code_digest}")
            events.append(e)
        if paper is not None:
            room, date, upto = paper
            events.append(NumbersOnPaper(room=room, date=date, at=time.strftime("%Y-%m-%dT%H:%M:%S"), upto=upto))
        if events:
            with store.transaction():
                store.append(events)
        if centre_hw:
            store.ack(centre_hw)
            store.record_centre_high_water(centre_hw)
        if outer is not None:
            last = store.last_seq()
            outer.record(store.station_id, last, store.chain_at(last), store.highest_number(outer.room, outer.date),
                         rebuilt=True)
            outer.close()
    for f in (new, witness_path(new)):
        if f.exists():
            _fsync(f)
    _fsync(data_dir)
    _step("built")
    return new


def swap(data_dir: Path, aside: Path) -> None:
    """Move the old files aside and the new ones in (renames); safe to run again after a cut anywhere."""
    new = data_dir / NEW_NAME
    if new.exists():  # the database is not swapped yet: every old file goes aside
        aside.mkdir(exist_ok=True)
        for f in sorted(data_dir.glob(f"{DB_NAME}*")):
            os.replace(f, aside / f.name)
        _fsync(data_dir)
        _step("moved_aside")
        os.replace(new, data_dir / DB_NAME)
    new_witness = witness_path(new)
    if new_witness.exists():
        os.replace(new_witness, witness_path(data_dir / DB_NAME))
    for rest in data_dir.glob(NEW_NAME + "-*"):  # a -wal or -shm the checkpoint on close left empty
        rest.unlink()
    _fsync(data_dir)
    _step("swapped")


def finish(data_dir: Path, aside: Path) -> None:
    swap(data_dir, aside)
    from photoqueue.device.store.gate import STOP_NAME

    (data_dir / STOP_NAME).unlink(missing_ok=True)  # what the centre refused is what this rebuilt
    (data_dir / RECOVERING).unlink(missing_ok=True)
    _fsync(data_dir)


def data_dir_identity(data_dir: Path) -> str | None:
    """The station id the data dir belongs to: its file's, else its witness's (None: nothing says)."""
    local = raw_events(db_path(data_dir))
    if local is not None:
        return local[0]
    witness = read_witness(witness_path(db_path(data_dir)))
    return witness.station_id if witness is not None else None


def rebuild_from_centre(data_dir: Path, centre: tuple[str, str], station_id: str, outer=None) -> int:
    """A replacement Pi adopting ``station_id``: its (empty) data dir rebuilt from the centre's events of that
    station, so it continues the room's numbers. Returns how many events. The caller holds the lock."""

    centre_sid, hw, events = fetch_centre_events(*centre, after=0)
    if centre_sid != station_id:
        raise StationError(f"the centre hands out station {centre_sid}'s events, not {station_id}'s", exit_status=2)
    aside = data_dir / f"replaced-{time.strftime('%Y%m%dT%H%M%S')}"
    _mark(data_dir, "building")
    build(data_dir, None, station_id, events, hw, None, outer=outer)
    _mark(data_dir, "swapping", aside=str(aside))
    finish(data_dir, aside)
    log.warning("takeover: %s rebuilt as station %s from the centre (%d events)", data_dir, station_id, len(events))
    return len(events)
