"""docs/station.md and the README say what the install scripts do: the Pi's apt list, the binfmt set-up of
the arm64 install test; and they quote no package counts or sizes (the install test
prints its own, measured each run, in test-install-ARCH.last)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _section(path: str, title: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    start = text.index(title)
    level = text[:start].rsplit("\n", 1)[-1] + title.split(" ", 1)[0]
    rest = text[start + len(title):]
    end = re.search(rf"^{re.escape(level.strip())} ", rest, re.M)
    return rest[:end.start()] if end else rest


def test_the_pi_docs_quote_no_package_counts_or_sizes():
    for path, title in (("docs/station.md", "## On a Raspberry Pi"), ("README.md", "## On a Raspberry Pi")):
        text = _section(path, title)
        sizes = re.findall(r"(?<!at least )\b\d+(?:\.\d+)?\s?[MGk]B\b", text)  # "at least 200 MB free": a limit
        counts = re.findall(r"\b\d+ (?:more )?(?:Debian )?packages\b", text)
        assert sizes == [] and counts == [], (path, sizes, counts)


def test_the_apt_list_in_the_docs_is_the_pis_apt_list():
    listed = [line.split()[0] for line in (ROOT / "scripts/pi-apt-packages.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    apt = _section("docs/station.md", "## On a Raspberry Pi").split("- **apt**", 1)[1].split("\n- **", 1)[0]
    named = re.findall(r"`([a-z0-9.+-]+)`", apt)
    assert {p for p in listed if p not in ("python3", "python3-venv", "python3-pip", "libsdl2-2.0-0")} == \
        {p for p in named if p in listed}
    assert "scripts/pi-apt-packages.txt" in apt


def test_the_docs_give_the_binfmt_set_up_the_install_test_asks_for():
    docs = _section("docs/station.md", "### The install test")
    script = (ROOT / "scripts/test-install.sh").read_text(encoding="utf-8")
    for line in ("mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc",
                 "apt-get install -y qemu-user-static binfmt-support arch-test", "arch-test arm64"):
        assert line in docs and line in script
    assert "make test-install ARCH=arm64" in docs and "scripts/arm64-if-changed.sh" in docs

