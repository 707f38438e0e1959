"""The central connection pool under shutdown: closing it while another thread is inside a statement must
not close that connection under it (in CPython's sqlite3 that is a use after free: a segmentation fault,
which ended a CI run in the middle of the soak test)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from photoqueue.central.db import Database

_CLOSE_UNDER_A_QUERY = textwrap.dedent("""
    import sys, threading
    from photoqueue.central.db import Database

    db = Database("sqlite:///" + sys.argv[1])
    inside = threading.Event()
    results = []

    def long_query():
        with db.connection() as conn:
            inside.set()
            total = 0
            for _ in range(20):  # about a second of statements on this one connection
                total += conn.one("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                  "WHERE x < 100000) SELECT sum(x) FROM c")[0]
            results.append(total)

    worker = threading.Thread(target=long_query)
    worker.start()
    inside.wait(10)
    db.close()  # the server's shutdown, while the worker's statement runs
    worker.join(60)
    print("ok", results)
""")


def test_closing_the_pool_while_a_thread_runs_a_statement_does_not_crash(tmp_path):
    result = subprocess.run([sys.executable, "-c", _CLOSE_UNDER_A_QUERY, str(tmp_path / "central.db")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.startswith("ok [" + str(20 * 100000 * 100001 // 2)), result.stdout


def test_a_connection_in_use_at_close_is_closed_when_given_back(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'central.db'}")
    with db.connection() as first, db.connection() as second:
        assert first is not second
    with db.connection() as busy:
        idle = second if busy is first else first
        db.close()
        assert _closed(idle)  # idle: closed at once
        assert busy.one("SELECT 1") == (1,)  # in use: still works until it is given back
    assert _closed(busy)


def _closed(conn) -> bool:
    try:
        conn.raw.execute("SELECT 1")
    except Exception as exc:  # sqlite3.ProgrammingError: Cannot operate on a closed database.
        return "closed" in str(exc)
    return False
