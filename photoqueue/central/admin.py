"""Administration in code: what the ``photoqueue central ...`` commands do, for the demo and tests.

    from photoqueue.central.admin import add_station
    token = add_station("sqlite:///data/central.db", "第一组")

Each call opens the store (creating and migrating it when needed) and closes it again.
"""

from __future__ import annotations

from pathlib import Path

from photoqueue.central import accounts, roomdays
from photoqueue.central.store import CentralStore


def add_station(db_url: str, room: str, label: str = "") -> str:
    """Register a station for ``room``; returns its token (kept only hashed: this is the one copy)."""
    with CentralStore(db_url, pool_size=1) as store:
        return accounts.add_station(store.db, room, label)[1]


def station_room_problem(db_url: str, room: str) -> tuple[str | None, bool]:
    """(why ``room`` does not fit the timetable held at the centre, or None; whether one is held at all).
    Without a held timetable nothing can be checked: that itself is the warning."""
    from photoqueue.timetable.fit import room_problem

    with CentralStore(db_url, pool_size=1) as store:
        timetable = store.timetable()
    if not timetable.slots:
        return (f"no timetable is held at the centre yet, so room {room!r} could not be checked "
                "(`photoqueue central load-timetable FILE` first) / 中心还没有时间表，无法核对拍摄组"), False
    return room_problem(timetable, room), True


def timetable_findings(path: str | Path) -> list[str]:
    """Each room's day checked by the one rule the stations and the demo apply
    (:func:`photoqueue.timetable.fit.day_warnings`): warning lines for a file about to be held."""
    from photoqueue.timetable import load_timetable as read
    from photoqueue.timetable.fit import day_warnings

    timetable = read(path)
    return [w for room in timetable.rooms for w in day_warnings(timetable, room)]


def revoke_station(db_url: str, *, station: int | None = None, room: str | None = None) -> int:
    with CentralStore(db_url, pool_size=1) as store:
        return accounts.revoke_station(store.db, station=station, room=room)


def replace_station(db_url: str, room: str, date: str | None = None, label: str = "") -> dict:
    """Retire the station numbering ``room`` and make the replacement Pi's takeover token (see
    :func:`photoqueue.central.roomdays.replace_station`); returns {token, station_id, revoked, room, date}."""
    with CentralStore(db_url, pool_size=1) as store:
        return roomdays.replace_station(store.db, room, date, label)


def deployment_key(db_url: str) -> bytes:
    """The centre's deployment key (made when the store was first opened)."""
    with CentralStore(db_url, pool_size=1) as store:
        return store.deployment_key


def list_stations(db_url: str) -> list[dict]:
    with CentralStore(db_url, pool_size=1) as store:
        return accounts.list_stations(store.db)


def add_user(db_url: str, name: str, password: str) -> int:
    with CentralStore(db_url, pool_size=1) as store:
        return accounts.add_user(store.db, name, password)


def load_timetable(db_url: str, path: str | Path) -> int:
    """Hold a timetable file at the centre (its days replace what was there); returns the class count."""
    from photoqueue.timetable import load_timetable as read

    timetable = read(path)
    with CentralStore(db_url, pool_size=1) as store:
        return store.set_timetable(timetable)


def add_command(db_url: str, room: str, kind: str, args: dict | None = None, by: str = "") -> int:
    with CentralStore(db_url, pool_size=1) as store:
        return store.add_command(room, kind, args, by=by)
