"""The queue core and event store: commit latency of one scan (synchronous=FULL) and the replay
time of a 5,000-ticket session at start, beside a naive design measured in the same run (the
whole queue as one JSON file, rewritten with fsync and rename for every ticket).

Since issue 13 the store checks more: a full ``integrity_check`` (not ``quick_check``), every code
against the event that issued it, the event chain against the witness file at start, and the witness
read before and written after each commit. "before" is the same store with those checks switched
back to what they were (``quick_check`` only, no witness), measured in the same run, side by side.

Since issue 21 "now" also goes through the number gate (device/store/gate.py): the data dir's lock, the
gate's check before each scan, the witness outside the data dir written after each commit and compared
with the file at open.

Goals on this machine: p99 commit below 5 ms, replay below 0.5 s, with the checks in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median, pct, table  # noqa: E402

from photoqueue.core import commands as cmd  # noqa: E402
from photoqueue.core.queue import Rules  # noqa: E402
from photoqueue.device.store import events as store_module  # noqa: E402
from photoqueue.device.store.events import EventStore  # noqa: E402
from photoqueue.device.store.gate import NumberGate  # noqa: E402
from photoqueue.device.store.guard import History  # noqa: E402
from photoqueue.device.store.session import Session  # noqa: E402

RULES = Rules(digest_key=b"b" * 32)
NOW = dt.datetime(2023, 10, 25, 8, 0)
SCANS = 1500
REPLAY_TICKETS = 5000


@contextlib.contextmanager
def checks_as_before():
    """The store as it was before issue 13: quick_check at open, no witness, no checks per commit."""
    saved = store_module.verify_file, EventStore._guard, EventStore._witness

    def quick_check(db, _path, _station_id):
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return History()

    store_module.verify_file, EventStore._guard, EventStore._witness = quick_check, lambda _s: None, lambda _s: None
    try:
        yield
    finally:
        store_module.verify_file, EventStore._guard, EventStore._witness = saved


def gated(path: Path) -> tuple[Session, NumberGate]:
    """A session opened as the station opens it: the data dir's lock, then the gate attached (both witnesses)."""
    gate = NumberGate(path.parent, "A组", "2023-10-25", path.parent.parent / "state")
    gate.lock()
    session = Session(EventStore(path), "A组", "2023-10-25", RULES)
    gate.attach(session)
    return session, gate


def bench_store_commits(path_now: Path, path_before: Path) -> tuple[list[float], list[float]]:
    """Both stores, in alternating rounds of 100 scans: a shared machine's load falls on both alike."""
    with checks_as_before():
        before = Session(EventStore(path_before), "A组", "2023-10-25", RULES)
    now, gate = gated(path_now)
    times: dict[str, list[float]] = {"now": [], "before": []}
    for start in range(0, SCANS, 100):
        for name, session in (("before", before), ("now", now)):
            with checks_as_before() if name == "before" else contextlib.nullcontext():
                for i in range(start, start + 100):
                    t0 = time.perf_counter()
                    session.scan(f"STUDENT-{i:06d}", NOW)
                    times[name].append((time.perf_counter() - t0) * 1000)
    before.store.close()
    now.store.close()
    gate.close()
    return times["now"], times["before"]


def bench_naive_commits(path: Path) -> list[float]:
    queue: dict = {"tickets": []}
    times = []
    for i in range(SCANS):
        t0 = time.perf_counter()
        code = f"STUDENT-{i:06d}"
        if not any(t["code"] == code for t in queue["tickets"]):
            queue["tickets"].append({"number": len(queue["tickets"]) + 1, "code": code, "status": "waiting"})
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            json.dump(queue, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def build_day(path: Path) -> None:
    """5,000 tickets, each photographed: about 10,000 events, as a long day leaves them."""
    session, gate = gated(path)
    store = session.store
    # One transaction per 500 commands keeps the set-up quick; replay reads the same events either way.
    from photoqueue.core import queue

    for start in range(0, REPLAY_TICKETS, 500):
        with store.transaction():
            for i in range(start, start + 500):
                for command in (cmd.Scan(f"STUDENT-{i:06d}"), cmd.Advance()):
                    decision = queue.decide(session.state, command, NOW, RULES)
                    for event in store.append(decision.events):
                        queue.apply(session.state, event)
    store.close()
    gate.close()


def _replay_once(path: Path, gate: bool) -> float:
    t0 = time.perf_counter()
    if gate:
        session, number_gate = gated(path)
        assert number_gate.refusal is None
    else:
        session, number_gate = Session(EventStore(path), "A组", "2023-10-25", RULES), None
    elapsed = time.perf_counter() - t0
    assert len(session.state.tickets) == REPLAY_TICKETS
    session.store.close()
    if number_gate is not None:
        number_gate.close()
    return elapsed


def bench_replay(path: Path) -> tuple[list[float], list[float]]:
    """(now, before), alternating."""
    now, before = [], []
    for _ in range(5):
        with checks_as_before():
            before.append(_replay_once(path, gate=False))
        now.append(_replay_once(path, gate=True))
    return now, before


def bench_naive_replay(path: Path) -> list[float]:
    path.write_text(json.dumps({"tickets": [{"number": i + 1, "code": f"STUDENT-{i:06d}", "status": "photographed"}
                                            for i in range(REPLAY_TICKETS)]}))
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        data = json.loads(path.read_text())
        {t["code"]: t["number"] for t in data["tickets"]}
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as d:
        d = Path(d)
        ours, before = bench_store_commits(d / "now" / "station.db", d / "before" / "station.db")
        naive = bench_naive_commits(d / "naive.json")
        build_day(d / "day" / "station.db")
        replay, replay_before = bench_replay(d / "day" / "station.db")
        naive_replay = bench_naive_replay(d / "naive-day.json")
    print(f"Commit latency of one scan over {SCANS} scans (ms), synchronous=FULL; filesystem of {d}\n")
    print(table(["design", "p50 ms", "p99 ms", "p99 vs naive", "goal"], [
        ["event store + number gate, both witnesses (now)", median(ours), pct(ours, 99), pct(ours, 99) / pct(naive, 99),
         "p99 < 5 ms"],
        ["event store, checks as before issue 13", median(before), pct(before, 99), pct(before, 99) / pct(naive, 99),
         ""],
        ["naive JSON file rewritten + fsync", median(naive), pct(naive, 99), 1.0, ""],
    ]))
    print(f"\nReplay at start of a {REPLAY_TICKETS}-ticket session (~{2 * REPLAY_TICKETS} events), median of 5\n")
    print(table(["design", "median s", "vs naive", "goal"], [
        ["event store replay (lock + open + integrity_check + codes + chain vs both witnesses + fold; now)",
         median(replay),
         median(replay) / median(naive_replay), "< 0.5 s"],
        ["event store replay (open + quick_check + fold; before issue 13)", median(replay_before),
         median(replay_before) / median(naive_replay), ""],
        ["naive JSON load (no history, no undo)", median(naive_replay), 1.0, ""],
    ]))


if __name__ == "__main__":
    main()
