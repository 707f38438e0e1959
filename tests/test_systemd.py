"""systemd/: the units verify, the udev rules parse, the install script is sound."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYSTEMD = ROOT / "systemd"
UNITS = ("photoqueue-station.service", "photoqueue-central.service")


def _unit(name: str) -> configparser.ConfigParser:
    # strict: a duplicate section is an error; repeated keys (DeviceAllow=...) are allowed as systemd does
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",),
                                       comment_prefixes=("#", ";"), empty_lines_in_values=False)
    parser.optionxform = str
    text = (SYSTEMD / name).read_text(encoding="utf-8")
    sections = re.findall(r"^\[(\w+)\]$", text, re.M)
    assert len(sections) == len(set(sections)), f"{name}: a section appears twice"
    parser.read_string(text)
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_units_pass_systemd_analyze_verify(name, tmp_path):
    analyze = shutil.which("systemd-analyze")
    text = (SYSTEMD / name).read_text(encoding="utf-8")
    if analyze is None:  # no systemd here: check the unit the strict way instead
        _unit(name)
        return
    # verify also checks that ExecStart's program exists: point it at one that does
    (tmp_path / name).write_text(text.replace("/opt/photoqueue/venv/bin/photoqueue", "/bin/true"), encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(tmp_path / name)], capture_output=True, text=True, timeout=60)
    ours = [line for line in (result.stdout + result.stderr).splitlines() if name in line]
    assert result.returncode == 0, result.stderr
    assert ours == [], "\n".join(ours)  # unknown keys and bad values are only warnings: none allowed


def test_station_unit_is_notify_with_a_watchdog_restart_limits_and_device_access():
    unit = _unit("photoqueue-station.service")
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    assert service["Restart"] in ("always", "on-failure")
    assert int(unit["Unit"]["StartLimitBurst"]) >= 3
    text = (SYSTEMD / "photoqueue-station.service").read_text()
    for group in ("video", "input", "lp", "gpio"):
        assert group in service["SupplementaryGroups"].split()
    for device in ("char-drm", "char-video4linux", "char-input", "char-gpiochip", "char-usb"):
        assert f"DeviceAllow={device}" in text
    assert service["ProtectSystem"] == "strict"
    assert "LoadCredential=deployment-key:" in text
    assert "ExecStart=/opt/photoqueue/venv/bin/photoqueue station --config /etc/photoqueue/station.toml" in text


def test_central_unit_is_hardened():
    service = _unit("photoqueue-central.service")["Service"]
    assert service["PrivateDevices"] == "yes"
    assert "central serve" in service["ExecStart"]


RULE_KEYS = {"ACTION", "SUBSYSTEM", "KERNEL", "ENV", "ATTR", "ATTRS", "MODE", "GROUP", "OWNER", "SYMLINK", "TAG",
             "RUN", "DRIVER", "DRIVERS"}
RULE_PAIR = re.compile(r'^(?P<key>[A-Z]+)(\{(?P<attr>[\w.-]+)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"$')


def test_udev_rules_parse_and_give_printers_to_group_lp():
    lines = [ln.strip() for ln in (SYSTEMD / "60-photoqueue-printers.rules").read_text().splitlines()]
    rules = [ln for ln in lines if ln and not ln.startswith("#")]
    assert rules
    for rule in rules:
        pairs = [p.strip() for p in rule.split(",")]
        assigned = False
        for pair in pairs:
            m = RULE_PAIR.match(pair)
            assert m, f"cannot parse {pair!r} in: {rule}"
            assert m["key"] in RULE_KEYS, m["key"]
            assigned |= m["op"] != "==" and m["op"] != "!="
        assert assigned, f"a rule that changes nothing: {rule}"
        assert 'GROUP="lp"' in rule and 'MODE="0660"' in rule


def test_install_script_is_valid_bash_and_installs_what_the_pi_needs():
    for script in (SYSTEMD / "install-pi.sh", SYSTEMD / "install-central.sh", ROOT / "scripts/station-venv.sh",
                   ROOT / "scripts/test-install.sh", ROOT / "scripts/wheelhouse.sh"):
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
    text = (SYSTEMD / "install-pi.sh").read_text()
    assert "scripts/pi-apt-packages.txt" in text  # the Pi's apt list: one file, read by the wheelhouse too
    apt_list = (ROOT / "scripts/pi-apt-packages.txt").read_text()
    for package in ("python3-picamera2", "python3-pygame", "python3-lgpio", "python3-evdev", "libzbar0",
                    "fonts-wqy-microhei"):
        assert f"\n{package} " in apt_list
    assert "scripts/station-venv.sh" in text  # the one venv builder (--system-site-packages, constraints)
    assert "--system-site-packages" in (ROOT / "scripts/station-venv.sh").read_text()
    assert "useradd --system" in text
    assert "/usr/local/bin/photoqueue" in text
    assert "--action=add" in text
    assert "photoqueue-central" not in text  # the central unit and its user: install-central.sh only
    for group in ("video", "input", "lp", "gpio"):
        assert group in text


def _install(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SYSTEMD / "install-pi.sh"), *args], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def test_a_missing_or_bad_key_stops_the_install_before_anything_is_installed(tmp_path):
    result = _install("--room", "第一组", "--key", str(tmp_path / "deployment.key"))
    assert result.returncode == 2
    assert "no such readable file" in result.stderr and "== apt" not in result.stdout
    bad = tmp_path / "bad.key"
    bad.write_text("not hex\n")
    result = _install("--key", str(bad))
    assert result.returncode == 2 and "not a deployment key" in result.stderr and result.stdout == ""
    result = _install("--central")
    assert result.returncode == 2 and "install-central.sh" in result.stderr


def test_the_station_unit_starts_without_waiting_for_the_network():
    unit = _unit("photoqueue-station.service")
    assert "network-online.target" not in unit["Unit"].get("After", "") + unit["Unit"].get("Wants", "")
    lines = [ln for ln in (SYSTEMD / "photoqueue-station.service").read_text().splitlines() if not ln.startswith("#")]
    assert not [ln for ln in lines if "udev-settle" in ln or "network-online" in ln]


def test_the_watchdog_drop_in_feeds_the_hardware_watchdog():
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str
    parser.read_string((SYSTEMD / "photoqueue-watchdog.conf").read_text())
    assert parser["Manager"]["RuntimeWatchdogSec"] == "15s"  # bcm2835-wdt's longest timeout


def test_a_dry_run_prints_the_plan_and_changes_nothing():
    before = {p: p.exists() for p in (Path("/etc/photoqueue"), Path("/opt/photoqueue"), Path("/usr/local/bin/photoqueue"))}
    result = _install("--dry-run", "--room", "第二组")
    assert result.returncode == 0, result.stderr
    assert "would install /etc/systemd/system/photoqueue-station.service" in result.stdout
    assert "photoqueue-central" not in result.stdout
    assert result.stdout.rstrip().endswith("== dry run: nothing was changed")
    assert {p: p.exists() for p in before} == before


def _arm64_gate(src: Path, cache: Path, cmd: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PHOTOQUEUE_CI_CACHE": str(cache), "PHOTOQUEUE_ARM64_CMD": cmd}
    return subprocess.run(["bash", str(src / "scripts/arm64-if-changed.sh")], capture_output=True, text=True,
                          env=env, timeout=60)


def test_ci_runs_the_arm64_install_only_when_systemd_scripts_or_pyproject_changed_since_it_passed(tmp_path):
    src = tmp_path / "src"
    for part in ("systemd", "scripts"):
        shutil.copytree(ROOT / part, src / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", src / "pyproject.toml")
    (src / "README.md").write_text("not watched")
    cache, runs = tmp_path / "cache", tmp_path / "runs"
    count = f"echo run >> {runs}"
    assert _arm64_gate(src, cache, count).returncode == 0 and runs.read_text().count("run") == 1
    second = _arm64_gate(src, cache, count)
    assert second.returncode == 0 and "not run" in second.stdout and runs.read_text().count("run") == 1
    (src / "README.md").write_text("changed, but not watched")
    assert "not run" in _arm64_gate(src, cache, count).stdout
    with (src / "pyproject.toml").open("a") as f:
        f.write("# changed\n")
    failed = _arm64_gate(src, cache, "exit 3")  # a failing run leaves no stamp: the next one runs again
    assert failed.returncode == 3
    assert _arm64_gate(src, cache, count).returncode == 0 and runs.read_text().count("run") == 2
    assert "not run" in _arm64_gate(src, cache, count).stdout
    (src / "systemd/install-pi.sh").write_text((src / "systemd/install-pi.sh").read_text() + "\n")
    assert _arm64_gate(src, cache, count).returncode == 0 and runs.read_text().count("run") == 3


def test_the_closing_hint_checks_the_config_as_the_service_runs_it():
    # one image for every room: the check a person runs at first boot is the service's (its user, its credential)
    text = (SYSTEMD / "install-pi.sh").read_text(encoding="utf-8")
    hint = text[text.index("no room yet"):text.index("else", text.index("no room yet"))]
    assert "systemd-run" in hint and "-p User=$USER_NAME" in hint
    assert "LoadCredential=deployment-key:$CONF/deployment.key" in hint
    unit = (SYSTEMD / "photoqueue-station.service").read_text(encoding="utf-8")
    assert "LoadCredential=deployment-key:/etc/photoqueue/deployment.key" in unit  # the same file
    assert "station --config $CONF/station.toml --check" in hint
