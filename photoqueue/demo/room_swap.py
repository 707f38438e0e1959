"""A room's Pi swapped part way through the demo's day: the room process's side (issue 21).

The room's station dies at the swap point (``--swap-at``, a fraction of its students): it waits until its
outbox is empty, has its printed tickets named, tells the demo's parent what the people around it were doing
(``carry``: the clock, who has come, who will scan again or come back, the photographer's camera) and waits
for the parent's SIGKILL. The parent (demo/swap.py) runs replace-station at the centre and starts the spare: a
new room process whose station has a fresh data dir and the takeover token. That station rebuilds the room's
history from the centre (device/sync/hello.py, device/store/recover.py) and numbers on from the centre's highest number;
the people around it go on from ``carry``, and the students in line scan again: the rebuilt history has their
digests, so each gets a reprint of the number the dead Pi gave them.

The room's printer and the photographer's camera stay in the room: their folders (DATA_DIR/<room>/tickets,
DATA_DIR/<room>/photos) are the same for both stations; only the station's data dir is new.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

SWAP_MINUTES = 3.0  # simulated minutes from the Pi's death to the spare's start: fetch it, plug it in, a token
DRAIN_S = 60.0
REBUILT = "digest:"  # a rebuilt ticket's code: the centre holds digests only


def in_line(state: Any) -> bool:
    """Students hold the dead Pi's tickets in line (the swap waits for that: it is the case to show)."""
    return state.called is not None or bool(state.waiting)


def die(sim: Any, done: int, returns: list, resumed: bool) -> None:
    """The room's Pi dies here: never returns (the parent kills this process)."""
    from photoqueue.demo.room_io import emit

    # A real Pi may die with events still in its outbox; the demo waits until the centre has them all, so the
    # spare's rebuilt history is the whole day so far. When some are lost, staff give the last number printed
    # on paper (`photoqueue recover --last-number N`) and the spare numbers above it (docs/station.md).
    drained = bool(sim.station.sync.drain(DRAIN_S)) if sim.station.sync is not None else False
    if not drained:
        log.error("%s: the Pi dies with events the centre has not got: the spare will number on from the "
                  "centre's highest number, below the last one printed here", sim.room)
    sim.station.printer.drain(30)  # the paper already in the students' hands, named by number
    sim.name_tickets()
    last = sim.ask(lambda s: s.last_number)
    emit(type="swap", room=sim.room, last_number=last, drained=drained,
          carry={"now": sim.clock.now().isoformat(), "done": done, "resumed": resumed, "last_number": last,
                 "stats": sim.stats, "left": sorted(sim._left), "snapshots": sim.snapshots,
                 "rescans": [(t.isoformat(), s.code) for t, s in sim.rescans],
                 "returns": [(t.isoformat(), s.code) for t, s in returns], "roll": sim.roll.carry()})
    while True:  # a dead Pi does nothing more: the parent's SIGKILL ends this process
        time.sleep(3600)


def start_time(spare: dict | None) -> dt.datetime | None:
    """When the spare's clock starts: the dead Pi's last moment plus the minutes the swap takes."""
    carried = (spare or {}).get("carry")
    if not carried:
        return None
    return dt.datetime.fromisoformat(carried["now"]) + dt.timedelta(minutes=SWAP_MINUTES)


def go_on(sim: Any, carried: dict) -> list:
    """The people around the spare continue what they did around the dead Pi; returns the students still to
    come back (for the day's loop)."""
    by_code = {s.code: s for s in sim.plan}
    sim.stats.update(carried["stats"])
    sim._left = set(carried["left"])
    sim.snapshots = list(carried["snapshots"])
    sim.rescans = [(dt.datetime.fromisoformat(t), by_code[c]) for t, c in carried["rescans"]]
    sim.roll.go_on(carried["roll"])
    return [(dt.datetime.fromisoformat(t), by_code[c]) for t, c in carried["returns"]]


def digests(plan: list, key: bytes) -> dict[str, str]:
    """digest -> code of the day's students: a rebuilt ticket names its student by digest only."""
    from photoqueue.core.digest import code_digest

    return {code_digest(key, s.code): s.code for s in plan}


def takeover_highest(station: Any) -> int | None:
    """The centre's highest number for the room's day, as its hello answered a takeover (else None)."""
    gate = getattr(station, "gate", None)
    if gate is None or gate.centre is None or gate.centre_state != "takeover" or gate.centre.answer is None:
        return None
    return gate.centre.answer.highest_number


def summary(sim: Any) -> dict:
    """The swap in the room's summary: the number the dead Pi's history ends at, the spare's first one."""
    rebuilt, own = sim.ask(lambda s: ([n for c, n in s.by_code.items() if c.startswith(REBUILT)],
                                      [n for c, n in s.by_code.items() if not c.startswith(REBUILT)]))
    carried = sim.spare.get("carry") or {}
    return {"replaced_at": max(rebuilt, default=0), "spare_first": min(own, default=None),
            "centre_highest": sim.centre_highest, "dead_pi_last": carried.get("last_number"),
            "old_database": str(sim.room_dir / "station.db"), "spare_data_dir": str(sim.data_dir),
            "rescans_kept_number": sim.swap_rescans}


def summary_line(room: dict) -> str | None:
    """The summary's sentence, in Chinese, for a room whose Pi was swapped."""
    swap = room.get("swap")
    if not swap:
        return None
    n, first = swap["replaced_at"], swap["spare_first"]
    went_on = f"从第 {first} 号接着编号" if first is not None else "尚未发新号"
    line = (f"  更换工作站：{room['room']} 的工作站在第 {n} 号时更换（模拟断电），备用机从中心取回本组记录，"
            f"{went_on}")
    if swap.get("rescans_kept_number"):
        line += f"；排队中 {swap['rescans_kept_number']} 人重扫，仍是原号"
    return line
