"""The station's config file: one schema from every part's settings, every error at once."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from photoqueue.cli import main
from photoqueue.device.station.config import (
    ConfigError,
    key_path,
    load_config,
    parse_config,
    read_token,
    sections,
)

ROOT = Path(__file__).resolve().parents[2]

BAD = """
[station]
rom = "第一组"
data_dir = "{data}"

[buttons]
advance_pin = "seventeen"
"""


def test_misspelt_key_wrong_type_and_missing_printer_give_one_message_exit_2_nothing_touched(tmp_path, capsys):
    data = tmp_path / "station-data"
    config = tmp_path / "station.toml"
    config.write_text(BAD.format(data=data), encoding="utf-8")
    status = main(["station", "--config", str(config)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("photoqueue:") == 1  # one message
    assert "'rom': unknown key (did you mean 'room'?)" in err
    assert "[buttons] advance_pin: expected a whole number, got 'seventeen'" in err
    assert "[printer]: missing section" in err
    assert "Traceback" not in err
    assert not data.exists()  # nothing touched: no data dir, key or database
    assert sorted(p.name for p in tmp_path.iterdir()) == ["station.toml"]


def test_check_accepts_a_good_config(tmp_path):
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\nroom = "A"\ndata_dir = "{tmp_path / "d"}"\n[printer]\nkind = "dummy"\n')
    assert main(["station", "--config", str(config), "--check"]) == 0
    assert not (tmp_path / "d").exists()


def test_unknown_section_and_secret_keys_are_refused():
    with pytest.raises(ConfigError) as err:
        parse_config({"station": {"room": "A"}, "printr": {"kind": "dummy"}, "central": {"token": "s3cret"}})
    message = str(err.value)
    assert "[printr]: unknown section (did you mean 'printer'?)" in message
    assert "secrets are never read from the config file" in message
    assert "s3cret" not in message
    assert err.value.exit_status == 2


def test_each_parts_own_validation_is_reported_with_the_rest():
    with pytest.raises(ConfigError) as err:
        parse_config({"station": {"room": "A", "log_level": "loud"}, "printer": {"kind": "lazer"},
                      "display": {"theme": "blue"}, "camera": {"source": "webcam"},
                      "buttons": {"advance_pin": 17, "skip_pin": 17}})
    message = str(err.value)
    for part in ("[station] log_level", "[printer] kind", "[display] theme", "[camera]", "[buttons] skip_pin"):
        assert part in message
    assert "5 problem(s)" in message


def test_not_toml_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("[station\nroom = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def _keys(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def test_every_key_is_documented_in_docs_config_md():
    doc = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    for name, cls in sections().items():
        assert f"### [{name}]" in doc, name
        part = doc.split(f"### [{name}]", 1)[1].split("\n### ", 1)[0]
        for key in _keys(cls):
            assert f"| `{key}` |" in part, f"[{name}] {key} is not in docs/config.md"


def test_every_key_is_in_the_example_and_the_example_loads():
    path = ROOT / "systemd" / "station.example.toml"
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for name, cls in sections().items():
        block = text.split(f"[{name}]\n", 1)[1].split("\n[", 1)[0]
        for key in _keys(cls):
            assert re.search(rf"^#? ?{key} =", block, re.M), f"[{name}] {key} is not in the example"
    assert set(data) == set(sections())
    config = load_config(path)
    assert config.station.room == "第一组"


def test_secrets_come_from_files_or_systemd_credentials(tmp_path, monkeypatch):
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "deployment-key").write_text("00" * 32)
    (creds / "central-token").write_text("tok-123\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    config = parse_config({"station": {"room": "A", "data_dir": str(tmp_path / "d")}, "printer": {},
                           "central": {"url": "http://127.0.0.1:9", "token_file": "$CREDENTIALS_DIRECTORY/central-token"}})
    assert key_path(config.station) == (creds / "deployment-key", False)
    assert read_token(config.central) == "tok-123"
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    assert key_path(config.station) == (tmp_path / "d" / "deployment.key", True)


def test_check_reports_a_missing_timetable_and_key_file_at_once_touching_nothing(tmp_path, capsys):
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\nroom = "A"\ndata_dir = "{tmp_path / "d"}"\n'
                      f'timetable = "{tmp_path / "no-timetable.csv"}"\nkey_file = "{tmp_path / "no.key"}"\n'
                      '[printer]\nkind = "dummy"\n', encoding="utf-8")
    assert main(["station", "--config", str(config), "--check"]) == 2
    err = capsys.readouterr().err
    assert err.count("photoqueue:") == 1 and "Traceback" not in err
    assert "[station] timetable:" in err and "no-timetable.csv: no such file" in err
    assert "[station] key_file:" in err and "deployment key file not found" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["station.toml"]


def test_check_loads_a_good_timetable_and_key_file(tmp_path):
    key = tmp_path / "station.key"
    key.write_text("00" * 32)
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\nroom = "第一组"\ndata_dir = "{tmp_path / "d"}"\n'
                      f'timetable = "{ROOT / "photoqueue" / "data" / "timetable-2024.csv"}"\nkey_file = "{key}"\n'
                      '[printer]\nkind = "dummy"\n', encoding="utf-8")
    assert main(["station", "--config", str(config), "--check"]) == 0
    assert not (tmp_path / "d").exists()


def test_print_example_needs_no_config_and_a_run_without_one_says_so(capsys):
    assert main(["station", "--print-example"]) == 0
    out = capsys.readouterr().out
    assert tomllib.loads(out)["station"]["room"]
    assert main(["station"]) == 2
    err = capsys.readouterr().err
    assert "--config FILE is required" in err and "Traceback" not in err
