"""One door to a number: every path that issues one goes through a :class:`NumberGate`.

The station's queue thread (a Scan through ``Session``), ``photoqueue scan`` (manual entry), a station
after ``photoqueue recover`` and a replacement Pi after its takeover all open their session through a
gate, which checks, in this order, before each scan:

1. the session date is confirmed (device/station/date_confirm.py, the centre's date: ``Session.date_guard``);
2. the history is intact: the store's own checks (store_guard: SQLite, codes against events, the inner
   witness) and the witness outside the data dir (outer_witness): a file behind it, or one with events
   and no witness anywhere, is refused;
3. it is not diverged from the centre (a sync answered ``409 diverged``);
4. this station holds the room's day (the centre's hello: not behind the centre, room not held by another
   station, token and key the centre's);
5. it is the only process on the data dir (an OS lock on DATA_DIR/station.lock, held for the process's life).

A refusal is a :class:`Refusal` (a :class:`Reason` and its detail), shown on the hall screen, in health.json
and the dashboard card (the ``numbering`` part), and by ``station --check`` / ``diagnose``, each with its
fix. A refusal from the centre is kept in DATA_DIR/numbering-stopped.json, so a restart with the centre
down does not number on; ``photoqueue recover`` removes it. The centre unreachable is not a refusal: the
station numbers on its local evidence, and the screen says so.
"""

from __future__ import annotations

import enum
import fcntl
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from photoqueue.atomicfile import atomic_write
from photoqueue.device.errors import StationError
from photoqueue.device.store.guard import DAMAGED
from photoqueue.device.store.outer_witness import DayWitness
from photoqueue.device.store.witness import read_witness, witness_path

log = logging.getLogger(__name__)

LOCK_NAME = "station.lock"  # not station.db-*: `rm station.db-*` must not take the lock along
STOP_NAME = "numbering-stopped.json"
RECOVER = "run `photoqueue recover --data-dir DATA_DIR` (with --url/--token-file when there is a centre; docs/station.md)"


class Reason(enum.Enum):
    DATE_UNCONFIRMED = "date_unconfirmed"
    HISTORY_DAMAGED = "history_damaged"
    NO_WITNESS = "no_witness"
    BEHIND_WITNESS = "behind_witness"
    DIVERGED = "diverged"
    BEHIND_CENTRE = "behind_centre"
    ROOM_HELD = "room_held"
    TOKEN_BOUND = "token_bound"
    TOKEN_REFUSED = "token_refused"
    KEY_MISMATCH = "key_mismatch"
    LOCKED = "locked"


# reason -> (what staff read on the screen, the fix in English)
TEXTS: dict[Reason, tuple[str, str]] = {
    Reason.DATE_UNCONFIRMED: ("日期未确认，暂停取号", "confirm the session date (the photographer's button, "
                              "`photoqueue queue confirm-date`, or --date)"),
    Reason.HISTORY_DAMAGED: ("数据库不完整或已损坏，已停止取号，请联系技术人员", RECOVER),
    Reason.NO_WITNESS: ("找不到取号记录凭证，已停止取号，请联系技术人员", RECOVER + "; with no centre, give the last "
                        "number printed on paper: --last-number N"),
    Reason.BEHIND_WITNESS: ("数据库比已发号记录旧（恢复了旧副本？），已停止取号", RECOVER),
    Reason.DIVERGED: ("与中心记录不一致，已停止取号，请联系技术人员", RECOVER),
    Reason.BEHIND_CENTRE: ("中心已有更多记录（恢复了旧副本？），已停止取号", RECOVER),
    Reason.ROOM_HELD: ("本组今天由另一台工作站取号，已停止取号", "retire the other station (`photoqueue central "
                       "replace-station`) or use that station; then " + RECOVER),
    Reason.TOKEN_BOUND: ("令牌属于另一台工作站，已停止取号", "give this station its own token (`photoqueue central "
                         "add-station`) or a takeover token (`replace-station`); then " + RECOVER),
    Reason.TOKEN_REFUSED: ("中心拒绝了本机令牌（已作废？），已停止取号", "this station was replaced or its token "
                           "revoked: use the room's current station, or get a new token; then " + RECOVER),
    Reason.KEY_MISMATCH: ("部署密钥与中心不一致，已停止取号", "install the centre's key (`photoqueue central "
                          "show-key`) as [station] key_file; then " + RECOVER),
    Reason.LOCKED: ("另一个程序正在此数据目录取号", "scan at the running station, or stop it first "
                    "(sudo systemctl stop photoqueue-station)"),
}
CENTRE_REASONS = {"diverged": Reason.DIVERGED, "room_held": Reason.ROOM_HELD, "token_bound": Reason.TOKEN_BOUND,
                  "wrong_room": Reason.TOKEN_BOUND,
                  "token_refused": Reason.TOKEN_REFUSED, "key_mismatch": Reason.KEY_MISMATCH,
                  "behind_centre": Reason.BEHIND_CENTRE}
