"""Shared test set-up: headless SDL, and where the shared/ data (timetables, QR corpus) lives."""

import os
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# Staff passwords hash at a low scrypt cost in tests (milliseconds, not 0.8 s a login; the servers and CLIs
# the tests start inherit it). The tests of the cost itself delete it (tests/central/test_hardening.py).
os.environ.setdefault("PHOTOQUEUE_TEST_SCRYPT_N", str(2**10))
# the station's witness outside the data dir (device/store/outer_witness.py) goes to the service user's state
# directory; tests (and the processes they start) keep theirs in a directory of this run, not in ~/.local/state
os.environ.setdefault("STATE_DIRECTORY", tempfile.mkdtemp(prefix="photoqueue-state-"))

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the shared helpers (polling) import by plain name
# CI clones the repo with shared/ beside it; a checkout may also carry it inside.
SHARED = next((p for p in (REPO.parent / "shared", REPO / "shared") if p.is_dir()), REPO.parent / "shared")


def pytest_ignore_collect(collection_path, config):
    """tests/hardware needs a Raspberry Pi with its camera: collected only when asked for with
    ``-m hardware`` (on the Pi), so that elsewhere it is not a skipped test but no test at all."""
    if collection_path.name == "hardware" and collection_path.parent == REPO / "tests":
        return "hardware" not in (config.getoption("markexpr") or "").replace("not hardware", "")
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"the shared/ data directory is missing (looked at {SHARED})"
    return SHARED


@pytest.fixture(scope="session")
def timetable_2024(shared_dir) -> Path:
    return shared_dir / "timetables" / "timetable-2024.csv"


@pytest.fixture(scope="session")
def timetable_2021(shared_dir) -> Path:
    return shared_dir / "timetables" / "timetable-2021.csv"
