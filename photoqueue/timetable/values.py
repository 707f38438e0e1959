"""Cell values as staff write them: times, time ranges, dates, headcounts, titles.

Every parser here returns ``None`` (or raises nothing) for what it cannot read; the importer turns
that into a finding naming the row and the cell. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# Dashes and words staff put between two times: 8:30-8:55, 14:30—14:40, 8:20－8:35, 9:00~9:40, 9:00至9:40.
# NFKC has already turned the full-width forms (－ ～ ：) into ASCII ones.
_RANGE_SEP = r"\s*(?:-|—|–|―|‐|‑|−|~|〜|～|至|到|一)+\s*"
_TIME = r"(\d{1,2})\s*(?::|\.|点)\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?\s*分?|(\d{1,2})\s*点\s*(半)?"
_TIME_RE = re.compile(rf"^(?:{_TIME})$")
_RANGE_RE = re.compile(rf"^(?P<a>.+?){_RANGE_SEP}(?P<b>.+)$")

# A room as titles and file names give it: A组, B 组, 第一组, 第2组, Room A.
ROOM_RE = re.compile(r"(第\s*[一二三四五六七八九十\d]+\s*组|(?<![A-Za-z0-9])[A-Za-z0-9]{1,3}\s*组|"
                     r"\b[Rr]oom\s*[A-Za-z0-9]+\b|\b[Gg]roup\s*[A-Za-z0-9]+\b)")
_LOCATION_RE = re.compile(r"(?:拍摄|采集)?地点\s*[:：]?\s*([^\s,，;；、()（）]+)")
_TOTAL_RE = re.compile(r"[(（]\s*(?:共\s*)?(\d+)\s*人\s*[)）]")
_HALF_DAY_RE = re.compile(r"(上午|下午|晚上|全天)")
_WEEKDAY_RE = re.compile(r"[(（]?\s*(?:周|星期|礼拜)[一二三四五六日天]\s*[)）]?")

_FULL_DATE_RE = re.compile(r"(?<!\d)(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?(?!\d)")
_MONTH_DAY_RE = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?!\d)")
_DAY_RE = re.compile(r"(?<!\d)(\d{1,2})\s*[日号](?!\d)")


def norm(value: object) -> str:
    """NFKC-normalised text of a cell, lines joined, spaces trimmed: what the parsers below read."""
    return clean_text(unicodedata.normalize("NFKC", "" if value is None else str(value)))


def clean_text(value: object) -> str:
    """A cell's text with wrapped lines joined ("行政附楼\\n1号会议室" -> "行政附楼1号会议室").

    Lines join without a space, except between two ASCII letters or digits ("Room\\nA" -> "Room A").
    """
    if value is None:
        return ""
    lines = [ln.strip() for ln in str(value).replace("\r", "\n").split("\n")]
    out = ""
    for ln in lines:
        if not ln:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and ln[0].isascii() and ln[0].isalnum():
            out += " "
        out += ln
    return re.sub(r"[ \t\u3000]+", " ", out).strip()


def name_key(name: str) -> str:
    """The form two class names are compared in: NFKC (so （ and ( match), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def parse_time(value: object) -> dt.time | None:
    """A clock time: "8:30", "08:30:00", "8：30", "8.30", "8点30", "8点半"; Excel times and day fractions."""
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _number_time(float(value))
    m = _TIME_RE.match(norm(value))
    if not m:
        return None
    if m.group(4) is not None:  # 8点 / 8点半
        h, mi, s = int(m.group(4)), 30 if m.group(5) else 0, 0
    else:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return dt.time(h, mi, s)


def _number_time(x: float) -> dt.time | None:
    if 0 <= x < 1:  # Excel keeps a time of day as a fraction of a day
        secs = round(x * 86400)
        return dt.time(secs // 3600 % 24, secs // 60 % 60, secs % 60)
    if 1 <= x < 24:  # "8.30" typed into Excel becomes the number 8.3
        h = int(x)
        mi = round((x - h) * 100)
        return dt.time(h, mi) if mi < 60 else None
    return None


def parse_time_range(value: object) -> tuple[dt.time, dt.time] | None:
    """"8:30-8:55", "14:30—14:40", "8:20－8:35", "9:00~9:40", "9:00至9:40" -> (start, end)."""
    text = norm(value)
    if not text:
        return None
    m = _RANGE_RE.match(text)
    if not m:
        return None
    start, end = parse_time(m.group("a")), parse_time(m.group("b"))
    return (start, end) if start is not None and end is not None else None


def parse_int(value: object) -> int | None:
    """A whole number: 53, "53", "53人", 53.0, " 53 "; ``None`` for anything else ("约50", "", 52.5)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    m = re.fullmatch(r"([+-]?\d+)(?:\.0+)?\s*(?:人|名|位)?", norm(value))
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class PartialDate:
    """A date as written: year and month may be missing ("10月25日", "13日")."""

    day: int
    month: int | None = None
    year: int | None = None

    def __str__(self) -> str:
        if self.year and self.month:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return (f"{self.month}月" if self.month else "") + f"{self.day}日"

    def complete(self, year: int | None, month: int | None) -> dt.date | None:
        y, mo = self.year or year, self.month or month
        if y is None or mo is None:
            return None
        try:
            return dt.date(y, mo, self.day)
        except ValueError:
            return None


def parse_date(value: object) -> PartialDate | None:
    """A date cell: "2023-10-25", "2023/10/25", "2023年10月25日", "10月25日(周三)", "13日\\n上午", Excel dates."""
    if isinstance(value, dt.datetime | dt.date):
        return PartialDate(value.day, value.month, value.year)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_date(float(value))
    text = _HALF_DAY_RE.sub(" ", _WEEKDAY_RE.sub(" ", norm(value))).strip()
    if not text:
        return None
    m = _FULL_DATE_RE.fullmatch(text)
    if m:
        return _checked(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _MONTH_DAY_RE.fullmatch(text)
    if m:
        return _checked(int(m.group(2)), int(m.group(1)), None)
    m = _DAY_RE.fullmatch(text)
    if m:
        return _checked(int(m.group(1)), None, None)
    return None


def _checked(day: int, month: int | None, year: int | None) -> PartialDate | None:
    if not 1 <= day <= 31 or (month is not None and not 1 <= month <= 12):
        return None
    try:
        dt.date(year or 2000, month or 1, day)  # 2000 is a leap year: 2月29日 passes without a year
    except ValueError:
        return None
    return PartialDate(day, month, year)


def _serial_date(x: float) -> PartialDate | None:
    """An Excel serial day number (a date cell without a date format): 45224 -> 2023-10-25."""
    if not x.is_integer() or not 30000 <= x <= 80000:
        return None
    d = dt.date(1899, 12, 30) + dt.timedelta(days=int(x))
    return PartialDate(d.day, d.month, d.year)


def find_date(text: str) -> PartialDate | None:
    """The first date written anywhere inside a title ("（一）10月25日下午 第一组（763人）")."""
    text = norm(text)
    m = _FULL_DATE_RE.search(text)
    if m:
        return _checked(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _MONTH_DAY_RE.search(text)
    if m:
        return _checked(int(m.group(2)), int(m.group(1)), None)
    return None


def find_room(text: str) -> str | None:
    m = ROOM_RE.search(norm(text))
    return re.sub(r"\s+", "", m.group(1)) if m and "组" in m.group(1) else (m.group(1) if m else None)


def find_location(text: str) -> str | None:
    m = _LOCATION_RE.search(norm(text))
    return m.group(1) if m else None


def split_total(text: str) -> tuple[str, int | None]:
    """"职业技术学院（375人）" -> ("职业技术学院", 375): a name with the headcount the notice gives it."""
    text = clean_text(text)
    m = _TOTAL_RE.search(text)
    if not m:
        return text, None
    return _TOTAL_RE.sub("", text).strip(), int(m.group(1))


def fmt_time(t: dt.time | None) -> str:
    if t is None:
        return "?"
    return t.strftime("%H:%M") if not t.second else t.strftime("%H:%M:%S")
