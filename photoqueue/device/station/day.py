"""Which day a station numbers, and that day's timetable for its room, from its config.

Apart from build, so diagnose and the gate's check (which build runs at start) can ask the same
question without importing build.
"""

from __future__ import annotations

import datetime as dt

from photoqueue.device.station.config import Config


def session_date(config: Config, clock) -> str:
    """[station] date, else the clock's date when it is plausible (see ``resolve_date``)."""
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.session import resolve_date

    if config.station.date:
        return resolve_date(None, config.station.room, config.station.date, clock.now().date())
    planned = None
    if config.station.timetable:
        from photoqueue.timetable import load_timetable

        timetable = load_timetable(config.station.timetable)
        planned = [s.date for s in timetable.slots if s.room == config.station.room]
    path = db_path(config.station.data_dir)
    store = EventStore(path, create=False) if path.exists() else None
    try:
        return resolve_date(store, config.station.room, None, clock.now().date(), planned)
    finally:
        if store is not None:
            store.close()


def load_room_day(config: Config, date: str):
    if not config.station.timetable:
        return None
    from photoqueue.timetable import load_timetable

    return load_timetable(config.station.timetable).room_day(config.station.room, dt.date.fromisoformat(date))
