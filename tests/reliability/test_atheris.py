"""Runs the atheris (libFuzzer, coverage-guided) harness in its own process: no crash in N runs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from rel_helpers import HERE, record, size


def test_coverage_guided_fuzzing_finds_no_crash(tmp_path):
    # a dev dependency on x86-64 (CI, laptops); it has no wheel for a Pi's aarch64
    pytest.importorskip("atheris")
    runs = size(3000, 50000)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, seed in enumerate([b"\x00PQ1234567890abcdef", b"\x01\xe6\x97\xa5\xe6\x9c\x9f,\xe7\xbb\x84\xe5\x88\xab\n",
                              b'\x02[station]\nroom = "A"\n[printer]\nkind = "dummy"\n',
                              b"\x01\xfe\xff\xff"]):  # found by atheris: a UTF-16 mark on bytes that are not UTF-16
        (corpus / f"seed{i}").write_bytes(seed)
    result = subprocess.run([sys.executable, str(HERE / "atheris_fuzz.py"), f"-atheris_runs={runs}", "-max_len=512",
                             str(corpus)], capture_output=True, text=True, timeout=600,
                            cwd=tmp_path)  # libFuzzer writes crash-* files into the working directory
    done = re.findall(r"Done (\d+) in", result.stderr)
    crashed = result.returncode != 0
    record("atheris (coverage-guided): scan payloads, timetable files, config files", tried=runs,
           survived=0 if crashed else runs, lost=1 if crashed else 0)
    assert not crashed, result.stderr[-3000:]
    assert done and int(done[-1]) >= runs