UNREACHABLE_ZH = "未连上中心：按本机记录编号"


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    detail: str

    @property
    def zh(self) -> str:
        return TEXTS[self.reason][0]

    @property
    def fix(self) -> str:
        return TEXTS[self.reason][1]

    @property
    def message(self) -> str:
        return f"{self.zh} / numbering refused ({self.reason.value}): {self.detail}; fix: {self.fix}"

    def error(self) -> StationError:
        status = 1 if self.reason in (Reason.LOCKED, Reason.DATE_UNCONFIRMED) else DAMAGED
        return StationError(self.message, exit_status=status)

    def as_dict(self) -> dict:
        return {"reason": self.reason.value, "detail": self.detail, "zh": self.zh, "fix": self.fix}


def lock_holder(data_dir: str | Path) -> int | None:
    """The pid that holds DATA_DIR's lock, or None (no process holds it). Looks only."""
    path = Path(data_dir) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None
    except BlockingIOError:
        try:
            return int(os.pread(fd, 32, 0).split()[0])
        except (ValueError, IndexError, OSError):
            return -1
    finally:
        os.close(fd)


def take_lock(data_dir: str | Path) -> int:
    """Take DATA_DIR/station.lock (flock, released when the process ends however it ends); refuse (LOCKED,
    with the holder's pid) when another process holds it. Returns the descriptor to keep open."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StationError(f"{data_dir}: the data directory is read-only for this user, or missing (cannot take "
                           f"its lock {LOCK_NAME}: {exc.strerror}) / 数据目录只读，无法取号") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        pid = lock_holder(data_dir)
        raise Refusal(Reason.LOCKED, f"process {pid} (a running station?) holds {data_dir / LOCK_NAME}; "
                                     f"请在正在运行的工作站上扫码 (pid {pid})").error() from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def read_stop(data_dir: str | Path) -> Refusal | None:
    """A refusal from the centre kept across restarts (DATA_DIR/numbering-stopped.json)."""
    path = Path(data_dir) / STOP_NAME
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return Refusal(Reason(doc["reason"]), str(doc.get("detail", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:  # unreadable: still a stop, never a traceback
        return Refusal(Reason.DIVERGED, f"{path} is unreadable ({exc}); it says numbering was stopped")


def evidence_refusal(store, room: str, date: str, outer: DayWitness) -> Refusal | None:
    """The store's history against both witnesses: refused when it is behind either or has no witness at all."""
    last = store.last_seq()
    try:
        record = outer.read()
        inner = read_witness(witness_path(store.path))
    except StationError as exc:
        return Refusal(Reason.HISTORY_DAMAGED, str(exc).split(" / ")[0])
    if record is None and inner is None and last > 0:
        return Refusal(Reason.NO_WITNESS, f"{store.path} holds {last} events but no witness is left, neither beside "
                                          f"it nor in {outer.dir}: events after them may be lost")
    if record is None:
        return None
    highest = store.highest_number(room, date)
    if record.number > highest:
        return Refusal(Reason.BEHIND_WITNESS, f"the witness {outer.path} records number {record.number} issued in "
                                              f"{room} on {date}, but {store.path} holds only up to {highest}")
    if record.station_id == store.station_id:
        if record.seq > last:
            return Refusal(Reason.BEHIND_WITNESS, f"the witness {outer.path} records {record.seq} events, "
                                                  f"{store.path} holds {last}")
        if store.chain_at(record.seq) != record.chain:
            return Refusal(Reason.HISTORY_DAMAGED, f"the events up to {record.seq} in {store.path} differ from those "
                                                   f"the witness {outer.path} recorded")
    return None


