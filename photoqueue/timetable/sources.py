"""Files into grids of cells: CSV (UTF-8, UTF-16, GBK; comma, tab or semicolon) and XLSX.

A grid is a list of rows, each a list of cell values (str for CSV; str, int, float, date, time for
XLSX). A cell inside an XLSX merged range, below its first row, holds :data:`CARRY`: "the value of
the cell above", which is how a date or a college written once for several rows reaches each row.
Other cells of a merged range are empty.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from photoqueue.timetable.errors import TimetableError


class _Carry:
    def __repr__(self) -> str:
        return "CARRY"


CARRY = _Carry()


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]  # rows[i] is the sheet's row i + 1
    notes: list[str] = field(default_factory=list)
    titled: bool = False  # the name is a sheet's (a title staff gave it), not a CSV file's

    @property
    def is_empty(self) -> bool:
        return not any(not blank(v) for row in self.rows for v in row)


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheets(path: str | Path) -> list[Sheet]:
    """The sheets of a timetable file, by its content (not only its name)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TimetableError(f"{path}: no such file / 找不到时间表文件") from None
    except IsADirectoryError:
        raise TimetableError(f"{path}: is a directory, not a timetable file / 这是目录，不是时间表文件") from None
    except OSError as exc:
        raise TimetableError(f"{path}: cannot read ({exc.strerror}) / 无法读取文件") from None
    if data.startswith(b"PK\x03\x04"):
        return _read_zip(path, data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TimetableError(f"{path}: an old Excel .xls (or Word .doc) file; save it as .xlsx or CSV "
                             "/ 旧版 .xls 格式，请另存为 .xlsx 或 CSV")
    return [_read_csv(path, data)]


def _read_zip(path: Path, data: bytes) -> list[Sheet]:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        raise TimetableError(f"{path}: a damaged XLSX (zip) file / XLSX 文件已损坏") from None
    if any(n.startswith("word/") for n in names):
        raise TimetableError(f"{path}: a Word document; copy its table into Excel and save as .xlsx "
                             "/ 这是 Word 文档，请把表格复制到 Excel 并保存为 .xlsx")
    if not any(n.startswith("xl/") for n in names):
        raise TimetableError(f"{path}: a zip file that is not an Excel workbook / 不是 Excel 工作簿")
    return read_xlsx(path, data)


# An XLSX is a zip: a 1.5 MB file can hold a sheet that inflates to 1.5 GB (and openpyxl holds every cell of
# it). A real timetable's sheet is a few MB at most; each part's and the whole's uncompressed size is checked
# from the zip's directory before anything is parsed (zipfile never inflates a part past its stated size).
XLSX_PART_MAX = 16 * 1024 * 1024
XLSX_TOTAL_MAX = 48 * 1024 * 1024
XLSX_PARTS_MAX = 2000


def check_xlsx_size(path: Path, data: bytes) -> None:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise TimetableError(f"{path}: a damaged XLSX (zip) file / XLSX 文件已损坏") from None
    mb = 1024 * 1024
    if len(infos) > XLSX_PARTS_MAX:
        raise TimetableError(f"{path}: {len(infos)} parts in this workbook, at most {XLSX_PARTS_MAX} "
                             "/ 工作簿内部文件过多，不像是时间表")
    for info in infos:
        if info.file_size > XLSX_PART_MAX:
            raise TimetableError(f"{path}: {info.filename} unpacks to {info.file_size / mb:.0f} MB, at most "
                                 f"{XLSX_PART_MAX // mb} MB / 工作表解压后过大（{info.file_size / mb:.0f} MB），"
                                 "不像是时间表")
    total = sum(i.file_size for i in infos)
    if total > XLSX_TOTAL_MAX:
        raise TimetableError(f"{path}: the workbook unpacks to {total / mb:.0f} MB, at most {XLSX_TOTAL_MAX // mb} "
                             f"MB / 工作簿解压后过大（{total / mb:.0f} MB），不像是时间表")


def read_xlsx(path: Path, data: bytes) -> list[Sheet]:
    check_xlsx_size(path, data)  # before openpyxl: the sizes first
    try:
        import openpyxl  # only XLSX files need it; a station (photoqueue[station]) does not carry it
    except ImportError:
        raise TimetableError(f"{path}: this machine reads CSV timetables only (openpyxl is not installed); "
                             "save the sheet as CSV (UTF-8), or install photoqueue[central] "
                             "/ 本机只读 CSV 时间表：请在 Excel 中另存为 CSV (UTF-8)") from None

    try:
        # data_only: a formula cell gives the value Excel last computed (a 小计 written as =SUM(...)).
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise TimetableError(f"{path}: cannot read this workbook ({type(exc).__name__}: {exc}) "
                             "/ 无法读取此 Excel 文件") from None
    sheets = []
    for ws in book.worksheets:
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) == (rng.min_row, rng.min_col):
                        continue
                    rows[r - 1][c - 1] = CARRY if c == rng.min_col else None
        sheets.append(Sheet(ws.title, _trim(rows), titled=True))
    return sheets


def _trim(rows: list[list[object]]) -> list[list[object]]:
    while rows and all(blank(v) for v in rows[-1]):
        rows.pop()
    width = max((i + 1 for row in rows for i, v in enumerate(row) if not blank(v)), default=0)
    return [list(row[:width]) + [None] * (width - len(row)) for row in rows]


def _read_csv(path: Path, data: bytes) -> Sheet:
    notes = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")  # Excel's "Unicode text" export
        except UnicodeDecodeError:  # found by fuzzing: a UTF-16 mark on bytes that are not UTF-16
            raise TimetableError(f"{path}: starts like UTF-16 text but is not / 文件不是有效的 UTF-16 文本") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")  # GBK and its superset: what Chinese Excel saves CSV as
                notes.append("read as GBK (GB18030) text / 按 GBK 编码读取")
            except UnicodeDecodeError:
                raise TimetableError(f"{path}: neither UTF-8 nor GBK text / 文件编码既不是 UTF-8 也不是 GBK") from None
    if "\x00" in text:
        raise TimetableError(f"{path}: binary data, not a CSV text file / 不是 CSV 文本文件")
    sample = text.splitlines()[:30]
    delimiter = max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in sample))
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise TimetableError(f"{path}: not valid CSV ({exc}) / CSV 格式错误") from None
    return Sheet(path.stem, _trim(rows), notes)
