"""Coverage-guided fuzzing with atheris (libFuzzer) of the station's three doors for foreign input:
a scanned payload (code check + numbering), a timetable file, and a config file.

    python tests/reliability/atheris_fuzz.py -atheris_runs=20000 [corpus_dir]

Any exception other than a PhotoqueueError (the project's clear, user-facing errors) is a crash:
libFuzzer stops, prints the input, and the process exits non-zero. test_atheris.py runs this.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["photoqueue"]):
    from photoqueue.core.state import Rules
    from photoqueue.device.station.config import load_config
    from photoqueue.device.store.events import EventStore
    from photoqueue.device.store.session import Session
    from photoqueue.errors import PhotoqueueError
    from photoqueue.timetable import load_timetable

WORK = Path(tempfile.mkdtemp(prefix="pq-atheris-"))
SESSION = Session(EventStore(WORK / "station.db"), "第一组", "2024-10-25", Rules(digest_key=bytes(32)))
NOW = dt.datetime(2024, 10, 25, 9, 0)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    door = fdp.ConsumeIntInRange(0, 2)
    rest = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        if door == 0:
            before = len(SESSION.state.tickets)
            SESSION.scan(rest.decode("utf-8", "replace"), NOW)
            numbers = sorted(SESSION.state.tickets)
            assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) - before in (0, 1)
        elif door == 1:
            path = WORK / "timetable.csv"
            path.write_bytes(rest)
            load_timetable(path)
        else:
            path = WORK / "station.toml"
            path.write_bytes(rest)
            load_config(path)
    except PhotoqueueError as exc:
        assert str(exc).strip(), "a PhotoqueueError must carry a message"


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
