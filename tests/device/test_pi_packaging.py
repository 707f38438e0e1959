"""What a Pi downloads: OpenCV bounded to the wheels that work with apt's numpy 1.24, so pip fetches one."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _extra(name: str) -> list[Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(r) for r in data["project"]["optional-dependencies"][name]]


def test_the_pis_opencv_is_bounded_to_the_last_release_that_works_with_numpy_1_24():
    [opencv] = [r for r in _extra("opencv") if r.name == "opencv-python-headless"]
    # 4.12.0.88 and every later wheel require numpy>=2 (their metadata); pip would download each to learn it
    assert not opencv.specifier.contains("4.12.0.88")
    assert not opencv.specifier.contains("5.1.0.95")
    assert opencv.specifier.contains("4.11.0.86")


def test_the_development_venv_keeps_pypis_opencv_for_its_numpy_2():
    # `make setup` (numpy 2 from PyPI) is not held to the Pi's bound: nothing to download again there
    [opencv] = [r for r in _extra("all") if r.name == "opencv-python-headless"]
    assert opencv.specifier.contains("5.1.0.95")
