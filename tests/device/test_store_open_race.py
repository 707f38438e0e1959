"""Two processes opening a new data dir at the same moment (the station and a manual `scan`, or the two
scanning children of test_crash_safety): neither may refuse the file the other is creating. Before, one
read the file's header and its tables at different moments and took the other's fresh file for "another
program's", or read "no tables" before the other numbered and then judged the other's witness as a
station.db separated from its WAL."""

import datetime as dt
import os
import traceback

from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session


def _scan_some(data_dir: str, prefix: str) -> None:
    try:
        session = Session(EventStore(data_dir + "/station.db"), "A组", "2023-10-25", Rules(b"c" * 32))
        for i in range(20):
            session.scan(f"{prefix}-{i:05d}", dt.datetime(2023, 10, 25, 9))
        session.store.close()
        os._exit(0)
    except BaseException:
        traceback.print_exc()
        os._exit(1)


def test_two_processes_creating_one_data_dir_at_once_both_number(tmp_path):
    failed = 0
    for round_no in range(40):
        data_dir = tmp_path / f"d{round_no}"
        data_dir.mkdir()
        pids = []
        for prefix in ("L", "R"):
            pid = os.fork()
            if pid == 0:  # the child: never returns into pytest
                _scan_some(str(data_dir), prefix)
            pids.append(pid)
        codes = [os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids]
        failed += codes != [0, 0]
        with EventStore(data_dir / "station.db", create=False) as store:
            numbers = sorted(store.codes("A组", "2023-10-25"))
        assert numbers == list(range(1, 41)) or codes != [0, 0]
    assert failed == 0, f"{failed} of 40 rounds had a process refuse the file the other was creating"
