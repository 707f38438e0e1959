"""The Pi's apt package list (scripts/pi-apt-packages.txt) decides what pip keeps as apt's and what the
wheelhouse leaves out, never the Debian packages the machine running the scripts happens to have."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts/pi_constraints.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, as the scripts run it (make pi-debs installs the list here)


def _module():
    spec = importlib.util.spec_from_file_location("pi_constraints", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pins(*args: str) -> dict[str, str]:
    out = subprocess.run([SYSTEM_PYTHON, str(SCRIPT), "constraints", *args], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    return dict(line.split("==") for line in out.splitlines() if line and not line.startswith("#"))


def test_the_wheelhouse_constraints_are_the_pi_list_at_its_versions_whatever_this_machine_has():
    listed = {dist: version for dist, (_, version) in _module().pi_distributions().items()}
    assert _pins("--pi-list") == listed
    # this machine's own Debian Python packages (PyYAML, six, argcomplete...) are not a Pi's
    assert {"numpy", "pillow", "pygame", "gpiozero", "colorzero"} <= set(listed)
    assert not {"pyyaml", "six", "argcomplete", "httpx", "cryptography"} & set(listed)


def test_the_station_venv_pins_only_the_pi_lists_packages_at_the_installed_versions():
    pi = _module()
    system = pi.system_distributions()
    pins = _pins()
    assert set(pins) <= set(pi.pi_distributions())
    assert pins == {name: system[name] for name in pi.pi_distributions() if name in system}
    assert "numpy" in pins  # make pi-debs installed the list's packages here


def test_the_lists_versions_are_this_machines_debian_bookworm_ones():
    pi = _module()
    system = pi.system_distributions()
    wrong = {dist: (version, system[dist]) for dist, (_, version) in pi.pi_distributions().items()
             if dist in system and system[dist] != version}
    assert wrong == {}


def test_install_pi_installs_exactly_the_list():
    text = (ROOT / "systemd/install-pi.sh").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("APT_PKGS="))
    script = f'SRC="{ROOT}"\n{line}\nprintf "%s\\n" $APT_PKGS'
    packages = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert packages == [row[0] for row in _module().pi_list()]
    assert "python3-picamera2" in packages and "python3-lgpio" in packages
