"""The records reconcile works on and returns. Times are seconds since the session date's midnight:
station times by the station's clock, photo times by the camera's until the clock estimate maps them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PRESS, SKIP, VOID, OPEN = "press", "skip", "void", "open"


@dataclass(frozen=True)
class Turn:
    """One time a number was called, until it left: the press that marked it photographed, a skip, a
    void; ``end`` None while it is still called (the live mode's current student)."""

    number: int
    start: float
    end: float | None
    outcome: str  # press | skip | void | open
    undone: tuple[float, ...] = ()  # presses that ended it and were undone (a hold of the button)

    def contains(self, t: float) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


@dataclass(frozen=True)
class Photo:
    """One camera file: ``taken`` by the camera's clock; ``source`` says where that time came from."""

    file: str
    taken: dt.datetime
    source: str = "exif"  # exif | file time


@dataclass(frozen=True)
class Assignment:
    file: str
    taken: str  # ISO, camera clock
    number: int | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "taken": self.taken, "number": self.number, "confidence": self.confidence}


@dataclass(frozen=True)
class Finding:
    kind: str
    number: int | None
    files: tuple[str, ...]
    message: str  # Chinese first, then English, as staff read it on the screen
    # a stretch (kind ``shifted``): the last student in it, and the screen's number minus the student's place
    # (-1: each photo was taken while the screen showed the number after its student's)
    last: int | None = None
    shift: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, "number": self.number, "files": list(self.files), "message": self.message}
        if self.kind == "shifted":
            d.update(last=self.last, shift=self.shift)
        return d


# Findings that mean photos and numbers disagree (the others are about files or are informational).
MISALIGNMENTS = frozenset({"missing_press", "extra_press", "empty_press", "two_students", "photos_for_skipped",
                           "shifted"})


@dataclass
class Reconciliation:
    room: str
    date: str
    camera_offset_s: float | None  # station clock minus camera clock, at the day's middle
    drift_s: float = 0.0  # how much the offset changed from the first photo to the last
    photos: list[Assignment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    shift: int = 0  # live: the line ahead of the screen (+) or the screen ahead of the line (-) now
    live: list[str] = field(default_factory=list)  # what the hall screen should say now (live mode)

    def to_dict(self) -> dict[str, Any]:
        return {"room": self.room, "date": self.date,
                "camera_offset_s": None if self.camera_offset_s is None else round(self.camera_offset_s, 1),
                "camera_drift_s": round(self.drift_s, 1),
                "photos": [p.to_dict() for p in self.photos],
                "findings": [f.to_dict() for f in self.findings]}

    def by_number(self) -> dict[int, list[Assignment]]:
        out: dict[int, list[Assignment]] = {}
        for p in self.photos:
            if p.number is not None:
                out.setdefault(p.number, []).append(p)
        return out
