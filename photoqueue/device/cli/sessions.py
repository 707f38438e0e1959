"""The session a station command works on (``scan``, ``queue``): its arguments and how it is opened.

Apart from ``commands`` and ``staff``, which both use it, so neither imports the other for it.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from photoqueue.device.errors import StationError

KEY_FILE_NAME = "deployment.key"


def given(text: str) -> str:
    """An argument that must not be empty: an empty --data-dir would be the current directory."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty / 不能为空")
    return text


def session_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", required=True, type=given, help="the station's data directory")
    p.add_argument("--room", required=True, type=given)
    p.add_argument("--date", help="session date YYYY-MM-DD (default: today)")
    p.add_argument("--key-file", help="deployment key, found as the service finds it: the installed unit's systemd "
                                      f"credential first, then this file, then DATA_DIR/{KEY_FILE_NAME} (made only "
                                      "when a new station numbers its first ticket)")


def open_session(args: argparse.Namespace, *, existing: bool = False, timetable=None):
    """The session the command works on. ``existing``: the station and the session must already be
    there (staff actions on a running station), so a mistyped directory, room or date is an error
    rather than a new, empty queue."""
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.keyfile import ensure_key
    from photoqueue.device.store.session import Session, resolve_date

    data_dir = Path(args.data_dir)
    path = db_path(data_dir)
    store = EventStore(path, create=not existing)
    try:
        planned = [s.date for s in timetable.slots if s.room == args.room] if timetable else None
        date = resolve_date(store, args.room, args.date, dt.date.today(), planned)
        if existing and (args.room, date) not in store.sessions():
            known = ", ".join(f"{r} {d}" for r, d in store.sessions()) or "none"
            raise StationError(f"{path}: no queue for {args.room} on {date} here (sessions: {known}) "
                               "/ 此工作站没有该组该日期的记录", exit_status=2)
        # The key as the service finds it (device/store/keyfile.py: credential, --key-file, the data dir's file); one
        # is made only for a new station, an existing one must be given the key it numbers with.
        from types import SimpleNamespace

        source = ensure_key(SimpleNamespace(key_file=args.key_file or "", data_dir=str(data_dir)),
                            make=not store.sessions())
        if source.key is None:
            raise StationError(f"{source.path}: deployment key file not found; this station has numbered: give "
                               "the key it numbers with (--key-file) / 找不到部署密钥文件", exit_status=1)
        key = source.key
        return Session(store, args.room, date, Rules(digest_key=key))
    except BaseException:
        store.close()
        raise
