"""Power cut at the station level: a real station process (built from a TOML config, manual scan
input, the printer part's network connection) is SIGKILLed at random moments while it numbers a day's
codes, including between a number's commit and its ticket's print.

After every kill the database must be whole (integrity_check ok), numbered 1..N with no gap and no
duplicate, and hold every number the station showed, reported or printed. At the end every ticket
that never printed is found (``photoqueue queue ... unprinted``), reprinted through the station's own
reprint path, and comes out of the printer.

CI: 150 scans, 30 kills. PHOTOQUEUE_LONG=1: 1,000 scans, 200 kills.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from rel_helpers import DATE, HERE, KEY_HEX, ROOM, TeeProxy, printed_numbers, record, size, station_toml

from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session

CHILD = str(HERE / "station_child.py")


def spawn(config: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, CHILD, str(config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    assert line.strip() == "ready", f"the station did not start: {line!r}"
    return proc


def complete_lines(text: str) -> list[list[str]]:
    """Lines the child finished writing (a kill can cut the last one short)."""
    return [line.split() for line in text.splitlines(keepends=True) if line.endswith("\n")]


def check_db(db_path: Path) -> dict[str, int]:
    """The invariants after a crash; returns code -> number."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = dict(db.execute("SELECT code, number FROM codes WHERE room = ? AND date = ?", (ROOM, DATE)))
        assert sorted(rows.values()) == list(range(1, len(rows) + 1)), "numbers 1..N, no gap, no duplicate"
        seqs = [s for (s,) in db.execute("SELECT seq FROM events ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1)), "event sequence gapless"
        return rows
    finally:
        db.close()


def without_print_outcome(db_path: Path) -> set[int]:
    """Numbers committed whose print the station never recorded as done (killed in between)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        printed = {n for (n,) in db.execute(
            "SELECT json_extract(body, '$.number') FROM events WHERE type = 'ticket_printed'")}
        return {n for (n,) in db.execute("SELECT number FROM codes")} - printed
    finally:
        db.close()


def test_sigkill_of_a_real_station_loses_and_duplicates_nothing(tmp_path):  # noqa: PLR0915 - one scenario in order
    n_scans, n_kills = size(120, 1000), size(25, 200)
    rng = random.Random(20241025)
    data_dir = tmp_path / "station"
    printer = TeeProxy(None)  # the network printer: keeps every byte the station sends it
    config = tmp_path / "station.toml"
    config.write_text(station_toml(data_dir, printer_port=printer.port), encoding="utf-8")
    db_path = data_dir / "station.db"
    codes = [f"PQ{i:05d}{rng.getrandbits(48):012x}" for i in range(n_scans)]

    reported: dict[str, int] = {}  # code -> number, as the station reported it after the commit
    shown: set[int] = set()
    printed_reported: set[int] = set()
    lost = rescans = kills = between = committed_before = 0
    # How long a scan takes from stdin to its printed result here, so the kills land amid the work.
    proc = spawn(config)
    calibration = 20
    started = time.monotonic()
    proc.stdin.write("".join(f"scan {c}\n" for c in codes[:calibration]))
    proc.stdin.flush()
    done = 0
    while done < calibration:
        parts = proc.stdout.readline().split()
        if parts[0] in ("issued", "again"):
            reported[parts[2]] = int(parts[1])
        done += parts[0] == "printed"
    per_scan_s = (time.monotonic() - started) / calibration
    proc.stdin.write("quit\n")
    proc.communicate(timeout=60)
    next_i = calibration
    while kills < n_kills:
        per_round = max(1, (n_scans - next_i) // max(1, n_kills - kills))
        batch = codes[next_i:next_i + per_round + 2]
        if reported and rng.random() < 0.3:
            batch.insert(rng.randrange(len(batch) + 1), rng.choice(list(reported)))  # a student scans again
            rescans += 1
        proc = spawn(config)
        proc.stdin.write("".join(f"scan {c}\n" for c in batch))
        proc.stdin.flush()
        # mostly amid the scans (often between a commit and its print), sometimes after the printer caught up
        time.sleep(rng.uniform(0, len(batch) * per_scan_s * 1.2) if rng.random() < 0.8 else rng.uniform(0.1, 0.5))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        kills += proc.returncode == -signal.SIGKILL
        for parts in complete_lines(out):
            if parts[0] in ("issued", "again") and len(parts) == 3:
                number, code = int(parts[1]), parts[2]
                if reported.setdefault(code, number) != number:
                    lost += 1  # a code changed its number across a crash
            elif parts[0] == "shown":
                shown.add(int(parts[1]))
            elif parts[0] == "printed":
                printed_reported.add(int(parts[1]))
        rows = check_db(db_path)
        unconfirmed = without_print_outcome(db_path)
        between += any(n in unconfirmed for n in range(committed_before + 1, len(rows) + 1))
        committed_before = len(rows)
        lost += sum(1 for code, number in reported.items() if rows.get(code) != number)
        lost += len(shown - set(rows.values())) + len(set(printed_numbers(printer.sent)) - set(rows.values()))
        while next_i < n_scans and codes[next_i] in reported:
            next_i += 1
    assert lost == 0
    assert between > 0, "no kill landed between a commit and its print"

    # What the crashes left unprinted: printed False (failed) or no print outcome at all.
    key = bytes.fromhex(KEY_HEX)
    with EventStore(db_path) as store:
        before = Session(store, ROOM, DATE, Rules(digest_key=key)).state
        unprinted = sorted(n for n, t in before.tickets.items() if t.printed is not True)
    listed = subprocess.run([sys.executable, "-m", "photoqueue", "queue", "--data-dir", str(data_dir), "--room", ROOM,
                             "--date", DATE, "--key-file", str(tmp_path / "station.key"), "unprinted"],
                            capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert sorted(int(line.split("\t")[0]) for line in listed.stdout.splitlines()) == unprinted

    # The rest of the day without a kill, then a reprint of every unprinted ticket at the station.
    already_printed = len(printed_numbers(printer.sent))
    proc = spawn(config)
    rest = [f"scan {c}\n" for c in codes[next_i:]] + [f"scan {c}\n" for c in codes[:next_i]]  # every code again
    proc.stdin.write("".join(rest) + "".join(f"reprint {n}\n" for n in unprinted) + "quit\n")
    proc.stdin.flush()
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and out.endswith("bye\n")
    for parts in complete_lines(out):
        if parts[0] in ("issued", "again") and len(parts) == 3:
            assert reported.setdefault(parts[2], int(parts[1])) == int(parts[1])

    rows = check_db(db_path)
    assert len(rows) == n_scans and set(rows) == set(codes)
    assert all(rows[c] == n for c, n in reported.items())
    with EventStore(db_path) as store:
        after = Session(store, ROOM, DATE, Rules(digest_key=key)).state
    assert all(t.printed is True for t in after.tickets.values()), "every ticket printed in the end"
    on_paper = printed_numbers(printer.sent)
    assert set(on_paper) == set(range(1, n_scans + 1))
    assert set(unprinted) <= set(on_paper[already_printed:])
    record("station SIGKILL (power cut) during scans", tried=kills, survived=kills if lost == 0 else 0, lost=lost,
           scans=n_scans, rescans=rescans, unprinted_after_crashes=len(unprinted),
           kills_between_a_commit_and_its_print=between, reprinted=len(unprinted),
           tickets_on_paper=len(on_paper))
