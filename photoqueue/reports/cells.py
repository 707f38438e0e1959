"""Spreadsheet cells that are data, never code.

A collection code is opaque: it may begin with any character (base64 codes can begin with ``+``), and a
class or room name comes from a timetable someone typed. Excel, WPS and LibreOffice run a cell that begins
with ``=``, ``+``, ``-`` or ``@`` as a formula (and a leading tab or CR hides such a start), so a code like
``=WEBSERVICE(...)`` could send the whole column out when the agency opens the list. Nothing is refused on
the way in; every export escapes on the way out, here, in one place:

- CSV: such a cell gets a leading apostrophe (the escape spreadsheet programs expect and hide); the csv
  module then quotes it where needed.
- xlsx: the exact text is kept, stored as a text cell with Excel's "quote prefix" style, so it is neither a
  formula in the file nor turned into one when someone edits the cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell that cannot run: text that a spreadsheet would read as a formula is
    escaped with a leading apostrophe; numbers, empty cells and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """Append ``values`` to an openpyxl worksheet as data: what :func:`safe_cell` would escape is written as
    its exact text in a text cell with the quote-prefix style (openpyxl would otherwise store a formula)."""
    values = list(values)
    ws.append([safe_cell(v) for v in values])
    for cell, value in zip(ws[ws.max_row], values, strict=False):
        if safe_cell(value) is not value:
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True
