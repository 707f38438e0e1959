"""A hostile workbook: a small XLSX whose sheet inflates to hundreds of MB is refused from the zip's
directory, before openpyxl parses anything, by `photoqueue timetable check` and `photoqueue central
load-timetable` alike, with a message and an exit status, no traceback."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from photoqueue.timetable import sources
from photoqueue.timetable.errors import TimetableError

SHEET_MB = 64


def bomb(path: Path) -> Path:
    """A valid-looking workbook whose one sheet is SHEET_MB MB of rows, compressed to well under 1 MB."""
    book = openpyxl.Workbook()
    book.active.append(["date", "room", "class", "headcount"])
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, body in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                z.writestr(name, body)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            chunk = row * 1024
            for _ in range(SHEET_MB * 1024 * 1024 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory) -> Path:
    path = bomb(tmp_path_factory.mktemp("bomb") / "timetable.xlsx")
    assert path.stat().st_size < 2 * 1024 * 1024
    return path


def test_a_sheet_that_inflates_past_the_limit_is_refused_before_parsing(bomb_file, monkeypatch):
    def never(*_a, **_k):
        raise AssertionError("openpyxl was asked to parse the bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(TimetableError, match="解压后过大"):
        sources.read_sheets(bomb_file)


@pytest.mark.parametrize("command", [["timetable", "check"], ["central", "load-timetable", "--db", "DB"]])
def test_the_commands_refuse_it_with_a_message(bomb_file, tmp_path, command):
    args = [a.replace("DB", f"sqlite:///{tmp_path / 'c.db'}") for a in command]
    r = subprocess.run([sys.executable, "-m", "photoqueue", *args, str(bomb_file)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "解压后过大" in out and "Traceback" not in out


def test_a_real_workbook_still_reads(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["日期", "组别", "班级", "人数"])
    book.active.append(["2024-06-20", "第一组", "20财务1班", 40])
    path = tmp_path / "ok.xlsx"
    book.save(path)
    sheets = sources.read_sheets(path)
    assert sheets[0].rows[1][2] == "20财务1班"
