"""The witness: a small file beside the station database that remembers how far its history went.

SQLite keeps a station's recent commits in ``station.db-wal`` until a checkpoint copies them into
``station.db``. A WAL deleted, truncated or left behind (``cp station.db`` as a "backup"), or a
``-shm`` deleted under a running station, leaves a file that SQLite opens without complaint but
that lacks committed tickets; numbering on from it gives a second student a number already held.
The witness lives outside the SQLite files, so the same accident does not take it along:

- ``seq`` and ``chain``: the last committed event's sequence number and the SHA-256 of every event
  up to it (each stored row, exactly as written, one after the other: one hash object fed row by row,
  so an append costs one update and a start one pass). A file whose history is shorter than ``seq``,
  or whose events hash to another chain, is not the station's history.
- ``centre_hw``: the centre's high-water mark from the last good sync: a file behind it lost events
  the centre holds.

Written after each commit (never before: it must not claim what is not on disk) into one of two
fixed slots, each with its own CRC, so a torn write leaves the other slot readable. It is not
fsynced: after a power cut a witness can only be *behind* the database, which is harmless; the
faults it exists for (files deleted or copied while the machine runs) leave the page cache intact.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

from photoqueue.device.errors import StationError

log = logging.getLogger(__name__)

GENESIS = hashlib.sha256().hexdigest()  # the chain of no events
SLOT = 512
SUFFIX = "-witness"


@dataclass(frozen=True)
class Witness:
    station_id: str
    seq: int = 0
    chain: str = GENESIS
    centre_hw: int = 0
    gen: int = 0


def witness_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + SUFFIX)


# each event row as the chain hashes it: its stored columns, unit-separated, record-terminated
ROW_SQL = "CAST(seq AS TEXT) || char(31) || room || char(31) || date || char(31) || type || char(31) || body || char(30)"


def row_text(seq: int, room: str, date: str, type_: str, body: str) -> str:
    """The same text as ``ROW_SQL`` gives for a stored row."""
    return f"{seq}\x1f{room}\x1f{date}\x1f{type_}\x1f{body}\x1e"


def slot_doc(raw: bytes) -> dict | None:
    """One slot's JSON document, or None when the slot is empty or its CRC does not match (a torn write).
    Both witnesses (this one and :mod:`.outer_witness`) keep their records in two such slots."""
    text, _, crc = raw.rstrip(b"\0").rpartition(b"|")
    if not text:
        return None
    try:
        if int(crc, 16) != zlib.crc32(text):
            return None
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def slot_bytes(doc: dict, size: int) -> bytes:
    """``doc`` as one slot of ``size`` bytes: compact JSON, its CRC, NUL padding."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    return (text + b"|" + format(zlib.crc32(text), "08x").encode()).ljust(size, b"\0")[:size]


@functools.lru_cache(maxsize=16)  # a commit reads back the slots it or the last commit wrote: decode once
def _decode(raw: bytes) -> Witness | None:
    doc = slot_doc(raw)
    if doc is None:
        return None
    try:
        return Witness(str(doc["station_id"]), int(doc["seq"]), str(doc["chain"]), int(doc["centre_hw"]),
                       int(doc["gen"]))
    except (ValueError, KeyError, TypeError):
        return None


def _newest(raw: bytes, path: str | Path) -> Witness | None:
    slots = [w for w in (_decode(raw[:SLOT]), _decode(raw[SLOT:2 * SLOT])) if w is not None]
    if not slots and raw.strip(b"\0"):
        log.warning("%s: neither slot of the witness is readable", path)
    return max(slots, key=lambda w: w.gen) if slots else None


def read_witness(path: str | Path) -> Witness | None:
    """The newest readable slot, or None when there is no witness (a new station, or an old install)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(2 * SLOT)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a witness that is there but cannot be read proves nothing: one line, no traceback
        raise StationError(f"{path}: cannot read the witness ({exc.strerror or exc}); fix its owner and mode (the "
                           "station's user reads and writes it) or move it aside and run `photoqueue recover` / "
                           "记录文件不可读，已停止取号", exit_status=4) from None
    return _newest(raw, path)


class WitnessFile:
    """The witness of one open store: its file kept open, so a commit costs a few system calls
    (a read before, a locked read and write after), not an open and a close each."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        return self._fd

    def read(self) -> Witness | None:
        if self._fd is None and not self.path.exists():
            return None
        return _newest(os.pread(self._open(), 2 * SLOT, 0), self.path)

    def write(self, update: Witness) -> Witness:
        return _write(self._open(), self.path, update)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def write_witness(path: str | Path, update: Witness) -> Witness:
    """Record ``update``, never moving the witness backwards: several processes commit to one
    station file (the station, a manual ``scan``), each writing after its own commit."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        return _write(fd, path, update)
    finally:
        os.close(fd)


def _write(fd: int, path: str | Path, update: Witness) -> Witness:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        current = _newest(os.pread(fd, 2 * SLOT, 0), path)
        merged = update
        if current is not None and current.station_id == update.station_id:
            if current.seq > update.seq:
                merged = replace(update, seq=current.seq, chain=current.chain)
            merged = replace(merged, centre_hw=max(current.centre_hw, update.centre_hw))
        merged = replace(merged, gen=(current.gen + 1) if current is not None else 1)
        # merged.__dict__: asdict's deep walk, without the walk
        os.pwrite(fd, slot_bytes(merged.__dict__, SLOT), (merged.gen % 2) * SLOT)
        return merged
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
