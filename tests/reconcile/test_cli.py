"""`photoqueue reconcile` as a process, on a real station database and a folder of real JPEGs with EXIF
times written by Pillow; and the folder's foreign, broken and timeless files."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session
from photoqueue.reconcile.photos import read_folder, write_jpeg

ROOM, DATE = "第一组", "2024-06-12"
START = dt.datetime(2024, 6, 12, 9, 0, 0)
CAMERA_OFFSET = dt.timedelta(seconds=-250)  # the camera runs 250 s fast: camera = station + 250 s


def pq(*args):
    result = subprocess.run([sys.executable, "-m", "photoqueue", *map(str, args)], capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def shoot(folder, when: dt.datetime, n: int, counter: list[int]) -> None:
    for i in range(n):
        counter[0] += 1
        write_jpeg(folder / "DCIM" / "100CANON" / f"IMG_{counter[0]:04d}.JPG",
                   when + dt.timedelta(seconds=1.4 * i) - CAMERA_OFFSET)


@pytest.fixture(scope="module")
def station_day(tmp_path_factory):
    """30 students; the photographer forgets the press after number 12 and never notices."""
    root = tmp_path_factory.mktemp("day")
    data, photos = root / "station", root / "photos"
    session = Session(EventStore(db_path(data)), ROOM, DATE, Rules(digest_key=b"k" * 32))
    for i in range(1, 31):
        session.scan(f"CODE-{i:04d}", START)
    counter, t = [0], START + dt.timedelta(seconds=30)
    truth = {}
    student = 1
    for _ in range(29):
        for extra in ((0, 1) if student == 12 else (0,)):
            t += dt.timedelta(seconds=5)
            shots = 1 + (student + extra) % 3
            shoot(photos, t, shots, counter)
            for i in range(counter[0] - shots + 1, counter[0] + 1):
                truth[f"DCIM/100CANON/IMG_{i:04d}.JPG"] = student + extra
            t += dt.timedelta(seconds=1.4 * shots + 1.5)
        student += 2 if student == 12 else 1
        session.handle(cmd.Advance(), t)
    session.store.close()
    return data, photos, truth


def test_json_names_the_forgotten_press_and_keeps_photos_on_their_students(station_day):
    data, photos, truth = station_day
    result = pq("reconcile", "--data-dir", data, "--room", ROOM, "--photos", photos, "--json")
    assert result.returncode == 1  # a misalignment: the exit status says so, like timetable check
    out = json.loads(result.stdout)
    assert set(out) >= {"room", "date", "camera_offset_s", "photos", "findings"}
    assert out["room"] == ROOM and out["date"] == DATE
    assert abs(out["camera_offset_s"] - CAMERA_OFFSET.total_seconds()) <= 3
    assert [(f["kind"], f["number"]) for f in out["findings"]] == [("missing_press", 12), ("shifted", 13)]
    assert "12 号之后少了一次按键" in out["findings"][0]["message"]
    # the stretch since: each photo under the screen's number belongs to the number after, still now
    stretch = out["findings"][1]
    assert (stretch["last"], stretch["shift"]) == (30, 1) and "各属后一号，即 13–30 号同学的照片" in stretch["message"]
    assert {p["file"]: p["number"] for p in out["photos"]} == truth
    assert set(out["photos"][0]) == {"file", "taken", "number", "confidence"}


def test_xlsx_for_the_agency_has_chinese_headers_codes_and_files(station_day, tmp_path):
    from openpyxl import load_workbook

    data, photos, truth = station_day
    out = tmp_path / "agency.xlsx"
    pq("reconcile", "--data-dir", data, "--room", ROOM, "--date", DATE, "--photos", photos, "--out", out)
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[2]][:4] == ["拍摄号", "采集码", "照片文件", "照片数"]
    assert "备注" in [c.value for c in ws[2]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows[13][1] == "CODE-0013"
    assert rows[13][2] == "、".join(sorted(f for f, n in truth.items() if n == 13))
    assert "少了一次按键" in rows[12][5]
    assert [c.value for c in wb["核对发现"][1]] == ["类型", "拍摄号", "照片文件", "说明"]


def test_text_summary_and_clear_errors(station_day, tmp_path):
    data, photos, _ = station_day
    text = pq("reconcile", "--data-dir", data, "--room", ROOM, "--photos", photos)
    assert "missing_press" in text.stdout and "camera clock" in text.stdout
    wrong_room = pq("reconcile", "--data-dir", data, "--room", "B组", "--photos", photos)
    assert wrong_room.returncode == 2 and "B组" in wrong_room.stderr
    no_folder = pq("reconcile", "--data-dir", data, "--room", ROOM, "--photos", tmp_path / "nope")
    assert no_folder.returncode != 0 and "no such photo folder" in no_folder.stderr
    (tmp_path / "empty").mkdir()
    empty = pq("reconcile", "--data-dir", data, "--room", ROOM, "--photos", tmp_path / "empty")
    assert empty.returncode == 2 and "no photo" in empty.stderr
    wrong_date = pq("reconcile", "--data-dir", data, "--room", ROOM, "--date", "2024-06-13", "--photos", photos)
    assert wrong_date.returncode == 2 and "2024-06-12" in wrong_date.stderr


def test_foreign_unreadable_timeless_and_other_day_files_get_messages_not_a_crash(station_day, tmp_path):
    data, photos, truth = station_day
    mixed = tmp_path / "mixed"
    for f in photos.rglob("*.JPG"):
        (mixed / f.relative_to(photos)).parent.mkdir(parents=True, exist_ok=True)
        (mixed / f.relative_to(photos)).write_bytes(f.read_bytes())
    (mixed / "readme.txt").write_text("not a photo")
    (mixed / "IMG_BROKEN.JPG").write_bytes(b"\xff\xd8\xff\xe0 half a file")
    (mixed / "._IMG_0001.JPG").write_bytes(b"macOS resource fork")  # hidden: ignored
    from PIL import Image

    Image.new("RGB", (32, 32)).save(mixed / "NOEXIF.jpg")
    (mixed / "RAW_0001.CR2").write_bytes(b"II*\x00 not really a raw")
    write_jpeg(mixed / "OLD.JPG", dt.datetime(2023, 5, 1, 10, 0, 0))
    result = pq("reconcile", "--data-dir", data, "--room", ROOM, "--photos", mixed, "--json")
    out = json.loads(result.stdout)
    kinds = {f["kind"]: f for f in out["findings"]}
    assert kinds["not_photo"]["files"] == ["readme.txt"]
    assert kinds["unreadable"]["files"] == ["IMG_BROKEN.JPG"]
    assert set(kinds["no_exif"]["files"]) == {"NOEXIF.jpg", "RAW_0001.CR2"}
    assert "OLD.JPG" in kinds["other_day"]["files"]
    assert ("missing_press", 12) in {(f["kind"], f["number"]) for f in out["findings"]}
    assert {p["file"]: p["number"] for p in out["photos"] if p["file"] in truth} == truth


def test_read_folder_reads_sub_seconds_in_order(tmp_path):
    t = dt.datetime(2024, 6, 12, 9, 0, 0)
    write_jpeg(tmp_path / "b.JPG", t + dt.timedelta(seconds=0.25))
    write_jpeg(tmp_path / "a.JPG", t + dt.timedelta(seconds=0.75))
    photos, problems = read_folder(tmp_path)
    assert problems == []
    assert {p.file: p.taken.microsecond for p in photos} == {"a.JPG": 750000, "b.JPG": 250000}
