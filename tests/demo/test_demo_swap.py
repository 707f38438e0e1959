"""`photoqueue demo` with a room's Pi swapped part way through the day (issue 21): the old station is killed,
replace-station runs at the centre, and a spare on a fresh data dir rebuilds the room's history from the centre
and numbers on, never at 1."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from photoqueue.demo.plan import plan_students
from photoqueue.timetable import load_timetable

ROOM = "第一组"
STUDENTS = 40
KEYS = ("expected", "issued", "photographed", "skipped", "voided")


def run_demo(data_dir: Path) -> subprocess.CompletedProcess:
    # no --swap-at: the swap is the demo's default
    args = [sys.executable, "-m", "photoqueue", "demo", "--headless", "--exit", "--speed", "0", "--students",
            str(STUDENTS), "--rooms", ROOM, "--data-dir", str(data_dir), "--no-progress"]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


def station_codes(path: Path) -> dict[int, str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT number, code FROM codes WHERE room = ?", (ROOM,)).fetchall())


def centre_numbers(path: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        bodies = [json.loads(b) for (b,) in db.execute("SELECT body FROM events WHERE type = 'ticket_issued'")]
    return [(b["room"], b["date"], b["number"]) for b in bodies]


def export_json(data_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "photoqueue", "export", "--data-dir", str(data_dir), "--format",
                          "json"], capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out)


def by_class(rows: list[dict]) -> dict:
    return {c["class"]: {k: c[k] for k in KEYS} for c in rows if c["room"] == ROOM}


def test_a_swapped_pi_s_spare_continues_the_room_s_numbers_from_the_centre(tmp_path):
    data = tmp_path / "demo"
    result = run_demo(data)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((data / "summary.json").read_text(encoding="utf-8"))
    (room,) = summary["rooms"]
    swap = room["swap"]

    # the dead Pi's card and the spare's: the spare holds the whole room, the old history rebuilt (digests only)
    old = station_codes(data / ROOM / "station.db")
    spare = station_codes(data / f"{ROOM}-spare" / "station.db")
    rebuilt = sorted(n for n, c in spare.items() if c.startswith("digest:"))
    own = sorted(n for n, c in spare.items() if not c.startswith("digest:"))
    highest = max(old)
    assert 0 < highest < len(spare)
    assert rebuilt == sorted(old) == list(range(1, highest + 1))  # every event of the dead Pi reached the centre
    assert swap["centre_highest"] == highest  # what the centre's hello said at the takeover
    assert own[0] == highest + 1 == swap["spare_first"]  # the spare's first number: the centre's highest + 1
    assert own == list(range(highest + 1, len(spare) + 1))

    # the centre: one stream, no (room, date, number) twice, none skipped, nothing set aside
    at_centre = centre_numbers(data / "central.db")
    assert [k for k, n in Counter(at_centre).items() if n > 1] == []
    assert sorted(n for _, _, n in at_centre) == list(range(1, len(spare) + 1))
    with sqlite3.connect(f"file:{data / 'central.db'}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM set_aside_events").fetchone()[0] == 0
        assert db.execute("SELECT count(DISTINCT station_id) FROM events").fetchone()[0] == 1
        tokens = db.execute("SELECT revoked_at IS NOT NULL FROM stations WHERE room = ? ORDER BY id",
                            (ROOM,)).fetchall()
    assert tokens == [(1,), (0,)]  # the dead Pi's token revoked, the spare's live

    # students in line with the dead Pi's tickets scanned again at the spare: the same numbers, reprinted
    assert swap["rescans_kept_number"] >= 1 and room["stats"]["rescans_changed_number"] == 0

    # counts per class: what the day's plan makes them, and the same at the station, in the export, at the centre
    timetable = load_timetable(data / "timetable.csv")
    plan = plan_students(timetable.room_day(ROOM, dt.date.fromisoformat(summary["date"])), 2024)
    came = Counter(s.class_name for s in plan if s.behaviour != "absent")
    unreadable = room["stats"]["unreadable"]
    summary_counts = by_class([dict(c, room=ROOM) for c in room["classes"]])
    for c in timetable.room_day(ROOM, dt.date.fromisoformat(summary["date"])).classes:
        counts = summary_counts[c.name]
        assert counts["expected"] == c.headcount
        assert came[c.name] - unreadable <= counts["issued"] <= came[c.name]
        assert counts["issued"] == counts["photographed"] + counts["skipped"] + counts["voided"]  # nobody left
    assert sum(c["issued"] for c in summary_counts.values()) == len(spare) == sum(came.values()) - unreadable
    exported = export_json(data)
    assert by_class(exported["classes"]) == summary_counts
    assert sorted(t["number"] for t in exported["tickets"]) == list(range(1, len(spare) + 1))
    assert len({t["code_digest"] for t in exported["tickets"]}) == len(spare)
    from photoqueue.central.store import CentralStore

    with CentralStore(f"sqlite:///{data / 'central.db'}", pool_size=1) as store:
        assert by_class(store.counts()) == summary_counts

    # the agency's list has every raw code: the rebuilt tickets' from the dead Pi's card
    csv = subprocess.run([sys.executable, "-m", "photoqueue", "export", "--data-dir", str(data), "--format", "csv",
                          "--lang", "en"], capture_output=True, text=True, timeout=120, check=True).stdout
    codes = [line.split(",")[4] for line in csv.splitlines()[1:]]
    assert len(codes) == len(spare) and not [c for c in codes if not c or c.startswith("digest:")]

    # the photographer's camera went on across the swap: each planted mistake found at its number
    photos = room["photos"]
    found = {(f["kind"], f["number"]) for f in photos["findings"]}
    assert photos["planted"] and {tuple(p) for p in photos["planted"]} <= found

    # the summary says it, in Chinese
    assert (f"更换工作站：{ROOM} 的工作站在第 {highest} 号时更换（模拟断电），备用机从中心取回本组记录，"
            f"从第 {highest + 1} 号接着编号") in result.stdout
    assert (data / "snapshots" / "room1-screen-spare.png").exists()


def test_swap_at_zero_keeps_the_room_s_pi(tmp_path):
    data = tmp_path / "demo"
    args = [sys.executable, "-m", "photoqueue", "demo", "--headless", "--exit", "--speed", "0", "--students", "6",
            "--rooms", ROOM, "--data-dir", str(data), "--no-progress", "--swap-at", "0"]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((data / "summary.json").read_text(encoding="utf-8"))
    assert summary["rooms"][0]["swap"] is None and not (data / f"{ROOM}-spare").exists()
    assert "更换工作站" not in result.stdout


def test_a_swap_fraction_out_of_range_is_refused_with_a_message(tmp_path):
    from clirun import run_cli

    result = run_cli("demo", "--exit", "--swap-at", "1.5", "--data-dir", tmp_path / "demo")
    assert result.returncode == 2 and "应在 0 与 1 之间" in result.stderr and "Traceback" not in result.stderr
