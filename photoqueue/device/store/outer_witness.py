"""The witness outside the data directory: how far a room's day went, kept where an accident to the data
dir does not reach.

The inner witness (:mod:`.witness`) sits beside ``station.db``, so ``rm station.db-*`` takes it along, and a
plain copy of the data dir restores it with the copy: both then agree with a file that lacks committed
tickets, and the next code got a number already held. This one lives in the service user's state directory
(``[station] witness_dir``; default ``$STATE_DIRECTORY``, else ``~/.local/state/photoqueue``), one file per
(data dir, room, date), keyed by the data dir's path, not by the station's id, so a data dir deleted and made
again at the same place is still caught. It records the highest number issued that day (a ticket's, or one
given from paper), and the station's last seq and event chain.

Written after each commit like the inner one: two slots with a CRC each, never fsynced (after a power cut
it can only be behind the database, which is harmless), never moved backwards. Its owner and mode are
checked: a witness another user can write proves nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from photoqueue.device.errors import StationError
from photoqueue.device.store.witness import slot_bytes, slot_doc

log = logging.getLogger(__name__)

SLOT = 1024
SUFFIX = ".witness"


@dataclass(frozen=True)
class DayRecord:
    """One (data dir, room, date): the highest number issued, and the station's history when it was."""

    station_id: str
    seq: int
    chain: str
    number: int
    data_dir: str
    room: str
    date: str
    gen: int = 0


def default_dir(setting: str = "", data_dir: str | Path | None = None) -> Path:
    """``[station] witness_dir`` ($VARS and ~ expanded), else systemd's $STATE_DIRECTORY (its first entry that
    is not the data dir: the unit's StateDirectory= names both), else ~/.local/state/photoqueue."""
    if setting:
        return Path(os.path.expanduser(os.path.expandvars(setting)))
    inside = Path(data_dir).resolve() if data_dir is not None else None
    for entry in filter(None, os.environ.get("STATE_DIRECTORY", "").split(":")):
        if inside is None or Path(entry).resolve() != inside:
            return Path(entry)
    return Path.home() / ".local" / "state" / "photoqueue"


def day_path(witness_dir: Path, data_dir: str | Path, room: str, date: str) -> Path:
    where = str(Path(data_dir).resolve())
    key = hashlib.sha256(f"{where}\0{room}\0{date}".encode()).hexdigest()[:16]
    name = re.sub(r"[^\w.-]+", "_", room)[:40]
    return witness_dir / f"{name}-{date}-{key}{SUFFIX}"


def _decode(raw: bytes) -> DayRecord | None:
    doc = slot_doc(raw)
    try:
        return DayRecord(**doc) if doc is not None else None
    except TypeError:
        return None


def _newest(raw: bytes) -> DayRecord | None:
    slots = [r for r in (_decode(raw[:SLOT]), _decode(raw[SLOT:2 * SLOT])) if r is not None]
    return max(slots, key=lambda r: r.gen) if slots else None


def _unsafe(path: Path, st: os.stat_result, what: str) -> str | None:
    if st.st_uid != os.geteuid():
        return f"{path}: the {what} belongs to uid {st.st_uid}, not to this user ({os.geteuid()})"
    if st.st_mode & 0o022:
        return f"{path}: the {what} can be written by other users (mode {st.st_mode & 0o777:o})"
    return None


def unreadable(path: Path, why: str) -> StationError:
    return StationError(f"{why}; fix its owner and mode (`sudo chown -R $(id -un) {path.parent}; chmod 700 "
                        f"{path.parent}; chmod 600 {path.parent}/*{SUFFIX}`), or run `photoqueue recover` "
                        "(docs/station.md) / 数据目录外的记录文件不可用，已停止取号", exit_status=4)


class DayWitness:
    """The outer witness of one (data dir, room, date), its file kept open while the station runs."""

    def __init__(self, witness_dir: Path, data_dir: str | Path, room: str, date: str):
        self.dir = Path(witness_dir)
        self.path = day_path(self.dir, data_dir, room, date)
        self.data_dir, self.room, self.date = str(Path(data_dir).resolve()), room, date
        self._fd: int | None = None

    def read(self) -> DayRecord | None:
        """The newest record, None when there is none; a witness that is unsafe or unreadable refuses
        (StationError, one line) rather than counting as absent."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise unreadable(self.path, f"{self.path}: cannot read the witness: {exc.strerror}") from None
        why = _unsafe(self.path, st, "witness") or _unsafe(self.dir, os.stat(self.dir), "witness directory")
        if why:
            raise unreadable(self.path, why)
        try:
            with open(self.path, "rb") as f:
                raw = f.read(2 * SLOT)
        except OSError as exc:
            raise unreadable(self.path, f"{self.path}: cannot read the witness: {exc.strerror}") from None
        record = _newest(raw)
        if record is None and raw.strip(b"\0"):
            raise unreadable(self.path, f"{self.path}: neither slot of the witness is readable")
        return record

    def _open(self) -> int:
        if self._fd is None:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    def record(self, station_id: str, seq: int, chain: str, number: int, *, rebuilt: bool = False) -> DayRecord | None:
        """After a commit: never backwards. The number is the day's highest whoever issued it; seq and chain
        follow the station that wrote last (a rebuilt or adopted station replaces the old one's). ``rebuilt``:
        `photoqueue recover` replaced the history (its seq and chain replace the old ones; the number never goes
        back)."""
        try:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = _newest(os.pread(fd, 2 * SLOT, 0))
                update = DayRecord(station_id, seq, chain, number, self.data_dir, self.room, self.date)
                if current is not None:
                    update = replace(update, number=max(number, current.number), gen=current.gen + 1)
                    if current.station_id == station_id and current.seq > seq and not rebuilt:
                        update = replace(update, seq=current.seq, chain=current.chain)
                os.pwrite(fd, slot_bytes(asdict(update), SLOT), (update.gen % 2) * SLOT)
                return update
            finally:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:  # the commit stands; a witness behind is harmless, a missing one refuses at start
            log.warning("%s: cannot write the witness: %s", self.path, exc)
            return None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
