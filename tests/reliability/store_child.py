"""A station process reduced to its store, for the file-fault tests: ``python store_child.py DATA_DIR ROOM DATE``.

Opens the station's session on DATA_DIR exactly as the station does (``Session`` on ``EventStore``)
and reads stdin: ``scan CODE`` answers ``issued N CODE`` / ``again N CODE`` (after the commit) or
``refused MESSAGE``; ``quit`` closes the store cleanly (the clean stop whose checkpoint matters here)
and answers ``closed``.
"""

from __future__ import annotations

import datetime as dt
import sys


def main(data_dir: str, room: str, date: str) -> int:
    from pathlib import Path

    from photoqueue.core import effects as fx
    from photoqueue.core.state import Rules
    from photoqueue.device.errors import StationError
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.keyfile import load_key
    from photoqueue.device.store.session import Session

    key = load_key(Path(data_dir) / "deployment.key")
    session = Session(EventStore(db_path(data_dir)), room, date, Rules(digest_key=key))
    print("ready", flush=True)
    for line in sys.stdin:
        verb, _, arg = line.strip().partition(" ")
        if verb == "scan":
            try:
                effects = session.scan(arg, dt.datetime(2024, 10, 25, 9, 0))
            except StationError as exc:
                print("refused " + str(exc).replace("\n", " "), flush=True)
                continue
            fb = next(e for e in effects if isinstance(e, fx.ScanFeedback))
            print(f"{'issued' if fb.kind == 'issued' else 'again'} {fb.number} {arg}", flush=True)
        elif verb == "quit":
            session.store.close()
            print("closed", flush=True)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
