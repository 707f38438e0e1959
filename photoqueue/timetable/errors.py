"""The timetable layer's one exception class."""

from __future__ import annotations

from photoqueue.errors import PhotoqueueError


class TimetableError(PhotoqueueError):
    """A timetable that cannot be read: names the file, the row or column, and the problem.

    ``row`` is the sheet row the problem is on (0: the whole file); ``rule`` names the kind of problem
    the way ``timetable check`` reports it ("file", "columns", or a row rule such as "malformed-time").
    """

    def __init__(self, message: str, *, row: int = 0, rule: str = "file", sheet: str = "",
                 exit_status: int | None = None):
        super().__init__(message, exit_status=exit_status)
        self.row = row
        self.rule = rule
        self.sheet = sheet
