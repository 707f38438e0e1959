"""Display tests draw off screen and play to no sound card: SDL's dummy drivers, set before pygame starts."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parents[2]
TIMETABLE_DIRS = (ROOT.parent / "shared" / "timetables", ROOT / "photoqueue" / "data")


def timetable_class_names() -> list[str]:
    """Every class name in the shared timetables (and the one the package ships), longest first."""
    names: set[str] = set()
    for folder in TIMETABLE_DIRS:
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8-sig", newline="") as f:
                names.update(row["class_name"].strip() for row in csv.DictReader(f) if row.get("class_name"))
    return sorted(names, key=lambda n: (-len(n), n))


@pytest.fixture(scope="session")
def longest_names() -> tuple[str, str]:
    names = timetable_class_names()
    assert len(names) >= 2, f"no timetables found in {TIMETABLE_DIRS}"
    return names[0], names[1]
