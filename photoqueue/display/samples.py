"""Sample states for previews, tests and the benchmark: a busy room with an alert and a flash."""

from __future__ import annotations

import datetime as dt

from photoqueue.display.model import CurrentClass, DateCheck, DisplayState, Flash, NextClass


def sample_state(
    *,
    current: str = "20财务管理1班",
    upcoming: str = "20商务英语A班",
    alerts: tuple[str, ...] = (),
    flash: Flash | None = None,
    now_serving: int | None = 17,
    date_check: DateCheck | None = None,
) -> DisplayState:
    """A plausible mid-afternoon state of room 第一组 (timetable-2024), with a fixed clock."""
    first = (now_serving or 0) + 1
    return DisplayState(
        room="第一组",
        location="行政附楼1号会议室",
        now_serving=now_serving,
        next=tuple(range(first, first + 6)),
        current_class=CurrentClass(current, done=12, expected=53),
        next_class=NextClass(upcoming, start=dt.time(14, 40), expected=31),
        waiting=8,
        wait_minutes=3.2,
        late_minutes=5,
        clock=dt.time(14, 32, 5),
        alerts=alerts,
        flash=flash,
        date_check=date_check,
    )
