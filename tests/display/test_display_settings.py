import dataclasses
from pathlib import Path

import pytest

from photoqueue.display import DisplayError, DisplaySettings
from photoqueue.display.settings import checked, parse_size
from photoqueue.settings import help_texts, load

DOC = Path(__file__).resolve().parents[2] / "docs" / "display.md"


def test_defaults_are_valid():
    assert checked(DisplaySettings()) == DisplaySettings()


def test_every_problem_reported_at_once():
    s = DisplaySettings(
        size=(10, 10), theme="neon", fps_cap=0, volume=2, speech_text="no number", fullscreen="yes"
    )
    with pytest.raises(DisplayError) as err:
        checked(s)
    msg = str(err.value)
    for name in ("size", "theme", "fps_cap", "volume", "speech_text", "fullscreen"):
        assert f"{name}:" in msg


def test_load_reads_size_and_suggests():
    s = load(DisplaySettings, {"size": "800x480", "volume": 0.5, "speech": True}, DisplayError)
    assert s.size == (800, 480) and s.volume == 0.5 and s.speech
    with pytest.raises(DisplayError, match=r"'volum': unknown key \(did you mean 'volume'\?\)"):
        load(DisplaySettings, {"volum": 0.5}, DisplayError)


def test_parse_size():
    assert parse_size("1920x1080") == (1920, 1080)
    assert parse_size("800X480") == (800, 480)
    for bad in ("800", "axb", "5x5", "800x480x2"):
        with pytest.raises(DisplayError):
            parse_size(bad)


def test_every_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(DisplaySettings) if f"`{f.name}`" not in text]
    assert not missing, f"docs/display.md does not document: {missing}"
    assert all(help_texts(DisplaySettings).values())
