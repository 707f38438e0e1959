import json
import os
import subprocess
import sys

import pytest

from photoqueue.cli import main
from photoqueue.display._pygame import pygame

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def test_preview_writes_png(tmp_path, capsys):
    state = tmp_path / "state.json"
    state.write_text(
        json.dumps(
            {
                "room": "B组",
                "now_serving": 42,
                "next": [43, 44],
                "current_class": {"name": "园艺17、园艺专升本191、192", "done": 30, "expected": 61},
                "next_class": {"name": "音乐学171、172、专升本19", "start": "10:40", "expected": 58},
                "waiting": 12,
                "alerts": [],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = tmp_path / "p.png"
    assert main(["display", "preview", "--out", str(out), "--size", "800x480", "--state", str(state)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"out": str(out), "size": [800, 480], "layout": "800x480"}
    assert pygame.image.load(str(out)).get_size() == (800, 480)


def test_preview_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["display", "preview"]) == 0
    assert pygame.image.load(str(tmp_path / "display-preview.png")).get_size() == (1920, 1080)


def test_preview_errors_are_messages(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"now_serving": "seventeen"}', encoding="utf-8")
    assert main(["display", "preview", "--state", str(bad), "--out", str(tmp_path / "x.png")]) == 1
    assert "now_serving" in capsys.readouterr().err
    assert main(["display", "preview", "--size", "big", "--out", str(tmp_path / "x.png")]) == 1
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_preview_show_runs_the_live_display(tmp_path):
    out = tmp_path / "s.png"
    assert main(["display", "preview", "--out", str(out), "--size", "800x480", "--show", "0.5"]) == 0


def test_call_command(capsys):
    assert main(["display", "call", "7"]) == 0
    assert json.loads(capsys.readouterr().out) == {"number": 7, "played": True, "speech_wav": None}


def test_entry_point_in_a_fresh_process(tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    out = tmp_path / "e.png"
    cmd = [sys.executable, "-m", "photoqueue", "display", "preview", "--out", str(out), "--size", "1280x720"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.is_file()
