"""`photoqueue diagnose` never prints a traceback: each part's failure is one line with its fix, e.g. the
buttons on a machine without lgpio (this one) or with the install test's lgpio stand-in."""

from __future__ import annotations

import sys

import pytest

from photoqueue.cli import main
from photoqueue.device.station import diagnose

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


@pytest.fixture
def station_toml(tmp_path):
    path = tmp_path / "station.toml"
    path.write_text(f'[station]\nroom = "A"\ndata_dir = "{tmp_path / "data"}"\nscreen = false\n'
                    '[printer]\nkind = "dummy"\n', encoding="utf-8")  # [buttons]: the defaults (lgpio, GPIO 17)
    return path


def _forget_lgpio(monkeypatch):
    for name in [m for m in sys.modules if m == "lgpio" or m.startswith("gpiozero.pins.lgpio")]:
        monkeypatch.delitem(sys.modules, name)


def _assert_one_line_with_the_bench_fix(status, out, err):
    assert status == 1
    assert "Traceback" not in out + err
    [line] = [x for x in out.splitlines() if "按钮 buttons" in x]
    assert line.startswith("✗ 按钮 buttons: no GPIO here ([buttons] pin_factory = 'lgpio'")
    fix = out.splitlines()[out.splitlines().index(line) + 1]
    assert fix.lstrip().startswith("→ ") and 'pin_factory = "mock"' in fix and "keyboard" in fix
    assert "see the log" not in out


def test_buttons_without_lgpio_is_one_line_with_its_fix(station_toml, monkeypatch, capsys):
    _forget_lgpio(monkeypatch)
    monkeypatch.setitem(sys.modules, "lgpio", None)  # `import lgpio` fails, as on any machine without it
    status = main(["diagnose", "--config", str(station_toml), "--only", "buttons", "--wait", "0.1"])
    out, err = capsys.readouterr()
    _assert_one_line_with_the_bench_fix(status, out, err)


def test_buttons_on_the_install_tests_lgpio_stand_in_is_one_line_with_its_fix(station_toml, tmp_path, monkeypatch,
                                                                             capsys):
    standin = tmp_path / "standin"
    standin.mkdir()
    (standin / "lgpio.py").write_text('def gpiochip_open(n):\n    raise OSError("no GPIO chip (stand-in)")\n')
    _forget_lgpio(monkeypatch)
    monkeypatch.syspath_prepend(str(standin))
    status = main(["diagnose", "--config", str(station_toml), "--only", "buttons", "--wait", "0.1"])
    out, err = capsys.readouterr()
    _assert_one_line_with_the_bench_fix(status, out, err)


def test_a_check_that_fails_unexpectedly_names_its_parts_fix_not_the_log(station_toml, monkeypatch, capsys):
    def broken(_config, _probes):
        raise RuntimeError("the printer library gave up")

    monkeypatch.setitem(diagnose.CHECKS, "printer", broken)
    status = main(["diagnose", "--config", str(station_toml), "--only", "printer,disk"])
    out, err = capsys.readouterr()
    assert status == 1 and "Traceback" not in out + err
    assert "✗ 打印机 printer: RuntimeError: the printer library gave up" in out
    assert "→ 检查打印机连接与 [printer] 设置 / check the printer's cable and power" in out
    assert "see the log" not in out and "✓ 磁盘 disk" in out


def test_every_part_has_its_own_fix():
    assert set(diagnose.PART_FIX) == set(diagnose.CHECKS)
    assert all(zh and en for zh, en in diagnose.PART_FIX.values())
