"""Fixtures for the scanner's tests: the real photo corpus, a shared pipeline, a fake clock."""

from pathlib import Path

import pytest

# The shared/ directory sits beside the repository clone (CI clones the repo with shared/ beside it).
CORPUS = Path(__file__).resolve().parents[2] / "../shared/corpus/qr-photos"


@pytest.fixture(scope="session")
def corpus() -> list[tuple[Path, str]]:
    """(image path, exact expected text) for every photo of the corpus."""
    assert CORPUS.is_dir(), f"the QR photo corpus is missing: expected it at {CORPUS.resolve()}"
    items = []
    for folder in sorted(CORPUS.glob("qrcode-*")):
        for png in sorted(folder.glob("*.png"), key=lambda p: int(p.stem)):
            items.append((png, png.with_suffix(".txt").read_bytes().decode("utf-8")))
    return items


@pytest.fixture(scope="session")
def pipeline():
    import time

    from photoqueue.scanner.pipeline import Pipeline

    # The shipped budget, counted in this thread's CPU time: the read rates these tests assert then do not
    # depend on what else the shared machine runs (wall time does; the benchmarks measure that).
    return Pipeline(clock=time.thread_time)


class FakeClock:
    """A clock whose sleep only moves the time on."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
