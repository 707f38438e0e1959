"""Damaged station files (issue 13, reproductions 1 and 2): corrupt bytes, and the WAL or shm deleted,
truncated or left behind under a running station. Real processes on real files: a store process
(``store_child.py``) numbering as the station does, and the ``photoqueue`` CLI beside it.

Lost: a number given twice, a committed ticket missing after the fault, a changed field accepted,
or a traceback."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rel_helpers import DATE, KEY_HEX, ROOM, record, size, station_toml

from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session

HERE = Path(__file__).parent
NOW_CODES = [f"STU-{i:04d}-QR" for i in range(1, 201)]


def pq(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoqueue", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def scan_cli(data_dir: Path, *codes: str) -> subprocess.CompletedProcess:
    return pq("scan", "--data-dir", data_dir, "--room", ROOM, "--date", DATE, *codes)


class StoreChild:
    def __init__(self, data_dir: Path):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "store_child.py"), str(data_dir), ROOM, DATE],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def ask(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def scan(self, code: str) -> str:
        return self.ask(f"scan {code}")

    def quit(self) -> str:
        answer = self.ask("quit")
        self.proc.wait(30)
        err = self.proc.stderr.read()
        assert "Traceback" not in err, err
        return answer

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(30)


def new_station(data_dir: Path, n: int, *, close: bool = True) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "deployment.key").write_text(KEY_HEX)
    session = Session(EventStore(db_path(data_dir)), ROOM, DATE, Rules(digest_key=bytes.fromhex(KEY_HEX)))
    for code in NOW_CODES[:n]:
        session.scan(code, __import__("datetime").datetime(2024, 10, 25, 9, 0))
    if close:
        session.store.close()


def numbers(data_dir: Path) -> dict[str, int]:
    """code -> number as a fresh process reads the repaired file (plain SQLite, no checks of ours)."""
    with sqlite3.connect(db_path(data_dir)) as db:
        return {c: n for c, n in db.execute("SELECT code, number FROM codes")}


def refused_cleanly(result: subprocess.CompletedProcess) -> bool:
    return result.returncode != 0 and "Traceback" not in result.stderr and result.stderr.strip() != ""


# --- 1: corrupt bytes -----------------------------------------------------------------------------

def _codes_pages(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [p for (p,) in db.execute("SELECT pageno FROM dbstat WHERE name = 'codes' AND pagetype = 'leaf'")]


def test_one_changed_byte_in_codes_is_refused_not_exported(tmp_path):
    d = tmp_path / "st"
    new_station(d, 132)
    path = db_path(d)
    data = bytearray(path.read_bytes())
    page_size = 4096
    target = b"STU-0076-QR"
    at = next(p for p in _codes_pages(path) if target in data[(p - 1) * page_size:p * page_size])
    offset = data.index(target, (at - 1) * page_size) + len("STU-0")
    data[offset:offset + 3] = b"150"  # ticket 76's code now reads as a student who has not scanned yet
    path.write_bytes(bytes(data))

    export = pq("export", "--data-dir", d, "--format", "csv")
    scan = scan_cli(d, "STU-0150-QR")
    lost = 0 if refused_cleanly(export) and refused_cleanly(scan) else 1
    record("station file: one changed byte in the codes table", 2, 2 - lost, lost,
           export_exit=export.returncode, scan_exit=scan.returncode)
    assert export.returncode == 4 and "integrity" in export.stderr, export.stderr
    assert "STU-0150-QR" not in export.stdout
    assert scan.returncode == 4 and '"number"' not in scan.stdout, scan.stdout


def test_random_byte_corruptions_are_refused_or_change_nothing(tmp_path):
    d = tmp_path / "st"
    new_station(d, 132)
    clean_export = pq("export", "--data-dir", d, "--format", "json")
    assert clean_export.returncode == 0
    original = bytes(db_path(d).read_bytes())
    rng = random.Random(13)
    tried = size(15, 60)
    refused = unchanged = lost = 0
    for i in range(tried):
        c = tmp_path / f"c{i}"
        c.mkdir()
        shutil.copy(d / "deployment.key", c)
        shutil.copy(db_path(d).with_name("station.db-witness"), c)
        data = bytearray(original)
        for _ in range(rng.choice((1, 1, 2, 8))):
            offset = rng.randrange(100, len(data))  # the 100-byte header is SQLite's own check
            data[offset] ^= rng.randrange(1, 256)
        db_path(c).write_bytes(bytes(data))
        export = pq("export", "--data-dir", c, "--format", "json")
        scan = scan_cli(c, "STU-0010-QR")
        if "Traceback" in export.stderr + scan.stderr:
            lost += 1
        elif export.returncode != 0:
            refused += refused_cleanly(export) and scan.returncode != 0 and '"number"' not in scan.stdout
            lost += not (refused_cleanly(export) and scan.returncode != 0 and '"number"' not in scan.stdout)
        elif export.stdout == clean_export.stdout and json.loads(scan.stdout)["number"] == 10:
            unchanged += 1
        else:
            lost += 1
    record("station file: random byte corruptions (export + scan)", tried, refused + unchanged, lost,
           refused_with_message=refused, accepted_unchanged=unchanged)
    assert lost == 0 and refused + unchanged == tried


# --- 2: the WAL and shm ------------------------------------------------------------------------------

@pytest.mark.parametrize("checkpointed", [True, False], ids=["tables-in-main", "main-without-tables"])
def test_wal_and_shm_deleted_under_a_running_station(tmp_path, checkpointed):
    d = tmp_path / "st"
    if checkpointed:
        new_station(d, 0)
    else:
        d.mkdir()
        (d / "deployment.key").write_text(KEY_HEX)
    child = StoreChild(d)
    issued = [child.scan(code) for code in NOW_CODES[:40]]
    assert issued[-1] == f"issued 40 {NOW_CODES[39]}"
    Path(f"{db_path(d)}-wal").unlink()
    Path(f"{db_path(d)}-shm").unlink()
    cli = scan_cli(d, NOW_CODES[40])  # the next student, at the CLI
    station = child.scan(NOW_CODES[41])  # and at the station
    child.quit()
    after = numbers(d)
    rescan = scan_cli(d, NOW_CODES[0], NOW_CODES[40])
    lines = [json.loads(line) for line in rescan.stdout.splitlines()]
    lost = sum(after.get(code) != i + 1 for i, code in enumerate(NOW_CODES[:40]))
    lost += cli.returncode != 4 or '"number"' in cli.stdout
    lost += not station.startswith("refused")
    lost += lines != [{"code": NOW_CODES[0], "number": 1, "reprint": True, "class": None},
                      {"code": NOW_CODES[40], "number": 41, "reprint": False, "class": None}]
    record(f"station file: WAL and shm deleted under a running station ({'main file with tables' if checkpointed else 'main file without tables'})", 40, 40 - lost, lost)
    assert cli.returncode == 4 and ("witness recorded 40" in cli.stderr or "40 events" in cli.stderr) and "Traceback" not in cli.stderr, cli.stderr
    assert station.startswith("refused") and "station.db-wal" in station
    assert lost == 0, (after, lines)


def test_shm_deleted_under_a_running_station(tmp_path):
    d = tmp_path / "st"
    new_station(d, 0)
    child = StoreChild(d)
    for code in NOW_CODES[:20]:
        child.scan(code)
    Path(f"{db_path(d)}-shm").unlink()
    cli = scan_cli(d, *NOW_CODES[20:30])  # the CLI commits 10 tickets the station cannot see
    station = child.scan(NOW_CODES[30])
    child.quit()  # its clean stop must not checkpoint its stale view over them
    after = numbers(d)
    lost = sum(after.get(code) != i + 1 for i, code in enumerate(NOW_CODES[:30]))
    lost += not station.startswith("refused")
    record("station file: shm deleted under a running station, CLI commits beside it", 30, 30 - lost, lost)
    assert cli.returncode == 0, cli.stderr
    assert station.startswith("refused") and "shm" in station, station
    assert lost == 0, after
    again = StoreChild(d)  # restarted, the station sees all 30 and numbers on
    assert again.scan(NOW_CODES[30]) == f"issued 31 {NOW_CODES[30]}"
    again.quit()


def test_truncated_wal_after_a_power_cut_is_refused(tmp_path):
    tried = refused = lost = 0
    for fraction in (0.9, 0.6, 0.3):
        d = tmp_path / f"st{int(fraction * 100)}"
        new_station(d, 0)
        child = StoreChild(d)
        for code in NOW_CODES[:60]:
            child.scan(code)
        child.kill()  # a power cut: the WAL holds the day
        wal = Path(f"{db_path(d)}-wal")
        wal.write_bytes(wal.read_bytes()[:int(wal.stat().st_size * fraction)])
        Path(f"{db_path(d)}-shm").unlink(missing_ok=True)
        result = scan_cli(d, NOW_CODES[0], NOW_CODES[70])
        config = tmp_path / f"station{int(fraction * 100)}.toml"
        config.write_text(station_toml(d, printer_port=9), encoding="utf-8")
        check = pq("station", "--config", config, "--check")
        tried += 1
        if (refused_cleanly(result) and result.returncode == 4 and '"number"' not in result.stdout
                and refused_cleanly(check) and "photoqueue recover" in check.stderr):
            refused += 1
        else:
            lost += 1
    record("station file: WAL truncated to 90/60/30% after a power cut", tried, refused, lost)
    assert lost == 0


def test_station_db_copied_alone_is_refused_and_backup_is_whole(tmp_path):
    d = tmp_path / "st"
    new_station(d, 0)
    child = StoreChild(d)
    for code in NOW_CODES[:85]:
        child.scan(code)
    shutil.copy(db_path(d), tmp_path / "copy.db")  # the obvious backup, while the WAL holds the day
    backup = pq("backup", "--data-dir", d, "--out", tmp_path / "backup.db")
    for code in NOW_CODES[85:132]:
        child.scan(code)
    child.quit()
    # restored: the lone copy in place of the station's file
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path(d)}{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "copy.db", db_path(d))
    result = scan_cli(d, NOW_CODES[140])
    with sqlite3.connect(tmp_path / "backup.db") as db:
        in_backup = db.execute("SELECT count(*) FROM codes").fetchone()[0]
    lost = (result.returncode != 4 or '"number"' in result.stdout) + (in_backup != 85)
    record("station file: station.db copied alone, restored in place", 1, 1 - min(lost, 1), lost,
           tickets_in_online_backup=in_backup)
    assert backup.returncode == 0, backup.stderr
    assert in_backup == 85
    assert refused_cleanly(result) and result.returncode == 4, result.stderr


def test_recover_rebuilds_from_the_backup_and_the_centre_without_renumbering(tmp_path):
    """The WAL lost after 132 tickets, a backup of 85, the centre holding all 132: ``photoqueue recover``
    gives back every number; a rescan of a ticket the backup lacked is a reprint, a new code gets 133."""
    from photoqueue.central.admin import add_station
    from photoqueue.central.process import CentralProcess
    from photoqueue.device.sync.client import SyncClient

    d = tmp_path / "st"
    new_station(d, 0)
    url = f"sqlite:///{tmp_path / 'central.db'}"
    token = add_station(url, ROOM)
    (tmp_path / "token").write_text(token)
    with CentralProcess(url, settings={"rate_limit_per_s": "0"}) as centre:
        child = StoreChild(d)
        for code in NOW_CODES[:85]:
            child.scan(code)
        assert pq("backup", "--data-dir", d, "--out", tmp_path / "backup.db").returncode == 0
        for code in NOW_CODES[85:132]:
            child.scan(code)
        client = SyncClient(db_path(d), centre.url, token, room=ROOM)
        assert client.drain(60)
        client.stop()
        child.kill()  # a power cut, then the WAL is lost
        Path(f"{db_path(d)}-wal").unlink(missing_ok=True)
        Path(f"{db_path(d)}-shm").unlink(missing_ok=True)
        refused = scan_cli(d, NOW_CODES[140])
        recovered = pq("recover", "--data-dir", d, "--from", tmp_path / "backup.db", "--url", centre.url,
                       "--token-file", tmp_path / "token")
    after = scan_cli(d, NOW_CODES[0], NOW_CODES[100], NOW_CODES[140])
    lines = [json.loads(line) for line in after.stdout.splitlines()]
    export = json.loads(pq("export", "--data-dir", d, "--format", "json").stdout)
    numbers_after = sorted(t["number"] for t in export["tickets"])
    lost = (refused.returncode != 4) + (recovered.returncode != 0)
    lost += [(x["number"], x["reprint"]) for x in lines] != [(1, True), (101, True), (133, False)]
    lost += numbers_after != list(range(1, 134))
    record("station file: WAL lost, recovered from a backup of 85 + the centre's 132", 132, 132 - min(lost, 132),
           lost, from_backup=json.loads(recovered.stdout or "{}").get("from_backup"),
           from_centre=json.loads(recovered.stdout or "{}").get("from_centre"))
    assert refused.returncode == 4, refused.stderr
    assert recovered.returncode == 0, recovered.stderr
    assert [(x["number"], x["reprint"]) for x in lines] == [(1, True), (101, True), (133, False)]
    assert numbers_after == list(range(1, 134))
