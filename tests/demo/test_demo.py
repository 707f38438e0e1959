"""`photoqueue demo`: a headless two-room day, its export against its summary, and a resume after SIGKILL."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from photoqueue.demo.plan import plan_students
from photoqueue.device.store.export import collect
from photoqueue.timetable import load_timetable

ROOMS = ("第一组", "第二组")
KEYS = ("expected", "issued", "photographed", "skipped", "voided", "not_seen")


def demo(data_dir: Path, students: int, *, wait: bool = True):
    args = [sys.executable, "-m", "photoqueue", "demo", "--headless", "--exit", "--speed", "0", "--students", str(students),
            "--data-dir", str(data_dir), "--no-progress"]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    if not wait:
        return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


def summary_classes(data_dir: Path) -> dict:
    summary = json.loads((data_dir / "summary.json").read_text(encoding="utf-8"))
    return {(c["room"], c["class"]): {k: c[k] for k in KEYS} for r in summary["rooms"] for c in r["classes"]}


def export_classes(data_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "photoqueue", "export", "--data-dir", str(data_dir), "--format",
                          "json"], capture_output=True, text=True, timeout=120, check=True).stdout
    return {(c["room"], c["class"]): {k: c[k] for k in KEYS} for c in json.loads(out)["classes"]}


def test_headless_two_room_day_and_its_export_agrees_with_its_summary(tmp_path):
    data = tmp_path / "demo"
    result = demo(data, 16)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((data / "summary.json").read_text(encoding="utf-8"))
    assert [r["room"] for r in summary["rooms"]] == list(ROOMS)
    assert summary_classes(data) == export_classes(data)
    for room in summary["rooms"]:
        assert room["numbers_contiguous"]
        assert sum(c["expected"] for c in room["classes"]) == 16
        photographed = sum(c["photographed"] for c in room["classes"])
        absent = sum(c["not_seen"] for c in room["classes"])
        assert photographed + absent + sum(c["skipped"] for c in room["classes"]) >= 16 - room["stats"]["unreadable"]
        assert room["tickets"] > 0 and photographed > 0
        assert room["outbox_drained"] is True  # the central service got every event
        # the printed summary names the room, its classes and their counts
        for c in room["classes"]:
            assert f"{c['class']}" in result.stdout
        # the camera's folder: JPEGs with EXIF times by a clock minutes off, found again by reconcile
        photos = room["photos"]
        assert photos["photos"] >= photographed and len(list(Path(photos["folder"]).glob("IMG_*.JPG"))) == photos[
            "photos"]
        assert abs(photos["camera_offset_s"] - photos["camera_set_s"]) <= 3
        assert photos["planted"] == [] and photos["findings"] == []  # too short a day to plant a mistake
    assert "照片对照：照片与号码一一对应" in result.stdout
    # the pictures the README uses
    snaps = sorted(p.name for p in (data / "snapshots").iterdir())
    assert {"room1-screen-3.png", "room1-ticket.png", "room2-screen-3.png", "room2-ticket.png"} <= set(snaps)
    # ticket pictures are named by room and shooting number: 第一组-0001.png is number 1's ticket
    for room in summary["rooms"]:
        names = {p.name for p in (data / room["room"] / "tickets").glob("*.png")}
        assert f"{room['room']}-0001.png" in names
        assert f"{room['room']}-{room['tickets']:04d}.png" in names
        assert not [n for n in names if n.startswith("ticket-")]
    # the summary speaks Chinese and names the login to the dashboard that was just shown
    assert "应拍" in result.stdout and "已拍" in result.stdout and "过号" in result.stdout
    assert "expected" not in result.stdout and "photographed" not in result.stdout
    assert f"登录：{summary['login'][0]} / {summary['login'][1]}" in result.stdout


def _issued(data_dir: Path) -> int:
    total = 0
    for room in ROOMS:
        path = data_dir / room / "station.db"
        if not path.exists():
            continue
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                total += db.execute("SELECT count(*) FROM codes").fetchone()[0]
        except sqlite3.Error:
            pass
    return total


def _room_processes(data_dir: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if ("demo.room" in cmdline or "central" in cmdline) and str(data_dir) in cmdline:
                found.append(int(entry.name))
    return found


def test_killed_with_sigkill_and_run_again_it_resumes_without_a_number_duplicated_or_skipped(tmp_path):
    data = tmp_path / "demo"
    students = 40
    proc = demo(data, students, wait=False)
    deadline = time.monotonic() + 300
    while _issued(data) < 12 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the demo ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)  # the parent; the room processes die with it
    proc.wait()
    deadline = time.monotonic() + 20
    while _room_processes(data) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _room_processes(data) == []  # the room stations and the central service died with it
    before = collect(data)["tickets"]
    assert 0 < len(before) < 2 * students
    assert not (data / "summary.json").exists()

    result = demo(data, students)
    assert result.returncode == 0, result.stderr[-3000:]
    after = collect(data)["tickets"]
    summary = json.loads((data / "summary.json").read_text(encoding="utf-8"))
    timetable = load_timetable(data / "timetable.csv")
    for room in summary["rooms"]:
        mine = [t for t in after if t["room"] == room["room"]]
        numbers = [t["number"] for t in mine]
        assert numbers == list(range(1, len(mine) + 1))  # none skipped, none twice
        assert len({t["code_digest"] for t in mine}) == len(mine)  # no student numbered twice
        # every ticket of the first run is there, unchanged in number and code
        old = {t["number"]: t["code_digest"] for t in before if t["room"] == room["room"]}
        assert all(mine[n - 1]["code_digest"] == d for n, d in old.items())
        assert room["resumed"] == bool(old)
        assert room["stats"]["rescans_changed_number"] == 0
        # everyone who came got exactly one number
        plan = plan_students(timetable.room_day(room["room"], dt.date.fromisoformat(summary["date"])), 2024)
        came = sum(1 for s in plan if s.behaviour != "absent")
        assert len(mine) == came - room["stats"]["unreadable"]
    assert summary_classes(data) == export_classes(data)


def test_without_exit_the_dashboard_stays_up_after_the_day_until_ctrl_c(tmp_path):
    import httpx

    data = tmp_path / "demo"
    args = [sys.executable, "-m", "photoqueue", "demo", "--headless", "--speed", "0", "--students", "3",
            "--rooms", ROOMS[0], "--data-dir", str(data), "--no-progress"]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in proc.stderr:  # the day runs, the summary is printed, then it says it stays up
            if "中心服务仍在运行" in line:
                url = line.split("：", 1)[1].split()[0].rstrip("/")
                break
        assert url, "the demo ended without keeping the central service up"
        assert (data / "summary.json").exists()  # the day is over ...
        assert httpx.get(url + "/status.json", timeout=10).status_code == 200  # ... and the centre still serves
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "登录：demo / demo-password" in out  # the login is in the summary, where the reader looks
    try:
        httpx.get(url + "/status.json", timeout=2)
        raise AssertionError("the central service outlived Ctrl-C")
    except httpx.TransportError:
        pass
