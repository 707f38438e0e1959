"""``photoqueue scan`` (manual entry) through the same gate as the station (device/store/gate.py).

Manual entry numbered in yesterday's session (a Pi whose clock came back a day behind) and beside a running
station waiting for its date. Now it takes the data dir's lock first (a running station holds it: the
refusal names its pid and sends staff to the station), asks the centre when ``--config`` names one, and
numbers only on a confirmed date:

- ``--date D`` given: staff typed it, as ``[station] date`` (a date before a session this station already
  numbered is still refused, by ``resolve_date``);
- else the clock's date D, confirmed by the centre's hello (its date is D), or by a station run on this data
  dir that confirmed D during this boot (device/station/date_confirm.py), or because this station has never numbered
  this room (nothing to mistake it for). A clock's date whose session already exists, with none of these, is
  refused: it may be yesterday's. Staff give ``--date``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from photoqueue.device.station.date_confirm import boot_id
from photoqueue.device.store.gate import NumberGate

log = logging.getLogger(__name__)


def _centre(config, key: bytes, clock_check):
    from photoqueue.core.digest import key_fingerprint
    from photoqueue.device.station.config import read_token
    from photoqueue.device.sync.hello import CentreLink

    token = read_token(config.central) if config.central.url else None
    if not token:
        return None
    return CentreLink(config.central.url, token, timeout_s=config.central.hello_timeout_s,
                      fingerprint=key_fingerprint(key), clock_check=clock_check)


def _refuse_key(_key: bytes) -> None:
    from photoqueue.device.errors import StationError

    raise StationError("manual entry numbers with the key it was given (--key-file); give it the centre's "
                       "(`photoqueue central show-key`)")


def _confirmed_on_this_boot(store, room: str, date: str) -> bool:
    run = store.latest_run()
    return bool(run and run["room"] == room and run["date"] == date and run["confirmed_by"]
                and run["boot_id"] and run["boot_id"] == boot_id())


def open_gate(args: argparse.Namespace, session, lock_fd: int) -> NumberGate:
    """The gate of a manual scan, attached to ``session``; the caller closes it."""
    from photoqueue.device.store.outer_witness import default_dir
    from photoqueue.device.sync.clock_check import ClockCheck

    config = None
    if getattr(args, "config", None):
        from photoqueue.device.station.config import load_config

        config = load_config(args.config)
    witness_dir = default_dir(config.station.witness_dir if config is not None else "", args.data_dir)
    clock_check = ClockCheck()
    centre = _centre(config, session.rules.digest_key, clock_check) if config is not None else None
    if centre is not None:
        centre.allow_takeover = False  # a takeover rebuilds the data dir: the station does that, not a scan
        centre.on_key = _refuse_key  # the session is open with the key given: manual entry does not swap it
    gate = NumberGate(Path(args.data_dir), session.room, session.date, witness_dir, centre=centre)
    gate.lock(lock_fd)
    gate.meet_centre(session.store.path)
    store, room = session.store, session.room
    explicit = bool(args.date)
    new_room = not any(r == room for r, _ in store.sessions())

    def date_guard(day: str) -> tuple[str, str] | None:
        why = clock_check.refusal(day)
        if why is not None:
            return why
        if explicit or clock_check.centre_date == day or new_room or _confirmed_on_this_boot(store, room, day):
            return None
        return (f"日期未确认（{day}）：本机已有该日期的记录，可能是昨天的；请用 --date 指定日期",
                f"the clock's date {day} is not confirmed and this station already numbered {room} on it (yesterday's "
                f"session, if the clock is a day behind): give --date YYYY-MM-DD, the date staff confirm")

    session.date_guard = date_guard
    gate.attach(session)
    return gate
