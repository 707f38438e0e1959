"""Timetable test helpers: CSV writers and XLSX workbooks laid out the way the two notices print them.

The workbooks are generated from the shared CSVs, so "the XLSX imports to the same model as its CSV"
compares a staff-style layout (title rows, merged dates and colleges, 拍摄时间 ranges, 小计 rows)
against the plain transcription.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

HEADER = "date,room,location,start,end,college,class_name,headcount"


def read_csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _hm(text: str) -> str:
    h, m = text.split(":")
    return f"{int(h)}:{m}"  # the notices write 8:30, not 08:30


def notice_2021_xlsx(rows: list[dict], out: Path, *, subtotal_delta: int = 0, college_delta: int = 0) -> Path:
    """The 2021 notice: a title with the date, then per room a "A组，拍摄地点：…" line, a header
    时间段 | 拍摄时间 | 二级学院 | 人数 | 班级 (备注 for C组, as printed), "13日 上午/下午" merged down,
    colleges merged down with "（375人）", and a 小计 row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "安排表"
    ws.append(["丽水学院2021届毕业生图像信息采集时间安排表（2020年9月13日）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    for room, group in itertools.groupby(rows, key=lambda r: r["room"]):
        group = list(group)
        ws.append([])
        ws.append([f"{room}，拍摄地点：{group[0]['location']}"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
        ws.append(["时间段", "拍摄时间", "二级学院", "人数", "备注" if room == "C组" else "班级"])
        first = ws.max_row + 1
        for r in group:
            ws.append([None, f"{_hm(r['start'])}-{_hm(r['end'])}", None, int(r["headcount"]), r["class_name"]])
        # 时间段: "13日\n上午" over the morning rows, "13日\n下午" over the afternoon ones
        halves = itertools.groupby(enumerate(group), key=lambda ir: int(ir[1]["start"][:2]) < 12)
        for morning, part in halves:
            idx = [i for i, _ in part]
            ws.cell(first + idx[0], 1, "13日\n上午" if morning else "13日\n下午")
            if len(idx) > 1:
                ws.merge_cells(start_row=first + idx[0], start_column=1, end_row=first + idx[-1], end_column=1)
        delta = college_delta
        for college, part in itertools.groupby(enumerate(group), key=lambda ir: ir[1]["college"]):
            idx = [i for i, _ in part]
            total = sum(int(group[i]["headcount"]) for i in idx)
            label = f"{college}\n（{total + delta}人）" if len(idx) > 1 else college
            delta = 0  # only the first college block of each room gets the wrong total
            ws.cell(first + idx[0], 3, label)
            if len(idx) > 1:
                ws.merge_cells(start_row=first + idx[0], start_column=3, end_row=first + idx[-1], end_column=3)
        ws.append([None, None, "小计", sum(int(r["headcount"]) for r in group) + subtotal_delta, None])
    wb.save(out)
    return out


_SEPARATORS = ("—", "－", "~", "-")


def notice_2024_xlsx(rows: list[dict], out: Path) -> Path:
    """The 2024 notice: per section a "（一）10月25日下午   第一组（763人）" title, the colleges in
    brackets, a header 拍摄时段 | 拍摄班级 | 人数 | 拍摄地点, ranges written "14:30—14:40" (and with the
    other dashes staff use), and the location merged down as "行政附楼\\n1号会议室". No year anywhere."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件3：    2024届各班级图像采集时间安排表"])
    numerals = "一二三四五六七八九十"
    sections = itertools.groupby(rows, key=lambda r: (r["date"], r["room"], int(r["start"][:2]) < 12))
    for n, ((date, room, morning), group) in enumerate(sections):
        group = list(group)
        total = sum(int(r["headcount"]) for r in group)
        _, month, day = date.split("-")
        ws.append([f"（{numerals[n]}）{int(month)}月{int(day)}日{'上午' if morning else '下午'}   {room}（{total}人）"])
        ws.append(["（经管、建工、资化、艺设、海外）"])
        ws.append(["拍摄时段", "拍摄班级", "人数", "拍摄地点"])
        first = ws.max_row + 1
        for i, r in enumerate(group):
            sep = _SEPARATORS[i % len(_SEPARATORS)]
            ws.append([f"{_hm(r['start'])}{sep}{_hm(r['end'])}", r["class_name"], int(r["headcount"]), None])
        ws.cell(first, 4, r["location"].replace("附楼", "附楼\n"))
        ws.merge_cells(start_row=first, start_column=4, end_row=ws.max_row, end_column=4)
        ws.append([])
    wb.save(out)
    return out


@pytest.fixture
def csv_lines():
    """Write a small CSV from lines; the header is the shared files' unless the first line is given."""

    def make(tmp: Path, *lines: str, name: str = "t.csv", encoding: str = "utf-8", header: str = HEADER) -> Path:
        return write_csv(tmp / name, ([header] if header else []) + list(lines), encoding)

    return make


@pytest.fixture
def notices():
    """The notice-style workbook builders: ``notices.read(csv)``, ``notices.x2021(rows, out, ...)``,
    ``notices.x2024(rows, out)``."""
    from types import SimpleNamespace

    return SimpleNamespace(read=read_csv_rows, x2021=notice_2021_xlsx, x2024=notice_2024_xlsx)
