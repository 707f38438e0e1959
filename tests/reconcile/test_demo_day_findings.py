"""The demo's photo check tells exactly what its camera planted (issue 23, item 1: "never a shift that is not
there"). The demo's camera used to follow the demo's presses, not the line: a forgotten press planted while
only one student was in line was followed by a burst, under the next number, for a student who had not
scanned yet, so the summary showed a ``shifted`` stretch and one or two ``empty_press`` findings nobody had
planted (seed 2: room 第一组, 21 号 forgotten with only 22 in line; 23 came ten minutes later). The camera now
follows the line and keeps each frame's student: every room's findings are exactly the planted ones (the
forgotten press, the stretch it opens, staff's press that closes it, the no-show) and no photo is on
another student."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_the_demo_day_reports_exactly_the_planted_mistakes_and_no_photo_on_another_student(tmp_path: Path):
    data = tmp_path / "demo"
    args = [sys.executable, "-m", "photoqueue", "demo", "--headless", "--exit", "--speed", "0", "--students", "60",
            "--swap-at", "0", "--seed", "2", "--data-dir", str(data), "--no-progress"]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((data / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["rooms"]) == 2
    for room in summary["rooms"]:
        photos = room["photos"]
        planted = sorted(tuple(p) for p in photos["planted"])
        found = sorted((f["kind"], f["number"]) for f in photos["findings"])
        assert [k for k, _ in planted].count("missing_press") == 1, (room["room"], planted)
        assert found == planted, (room["room"], photos["findings"])
        assert photos["other_findings"] == 0
        assert photos["wrong_photos"] == 0