class NumberGate:
    """The one door to a number for one session (room, date) on one data dir. ``centre``: a
    :class:`photoqueue.device.gate_centre.CentreLink`, or None (no [central] url)."""

    def __init__(self, data_dir: str | Path, room: str, date: str, witness_dir: str | Path, centre=None):
        self.data_dir = Path(data_dir)
        self.room, self.date = room, date
        self.outer = DayWitness(Path(witness_dir), self.data_dir, room, date)
        self.centre = centre
        self.centre_state = "off" if centre is None else "not asked"
        self._refusal: Refusal | None = None
        self._lock_fd: int | None = None
        self._mutex = threading.Lock()  # stop() comes from the sync thread

    # --- opening -------------------------------------------------------------------------------------

    def lock(self, fd: int | None = None) -> None:
        """Take the data dir's lock for this process's life (see :func:`take_lock`), or keep ``fd``, a lock
        the caller took already."""
        if self._lock_fd is None:
            self._lock_fd = fd if fd is not None else take_lock(self.data_dir)

    def meet_centre(self, db_path: Path) -> None:
        """Before the session opens: the centre's hello (a takeover rebuilds the data dir as the adopted
        station). Unreachable: local evidence only."""
        if self.centre is None:
            return
        outcome = self.centre.hello(db_path, self.room, self.date)
        self.centre_state = outcome.state
        if outcome.refusal is not None:
            self.stop(outcome.refusal.reason, outcome.refusal.detail)

    def attach(self, session) -> None:
        """Once the session is open: check its history against the witnesses, hook the outer witness to its
        commits and guard its scans."""
        store = session.store
        # the gate's order: the history first, then what the centre said (kept in the stop file)
        self._refusal = (evidence_refusal(store, self.room, self.date, self.outer) or read_stop(self.data_dir)
                         or self._refusal)
        store.outer = self.outer
        if self._refusal is None and self.outer.read() is None:
            # the first start with an outer witness (a new station, or an install from before it): seed it
            self.outer.record(store.station_id, store.last_seq(), store.chain_at(store.last_seq()),
                              store.highest_number(self.room, self.date))
        session.gate = self
        if self._refusal is not None:
            log.error("numbering refused: %s", self._refusal.message)

    # --- each scan -----------------------------------------------------------------------------------

    def check(self, session) -> Refusal | None:
        """Why this session must not number now, in the gate's order; None: it may."""
        why = session.date_guard(session.date) if session.date_guard is not None else None
        if why is not None:
            return Refusal(Reason.DATE_UNCONFIRMED, why[1])
        with self._mutex:
            refusal = self._refusal
        if refusal is None and self._lock_fd is None:
            refusal = Refusal(Reason.LOCKED, "this process does not hold the data dir's lock")
        return refusal

    def stop(self, reason: Reason, detail: str) -> None:
        """Close the gate (any thread), and keep it closed across restarts until `photoqueue recover`."""
        refusal = Refusal(reason, detail)
        with self._mutex:
            if self._refusal is not None and self._refusal.reason == reason:
                return
            self._refusal = refusal
        log.error("numbering stopped: %s", refusal.message)
        try:
            atomic_write(self.data_dir / STOP_NAME, json.dumps({"reason": reason.value, "detail": detail},
                                                               ensure_ascii=False))
        except OSError as exc:
            log.error("%s: cannot keep the stop across restarts: %s", self.data_dir / STOP_NAME, exc)

    def stop_from_centre(self, reason: str, detail: str) -> None:
        """The sync client's 409 (diverged, room_held, key_mismatch): numbering stops at once."""
        self.stop(CENTRE_REASONS.get(reason, Reason.DIVERGED), detail)

    @property
    def refusal(self) -> Refusal | None:
        with self._mutex:
            return self._refusal

    def status(self) -> dict:
        """For health.json and the dashboard card."""
        refusal = self.refusal
        return {"numbering": "ok" if refusal is None else refusal.reason.value,
                "numbering_refusal": refusal.as_dict() if refusal is not None else None,
                "centre_hello": self.centre_state}

    def close(self) -> None:
        self.outer.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None
