"""photoqueue decode [--json] IMAGE..."""

import json

import pytest

from photoqueue.cli import main

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def test_decode_json_one_object_a_line(corpus, tmp_path, capsys):
    (p1, t1), (p2, t2) = corpus[0], corpus[60]
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG broken")
    status = main(["decode", "--json", str(p1), str(bad), str(tmp_path / "missing.jpg"), str(p2)])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert [x["path"] for x in lines] == [str(p1), str(bad), str(tmp_path / "missing.jpg"), str(p2)]
    assert lines[0]["codes"] == [t1] and lines[3]["codes"] == [t2]
    assert isinstance(lines[0]["ms"], float) and lines[0]["ms"] >= 0
    assert lines[1]["codes"] == [] and "not an image" in lines[1]["error"]
    assert "no such image" in lines[2]["error"]


def test_decode_plain_output_and_error_line(corpus, tmp_path, capsys):
    path, text = corpus[5]
    assert main(["decode", str(path)]) == 0
    out = capsys.readouterr().out
    assert str(path) in out and text.splitlines()[0] in out and " ms" in out
    assert main(["decode", str(tmp_path / "nope.png")]) == 1
    captured = capsys.readouterr()
    assert "no such image" in captured.err and "Traceback" not in captured.err


def test_decode_a_blank_image_finds_nothing(tmp_path, capsys):
    import cv2
    import numpy as np

    p = tmp_path / "blank.png"
    cv2.imwrite(str(p), np.full((100, 100), 200, np.uint8))
    assert main(["decode", "--json", str(p)]) == 0
    assert json.loads(capsys.readouterr().out)["codes"] == []


def test_decode_a_directory_says_it_is_one(tmp_path, capsys):
    assert main(["decode", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}: is a directory" in err and "no such" not in err
