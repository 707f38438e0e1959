"""Read a timetable file into the model: ``load_timetable(path) -> Timetable``.

The format is told by the content: XLSX (a zip workbook) or CSV text in UTF-8, UTF-16 or GBK. The
importer (:mod:`.importer`) reads headers in Chinese or English, merged cells, title rows and subtotal
rows; this function refuses a file with any row it cannot turn into a class slot (a malformed date or
time, a missing class name or headcount), naming the row and the problem. What is readable but wrong
(overlaps, a slot that ends before it starts, an impossible pace) loads; ``photoqueue timetable check``
reports it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from photoqueue.timetable.errors import TimetableError
from photoqueue.timetable.importer import ImportOptions, parse_file
from photoqueue.timetable.model import Timetable

__all__ = ["TimetableError", "load_timetable"]


def load_timetable(path: str | Path, *, year: int | None = None, date: dt.date | None = None,
                   room: str | None = None) -> Timetable:
    """The timetable in ``path``; raises :class:`TimetableError` with a message for a person.

    ``year`` completes dates written without one ("10月25日"); ``date`` is the day of a file that gives
    none (and the month of "13日"); ``room`` names the room of a file without a room column (default:
    a room in a title above the table, else the file name, e.g. "A组.csv" -> "A组").
    """
    result = parse_file(path, ImportOptions(year=year, date=date, room=room))
    bad = sorted({r.row: r for r in result.rows if not r.ok}.values(), key=lambda r: (r.sheet, r.row))
    if bad:
        first = bad[0]
        message = next((f.message for f in result.findings if f.row == first.row and f.sheet == first.sheet),
                       "unreadable row / 无法读取")
        where = Path(path).name + (f" [{first.sheet}]" if first.sheet else "")
        more = f" (and {len(bad) - 1} more unreadable rows / 另有 {len(bad) - 1} 行无法读取)" if len(bad) > 1 else ""
        raise TimetableError(f"{where} row {first.row}: {message}{more}; run `photoqueue timetable check` "
                             "for every problem", row=first.row, rule="row", sheet=first.sheet)
    return Timetable.of(result.slots(), source=str(path))
