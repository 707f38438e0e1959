"""A process numbering through the NumberGate on a data dir, held open for a test (issue 21).

``python gated_child.py DATA_DIR ROOM DATE KEY_FILE``: takes the data dir's lock, opens the gated session,
prints ``ready``, then reads stdin: ``scan CODE`` answers ``issued N`` / ``refused RULE``; ``quit`` ends.
Killed with SIGKILL, it leaves what a power cut leaves.
"""

import datetime as dt
import sys
from pathlib import Path

from photoqueue.core import effects as fx
from photoqueue.core.state import Rules
from photoqueue.device.errors import StationError
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.gate import NumberGate
from photoqueue.device.store.outer_witness import default_dir
from photoqueue.device.store.session import Session


def main() -> None:
    data, room, date, key_file = sys.argv[1:5]
    gate = NumberGate(data, room, date, default_dir())
    gate.lock()
    key = bytes.fromhex(Path(key_file).read_text().strip())
    session = Session(EventStore(db_path(data)), room, date, Rules(digest_key=key))
    gate.attach(session)
    print("ready", flush=True)
    for line in sys.stdin:
        verb, _, arg = line.strip().partition(" ")
        if verb == "quit":
            break
        if verb == "scan":
            try:
                effects = session.scan(arg, dt.datetime.fromisoformat(date) + dt.timedelta(hours=9))
            except StationError:
                print("refused error", flush=True)
                continue
            feedback = next(e for e in effects if isinstance(e, fx.ScanFeedback))
            print(f"issued {feedback.number}" if feedback.ok else f"refused {feedback.rule}", flush=True)
    session.store.close()
    gate.close()


if __name__ == "__main__":
    main()
