"""Fixtures that make real faults: a small filesystem that fills up, one that turns read-only."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# rel_helpers beside this file, and the central engineer's helpers (its chaos proxy), importable
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "central"))


PG_URL = os.environ.get("PHOTOQUEUE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def central_db(request, tmp_path):
    """A central store URL: a SQLite file, or a fresh PostgreSQL schema (never skipped: PostgreSQL
    must be there, in CI and in `make reliability`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.db'}"
        return
    import psycopg

    schema = f"pq_rel_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _can_mount() -> bool:
    return os.geteuid() == 0 and subprocess.run(["which", "mount"], capture_output=True).returncode == 0


@pytest.fixture
def small_fs(tmp_path):
    """A real 2 MiB tmpfs (root only; CI runs as root). Elsewhere a plain directory, and the test
    caps the database with SQLite's max_page_count, which fails the same way (SQLITE_FULL)."""
    mount_point = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    mounted = _can_mount() and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], capture_output=True).returncode == 0
    yield mount_point, mounted
    if mounted:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(directory: Path) -> Path:
    """Fill the filesystem under ``directory`` to the last byte; returns the filler file."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * chunk)
    return filler


def _remount(mount_point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount_point)], check=True, capture_output=True)


@pytest.fixture
def fill():
    return _fill


@pytest.fixture
def remount():
    return _remount


def pytest_terminal_summary(terminalreporter):
    """The figures the suite measured (tried / survived / lost), for RELIABILITY.md."""
    from rel_helpers import FIGURES, LONG

    if not FIGURES:
        return
    tr = terminalreporter
    tr.section(f"reliability figures ({'long run' if LONG else 'CI size'})")
    for row in FIGURES:
        extra = ", ".join(f"{k}={v}" for k, v in row.items() if k not in ("fault", "tried", "survived", "lost"))
        tr.write_line(f"| {row['fault']} | {row['tried']} | {row['survived']} | {row['lost']} | {extra} |")
