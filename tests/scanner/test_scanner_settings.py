"""Scanner settings: defaults, every problem at once with a 'did you mean', and all documented."""

from dataclasses import fields
from pathlib import Path

import pytest

from photoqueue.scanner.settings import ScannerError, ScannerSettings
from photoqueue.scanner.sources import make_source
from photoqueue.settings import help_texts, load, problems

DOC = Path(__file__).resolve().parents[2] / "docs" / "scanner.md"


def test_defaults_are_valid_and_lists_become_tuples():
    s = ScannerSettings(resolution=[800, 600])
    assert s.resolution == (800, 600) and problems(s) == []


def test_every_problem_at_once():
    with pytest.raises(ScannerError) as exc:
        make_source(ScannerSettings(source="picamera", decoder="zxng", retry_budget_ms=-1, resolution=(640,)))
    msg = str(exc.value)
    assert "did you mean 'picamera2'" in msg and "did you mean 'zxing'" in msg
    assert "retry_budget_ms" in msg and "resolution" in msg


def test_unknown_key_did_you_mean():
    with pytest.raises(ScannerError, match="did you mean 'debounce_gap_s'"):
        load(ScannerSettings, {"debounce_gap": 2}, ScannerError)


def test_replay_needs_a_device():
    with pytest.raises(ScannerError, match="replay"):
        make_source(ScannerSettings(source="replay"))


def test_every_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [f.name for f in fields(ScannerSettings) if f"`{f.name}`" not in text]
    assert not missing, f"docs/scanner.md does not document: {missing}"
    assert all(help_texts(ScannerSettings).values())
