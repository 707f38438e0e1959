"""The one settings contract: a constraint declared once on a field is enforced for every part, by the same
generic check, whether the settings come from the station's config file or are built in code; every problem
is reported at once."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from photoqueue.central.dashboard.settings import DashboardSettings
from photoqueue.central.settings import CentralSettings
from photoqueue.core.codecheck import CodePolicy
from photoqueue.device.station.buttons import ButtonSettings
from photoqueue.device.station.config import (
    ConfigError,
    example_toml,
    parse_config,
    reference_markdown,
    sections,
)
from photoqueue.device.station.photo_watch import PhotoSettings
from photoqueue.device.station.settings import SoundSettings, StationSettings
from photoqueue.device.sync.client import SyncSettings
from photoqueue.display.errors import DisplayError
from photoqueue.display.settings import DisplaySettings
from photoqueue.printer.settings import PrinterSettings
from photoqueue.scanner.settings import ScannerError, ScannerSettings
from photoqueue.settings import SettingsError, load, parse, problems, require, setting, type_hints
from photoqueue.timetable.check import CheckSettings
from photoqueue.timetable.plan import PlanSettings

ROOT = Path(__file__).resolve().parents[1]
EVERY_PART = (StationSettings, SoundSettings, ScannerSettings, PrinterSettings, DisplaySettings, ButtonSettings,
              SyncSettings, CodePolicy, PhotoSettings, CentralSettings, DashboardSettings, CheckSettings,
              PlanSettings)
GOOD = {StationSettings: {"room": "第一组"}}  # a station's room has no default: it is required


def _bad_values(f: dataclasses.Field, hint) -> list:
    """Values that break each constraint declared on ``f``: its choices, its range, its type."""
    meta, bad = f.metadata, []
    if "choices" in meta:
        bad.append(12345 if all(isinstance(c, int) for c in meta["choices"]) else "no-such-choice")
    sized = "tuple" in str(hint)  # a size: the range holds for each number
    if "min" in meta:
        low = int(meta["min"]) - 1 if isinstance(meta["min"], int) else meta["min"] / 2
        bad.append((low, 500) if sized else low)
    if "max" in meta:
        bad.append((meta["max"] + 1, 500) if sized else meta["max"] + 1)
    bad.append(12 if "str" in str(hint) else "text")  # the annotation is a constraint too
    return bad


def _constrained(cls):
    hints = type_hints(cls)
    return [(f, bad) for f in dataclasses.fields(cls) for bad in _bad_values(f, hints[f.name])]


@pytest.mark.parametrize("cls", EVERY_PART, ids=lambda c: c.__name__)
def test_every_declared_constraint_of_every_part_is_enforced_in_code(cls):
    good = GOOD.get(cls, {})
    assert problems(cls(**good)) == [], "the defaults must be usable"
    for f, bad in _constrained(cls):
        found = problems(cls(**good | {f.name: bad}))
        assert any(p.startswith(f"{f.name}:") for p in found), (cls.__name__, f.name, bad, found)


@pytest.mark.parametrize("cls", EVERY_PART, ids=lambda c: c.__name__)
def test_every_part_reports_every_bad_field_at_once(cls):
    """One bad value for every field at once: one message each, and no crash in the cross-field rules (they
    see the default in place of a value of the wrong type)."""
    hints = type_hints(cls)
    bad = {f.name: _bad_values(f, hints[f.name])[0] for f in dataclasses.fields(cls)}
    found = problems(cls(**bad))
    for name in bad:
        assert any(p.startswith(f"{name}:") for p in found), (cls.__name__, name, found)


def test_the_config_file_enforces_the_same_constraints_for_every_section_all_at_once():
    """Every constrained key of every section wrong in one file: one ConfigError naming each, with its section."""
    data, expected = {}, []
    for section, cls in sections().items():
        hints = type_hints(cls)
        table = {}
        for f in dataclasses.fields(cls):
            if f.metadata.keys() & {"choices", "min", "max"}:
                table[f.name] = _bad_values(f, hints[f.name])[0]
                expected.append(f"[{section}] {f.name}:")
        data[section] = table
    data["station"]["room"] = "A"
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    message = str(err.value)
    missing = [e for e in expected if e not in message]
    assert not missing, missing
    listed = message.count("\n  - ")
    assert f"{listed} problem(s)" in message and listed >= len(expected)


def test_a_choice_and_a_key_get_a_did_you_mean_and_a_range_names_its_bounds():
    found = problems(StationSettings(room="A", log_level="warnin", refresh_s=99))
    assert found == ["refresh_s: 99 is not between 0.05 and 60",
                     "log_level: 'warnin' is not one of debug, info, warning, error (did you mean 'warning'?)"]
    _, found = parse(ButtonSettings, {"advance_pn": 5})
    assert found == ["'advance_pn': unknown key (did you mean 'advance_pin'?)"]


def test_cross_field_rules_come_from_validate_and_survive_a_mistyped_field():
    assert ButtonSettings(skip_pin=17).validate() == ["skip_pin: pin 17 is already used by advance_pin"]
    found = problems(PrinterSettings(kind="serial", baudrate="fast"))
    assert found == ["baudrate: expected a whole number, got 'fast'"]  # the serial rule saw the default speed
    assert problems(SyncSettings(url="http://c", backoff_initial_s=5, backoff_max_s=1)) == [
        "token_file: needed when url is set (the station's token)",
        "backoff_max_s: must not be less than backoff_initial_s"]


def test_parse_reads_what_a_table_can_say_for_numbers_and_sizes():
    printer, found = parse(PrinterSettings, {"vendor_id": "0x0416", "timeout_s": 5})
    assert found == [] and printer.vendor_id == 0x0416 and printer.timeout_s == 5.0
    assert isinstance(printer.timeout_s, float)
    display, found = parse(DisplaySettings, {"size": "800x480"})
    assert found == [] and display.size == (800, 480)
    camera, found = parse(ScannerSettings, {"resolution": [800, 600]})
    assert found == [] and camera.resolution == (800, 600)
    _, found = parse(ScannerSettings, {"resolution": "big"})
    assert found == ['resolution: expected a list [w, h] or text "WxH", got \'big\'']


def test_require_and_load_raise_the_callers_error_listing_every_problem():
    with pytest.raises(ScannerError) as err:
        require(ScannerSettings(fps=-1, decoder="zbr"), ScannerError, "scanner settings")
    assert str(err.value).startswith("scanner settings: 2 problem(s)")
    assert "fps: must be at least 0, not -1" in str(err.value) and "did you mean 'zbar'" in str(err.value)
    with pytest.raises(DisplayError, match=r"(?s)2 problem\(s\).*'them': unknown key.*volume: 3.0 is not between"):
        load(DisplaySettings, {"them": "dark", "volume": 3}, DisplayError, "display settings")
    with pytest.raises(SettingsError, match="expected a table of settings"):
        load(DisplaySettings, ["not", "a", "table"])
    assert SettingsError("x").exit_status == 2


def test_a_mutable_default_is_not_shared():
    @dataclass
    class Part:
        names: list[str] = setting(["a"], "some names")

    one, two = Part(), Part()
    one.names.append("b")
    assert two.names == ["a"]


def test_no_part_declares_a_setting_outside_the_contract():
    """The field-with-help helpers (``_help`` x5, ``_s``) and bare ``metadata={"help"`` fields are gone."""
    offenders = []
    for path in (ROOT / "photoqueue").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"metadata\s*=\s*\{\s*[\"']help[\"']|^def _(help|s)\(", text, re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_the_config_reference_and_the_example_are_what_the_code_generates():
    assert reference_markdown().strip() in (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert (ROOT / "systemd" / "station.example.toml").read_text(encoding="utf-8") == example_toml()


def test_nan_and_infinity_are_refused_where_a_number_is_wanted():
    """TOML can write nan and inf; a nan would pass every range check (each comparison is false)."""
    with pytest.raises(ConfigError) as err:
        parse_config({"station": {"room": "A", "refresh_s": float("nan")}, "printer": {"timeout_s": float("inf")},
                      "camera": {"fps": float("-inf")}})
    message = str(err.value)
    for line in ("[station] refresh_s: expected a number, got nan", "[printer] timeout_s: expected a number, got inf",
                 "[camera] fps: expected a number, got -inf"):
        assert line in message
