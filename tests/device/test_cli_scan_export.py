"""`photoqueue scan`, `queue` and `export` as DESIGN.md's command contract gives them: the first test by the real
entry point in a process of its own, the others in process (tests/clirun.py)."""

import csv
import io
import json
import subprocess
import sys

from clirun import run_cli

ROOM, DATE = "第一组", "2023-10-25"


def pq(*args, check=True, process=False):
    """In process (tests/clirun.py); ``process=True``: the real entry point, ``python -m photoqueue``."""
    result = (subprocess.run([sys.executable, "-m", "photoqueue", *map(str, args)], capture_output=True, text=True)
              if process else run_cli(*args))
    assert "Traceback" not in result.stderr, result.stderr
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_scan_prints_one_json_line_per_code_and_reprints_keep_the_number(tmp_path, timetable_2024):
    result = pq("scan", "--data-dir", tmp_path, "--room", ROOM, "--date", DATE, "--timetable", timetable_2024,
                "CODE-AAAA-1", "CODE-BBBB-2", "CODE-AAAA-1", "https://example.com", check=False, process=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[:3] == [
        {"code": "CODE-AAAA-1", "number": 1, "reprint": False, "class": "20财务管理1班"},
        {"code": "CODE-BBBB-2", "number": 2, "reprint": False, "class": "20财务管理1班"},
        {"code": "CODE-AAAA-1", "number": 1, "reprint": True, "class": "20财务管理1班"},
    ]
    assert lines[3]["code"] == "https://example.com" and "error" in lines[3] and "number" not in lines[3]
    assert result.returncode == 1  # a refused code is reported in the exit status


def test_scan_without_timetable_gives_no_class(tmp_path):
    line = json.loads(pq("scan", "--data-dir", tmp_path, "--room", "A组", "CODE-CCCC-3").stdout)
    assert line["class"] is None and line["number"] == 1


def test_export_json_and_the_agency_csv_in_shooting_order(tmp_path, timetable_2024):
    pq("scan", "--data-dir", tmp_path, "--room", ROOM, "--date", DATE, "--timetable", timetable_2024,
       *(f"CODE-{i:04d}-X" for i in range(5)))
    queue = ("queue", "--data-dir", tmp_path, "--room", ROOM, "--date", DATE)
    pq(*queue, "skip", "1", "--yes", "--reason", "叫了三次没来")  # 1 is a no-show, 2 is called
    pq(*queue, "advance")  # 2 photographed, 3 called
    pq(*queue, "void", "5", "--reason", "scanned twice by mistake")
    pq(*queue, "advance")  # 3 photographed, 4 called
    data = json.loads(pq("export", "--data-dir", tmp_path).stdout)
    statuses = {t["number"]: t["status"] for t in data["tickets"]}
    assert statuses == {1: "skipped", 2: "photographed", 3: "photographed", 4: "called", 5: "voided"}
    assert set(data["tickets"][0]) >= {"room", "date", "number", "status", "class", "code_digest"}
    first = data["classes"][0]
    assert {k: first[k] for k in ("room", "date", "class", "expected", "issued", "photographed", "skipped",
                                  "voided")} == {"room": ROOM, "date": DATE, "class": "20财务管理1班", "expected": 53,
                                                 "issued": 5, "photographed": 2, "skipped": 1, "voided": 1}
    rows = list(csv.DictReader(io.StringIO(pq("export", "--data-dir", tmp_path, "--format", "csv", "--lang", "en").stdout)))
    assert [(r["number"], r["status"], r["order"]) for r in rows] == [
        ("1", "skipped", ""), ("2", "photographed", "1"), ("5", "voided", ""), ("3", "photographed", "2"),
        ("4", "called", "")]
    assert rows[1]["code"] == "CODE-0001-X"  # the agency's list is the one export with raw codes


def test_export_csv_reports_counts_fees_and_makeup(tmp_path, timetable_2024):
    pq("scan", "--data-dir", tmp_path, "--room", ROOM, "--date", DATE, "--timetable", timetable_2024,
       "CODE-0001-X", "CODE-0002-X", "CODE-0003-X")
    queue = ("queue", "--data-dir", tmp_path, "--room", ROOM, "--date", DATE)
    pq(*queue, "advance")
    pq(*queue, "advance")
    counts = list(csv.reader(io.StringIO(pq("export", "--data-dir", tmp_path, "--format", "csv",
                                            "--report", "counts", "--fee", "25").stdout.lstrip("\ufeff"))))
    first = dict(zip(counts[0], counts[1], strict=True))
    assert first["班级"] == "20财务管理1班" and first["已拍"] == "2" and first["应收费用(元)"] == "50"
    makeup = list(csv.reader(io.StringIO(pq("export", "--data-dir", tmp_path, "--format", "csv",
                                            "--report", "makeup").stdout.lstrip("\ufeff"))))
    row = dict(zip(makeup[0], makeup[1], strict=True))
    assert row["班级"] == "20财务管理1班" and row["需补拍"] == "51"


def test_queue_refusals_are_clear_and_change_nothing(tmp_path):
    pq("scan", "--data-dir", tmp_path, "--room", "A组", "CODE-0001-X")
    result = pq("queue", "--data-dir", tmp_path, "--room", "A组", "recall", "1", check=False)
    assert result.returncode == 1 and "not skipped" in result.stderr
    result = pq("queue", "--data-dir", tmp_path, "--room", "A组", "void", check=False)
    assert result.returncode == 2 and "NUMBER" in result.stderr


def test_bad_arguments_get_clear_errors(tmp_path):
    result = pq("export", "--data-dir", tmp_path / "nowhere", check=False)
    assert result.returncode == 1 and "no such data directory" in result.stderr
    result = pq("scan", "--data-dir", tmp_path, "--room", "A组", "--date", "25/10/2023", "CODE-0001-X", check=False)
    assert result.returncode == 2 and "not a date" in result.stderr


def test_a_code_with_stray_spaces_is_the_same_code(tmp_path):
    lines = [json.loads(x) for x in pq("scan", "--data-dir", tmp_path, "--room", "A组", "CODE000001", "CODE000001 ",
                                       " CODE000001\t").stdout.splitlines()]
    assert [(x["number"], x["reprint"]) for x in lines] == [(1, False), (1, True), (1, True)]


def test_staff_actions_need_an_existing_station_room_and_date(tmp_path):
    pq("scan", "--data-dir", tmp_path, "--room", "A组", "--date", DATE, "CODE-0001-X")
    for args, says in (((tmp_path / "typo", "A组", DATE), "no station database"),
                       ((tmp_path, "B组", DATE), "no queue for B组 on 2023-10-25"),
                       ((tmp_path, "A组", "2023-10-24"), "no queue for A组 on 2023-10-24")):
        result = pq("queue", "--data-dir", args[0], "--room", args[1], "--date", args[2], "status", check=False)
        assert result.returncode != 0 and says in result.stderr, result.stderr
    assert not (tmp_path / "typo").exists()


def test_a_station_is_bound_to_its_room_and_its_key(tmp_path):
    # in processes of their own: a refused scan leaves the data dir's lock taken until its process ends
    pq("scan", "--data-dir", tmp_path, "--room", "A组", "--date", DATE, "CODE-0001-X", process=True)
    result = pq("scan", "--data-dir", tmp_path, "--room", "A 组", "--date", DATE, "CODE-0002-X", check=False, process=True)
    assert result.returncode == 2 and "room 'A组'" in result.stderr
    other_key = tmp_path / "other.key"
    other_key.write_text("cd" * 32)
    result = pq("scan", "--data-dir", tmp_path, "--room", "A组", "--date", DATE, "--key-file", other_key,
                "CODE-0002-X", check=False, process=True)
    assert result.returncode == 2 and "another deployment key" in result.stderr
    (tmp_path / "deployment.key").unlink()  # a station whose key lives elsewhere: no new key is made
    result = pq("scan", "--data-dir", tmp_path, "--room", "A组", "--date", DATE, "CODE-0002-X", check=False, process=True)
    assert result.returncode == 1 and "key file not found" in result.stderr
    assert not (tmp_path / "deployment.key").exists()


def test_class_correction_must_name_a_class_of_the_timetable(tmp_path, timetable_2024):
    pq("scan", "--data-dir", tmp_path, "--room", ROOM, "--date", DATE, "--timetable", timetable_2024, "CODE-0001-X")
    queue = ("queue", "--data-dir", tmp_path, "--room", ROOM, "--date", DATE)
    for bad in (("correct-class", "1", "20财务管理1斑"), ("correct-class", "1")):
        result = pq(*queue, *bad, check=False)
        assert result.returncode == 1 and "no class" in result.stderr
    pq(*queue, "correct-class", "1", "20商务英语A班")
    data = json.loads(pq("export", "--data-dir", tmp_path).stdout)
    assert data["tickets"][0]["class"] == "20商务英语A班"


def test_export_options_are_checked(tmp_path):
    pq("scan", "--data-dir", tmp_path, "--room", "A组", "--date", DATE, "CODE-0001-X")
    pq("export", "--data-dir", tmp_path, "--out", tmp_path / "list.csv", "--lang", "en")
    assert (tmp_path / "list.csv").read_text(encoding="utf-8").startswith("order,room,date,number,code")
    for args, says, status in ((("--out", tmp_path / "nowhere" / "x.json"), "cannot write", 1),
                               (("--report", "makeup"), "--format csv", 2),
                               (("--format", "csv", "--fee", "-5"), "not a fee", 2),
                               (("--out", tmp_path / "x.txt"), "cannot tell the format", 2)):
        result = pq("export", "--data-dir", tmp_path, *args, check=False)
        assert result.returncode == status and says in result.stderr, result.stderr
