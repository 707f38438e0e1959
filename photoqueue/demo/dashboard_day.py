"""A believable collection day in progress, for the dashboard's screenshots and local trials: a timetable
moved onto today so that its first class started ``started_min`` minutes ago, each room's station data
made by the real queue core at simulated times (some rooms faster than their slots, one behind, a few
no-shows and a void), registered at a central store and synced through the real sync client.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

from photoqueue.core import commands as cmd
from photoqueue.timetable import Timetable, load_timetable

PACES_S = (22.0, 34.0, 15.0)  # one room on time, one behind, one ahead (then waiting for its slots)


def shifted_timetable(path: str | Path, now: dt.datetime, started_min: float = 50.0) -> Timetable:
    """The timetable's first day, moved to ``now``'s date and shifted so its first class began
    ``started_min`` minutes before ``now``; its later days follow at the same distance (tomorrow, ...) and
    keep their times of day."""
    source = load_timetable(path)
    day = source.dates[0]
    first = min(s.start_at for s in source.slots if s.date == day and s.start_at)
    delta = (now - dt.timedelta(minutes=started_min)).replace(second=0, microsecond=0) - first.replace(
        year=now.year, month=now.month, day=now.day)

    def move(t: dt.time | None) -> dt.time | None:
        return (dt.datetime.combine(now.date(), t) + delta).time() if t else None

    def moved(s):
        if s.date != day:  # later days keep their times: only today is shifted to be under way
            return dataclasses.replace(s, date=now.date() + (s.date - day))
        return dataclasses.replace(s, date=now.date(), start=move(s.start), end=move(s.end))

    return Timetable.of((moved(s) for s in source.slots), source=str(path))


def simulate_room(data_dir: Path, timetable: Timetable, room: str, now: dt.datetime, pace_s: float,
                  key: bytes, rng: random.Random) -> None:
    """One room's station data up to ``now``: scans, presses, a few no-shows, class switches."""
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.session import Session

    room_day = timetable.room_day(room, now.date())
    store = EventStore(db_path(data_dir))
    session = Session(store, room, now.date().isoformat(), Rules(digest_key=key))
    t = room_day.classes[0].start_at - dt.timedelta(minutes=5)
    session.load_timetable(room_day, t)
    issued = 0
    for slot in room_day.classes:
        t = max(t, slot.start_at - dt.timedelta(minutes=2))
        if t >= now:
            break
        if session.state.active_class != slot.name:
            session.handle(cmd.SwitchClass(slot.name), t)
        present = slot.headcount - rng.randint(0, 3)
        for k in range(present):
            if t >= now:
                break
            issued += 1
            session.scan(f"DEMO{room}{issued:05d}{rng.randrange(10**6):06d}", t)
            if k >= 4:  # a few wait in line; the photographer keeps pace behind them
                if rng.random() < 0.03:
                    session.handle(cmd.Skip(), t)
                else:
                    session.handle(cmd.Advance(), t)
                t += dt.timedelta(seconds=pace_s * rng.uniform(0.6, 1.4))
        while t < now and (session.state.called is not None or session.state.waiting):
            session.handle(cmd.Advance(), t)
            t += dt.timedelta(seconds=pace_s * rng.uniform(0.6, 1.4))
    if session.state.waiting:
        session.handle(cmd.Void(session.state.waiting[-1], "重复取号"), now - dt.timedelta(seconds=20))
    store.close()


def make_day(workdir: str | Path, db_url: str, timetable_path: str | Path, *, now: dt.datetime | None = None,
             seed: int = 7) -> dict[str, tuple[Path, str]]:
    """Build the day under ``workdir``; returns room -> (station data dir, station token). Also creates
    the staff account ``office`` / ``office-pass``."""
    from photoqueue.central import admin
    from photoqueue.central.dashboard.settings import DashboardSettings
    from photoqueue.central.store import CentralStore

    # the centre reads the day in the deployment's time zone, whatever this machine's clock says
    now = now or DashboardSettings().now().replace(microsecond=0)
    timetable = shifted_timetable(timetable_path, now)
    rng = random.Random(seed)
    key = bytes(range(32))
    with CentralStore(db_url, pool_size=1) as store:
        store.set_timetable(timetable)
    admin.add_user(db_url, "office", "office-pass")
    out = {}
    for i, room in enumerate(timetable.rooms):
        data_dir = Path(workdir) / f"station-{i + 1}"
        simulate_room(data_dir, timetable, room, now, PACES_S[i % len(PACES_S)], key, rng)
        out[room] = (data_dir, admin.add_station(db_url, room, label=f"pi-{i + 1}"))
    return out


def sync_all(stations: dict[str, tuple[Path, str]], base_url: str, health: dict[str, dict] | None = None) -> None:
    """Send every station's outbox to the centre through the real sync client."""
    from photoqueue.device.store.events import db_path
    from photoqueue.device.sync.client import SyncClient

    for room, (data_dir, token) in stations.items():
        report = (health or {}).get(room, {"printer": "ok", "camera_frames": 1200})
        client = SyncClient(db_path(data_dir), base_url, token, room=room, health=lambda r=report: r)
        try:
            while True:
                result = client.sync_once()
                if not result.ok or not result.pending:
                    break
        finally:
            client.stop()
