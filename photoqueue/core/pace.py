"""The photographer's measured pace: how long a student really takes, from the photos' times.

Shared by the queue (the expected wait on screen and ticket), the timetable plan and the dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# The one working pace before a room has measured its own: the 2024 notice's 53 students in a 10-minute
# slot. `timetable check` calls a slot tight below it, `timetable plan` plans at it, and the screen's and
# the ticket's expected wait use it, so no two of them disagree on what a room can do.
WORKING_PACE_S = 11.0


def measure_pace(photographed_at: Iterable[dt.datetime], max_gap_s: float = 120.0,
                 ready_at: Iterable[dt.datetime | None] | None = None) -> tuple[float | None, int]:
    """The mean seconds a student takes, and how many samples it rests on ((None, 0) without any).

    Without ``ready_at``: the time between consecutive photos. With ``ready_at`` (aligned with
    ``photographed_at``: when each student was in line, the ticket's issue time), each photo counts from
    when the photographer could start on that student, the later of the previous photo and the student's
    arrival; so a photographer idle for want of students does not look slow. Samples over ``max_gap_s``
    (a break, a class not there yet) are left out.
    """
    stamps = list(photographed_at)
    ready = list(ready_at) if ready_at is not None else [None] * len(stamps)
    pairs = sorted(zip(stamps, ready, strict=True), key=lambda p: p[0])
    samples, previous = [], None
    for shot, arrived in pairs:
        begins = [t for t in (previous, arrived) if t is not None]
        if begins:
            samples.append((shot - max(begins)).total_seconds())
        previous = shot
    kept = [g for g in samples if 0 <= g <= max_gap_s]
    return (sum(kept) / len(kept) if kept else None), len(kept)
