"""`make test-pi` stands alone: it installs every Debian tool its tests use (tesseract for the OCR of the screen
and the ticket), and it runs the GPIO tests again on gpiozero 2.0.x (Raspberry Pi OS's; Debian has 1.6.2)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _make_var(name: str) -> list[str]:
    out = subprocess.run(["make", "-s", "-C", str(ROOT), "--eval", f"print-{name}: ; @echo $({name})",
                          f"print-{name}"], capture_output=True, text=True, check=True, timeout=60).stdout
    return out.split()


def _recipe(target: str) -> str:
    return subprocess.run(["make", "-n", "-C", str(ROOT), "-W", "pyproject.toml", target],
                          capture_output=True, text=True, timeout=60).stdout


def test_test_pi_installs_the_debian_tools_its_tests_call():
    debs = _make_var("PI_DEBS")
    assert {"tesseract-ocr", "tesseract-ocr-chi-sim", "espeak-ng", "libzbar0", "fonts-wqy-microhei"} <= set(debs)
    # nothing from `make setup` (the dev venv and its DEB_PKGS) is needed first
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    prerequisites = re.search(r"^test-pi:(.*)$", text, re.M).group(1).split()
    assert "setup" not in prerequisites and "debs" not in prerequisites and "pi-debs" in prerequisites


def test_test_pi_runs_the_gpio_tests_on_gpiozero_2_0():
    tests = _make_var("PI_GPIO_TESTS")
    assert "tests/device/test_buttons.py" in tests and "tests/device/test_diagnose.py" in tests
    assert all((ROOT / t).is_file() for t in tests)
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "gpiozero==2.0." in text
    recipe = _recipe("test-pi")
    gpio_run = [line for line in recipe.splitlines() if "pytest" in line and "gpiozero2" in line]
    assert gpio_run and all(t in gpio_run[0] for t in tests)
