"""A finding: one problem in a timetable, on one row, as ``timetable check`` reports it."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    row: int  # the sheet row (header = row 1 in a plain file); 0 when about the whole file
    severity: str  # ERROR or WARNING
    rule: str
    message: str  # "English / 中文"
    sheet: str = ""  # set when the workbook has more than one sheet

    def to_dict(self) -> dict:
        d = {"row": self.row, "severity": self.severity, "rule": self.rule, "message": self.message}
        if self.sheet:
            d["sheet"] = self.sheet
        return d

    @property
    def sort_key(self) -> tuple:
        return (self.sheet, self.row, self.severity != ERROR, self.rule)
