"""photoqueue decode with a high-resolution companion: FRAME.png + FRAME.hires.png, the station's hires retry
measured from files."""

import json

import cv2
import numpy as np

from photoqueue.cli import main
from photoqueue.demo.phone_frames import qr_modules

TEXT = "HIRES-PAIR-" + "x" * 60


def write_pair(folder, name="frame"):
    """A main-stream frame where the code is sharp at 6 px a module, and its lores view where the code is
    seen but too soft to read."""
    mods = qr_modules(TEXT)
    big = np.full((1296, 2304), 235, np.uint8)
    sym = cv2.resize(np.where(mods, 30, 235).astype(np.uint8), (mods.shape[0] * 6,) * 2,
                     interpolation=cv2.INTER_NEAREST)
    big[300:300 + sym.shape[0], 900:900 + sym.shape[1]] = sym
    lores = cv2.GaussianBlur(cv2.resize(big, (640, 480), interpolation=cv2.INTER_AREA), (0, 0), 1.3)
    frame, companion = folder / f"{name}.png", folder / f"{name}.hires.png"
    cv2.imwrite(str(frame), lores)
    cv2.imwrite(str(companion), big)
    return frame, companion


def lines(capsys):
    return [json.loads(x) for x in capsys.readouterr().out.splitlines()]


def test_the_companion_is_used_when_the_frame_alone_fails(tmp_path, capsys):
    frame, companion = write_pair(tmp_path)
    assert main(["decode", "--json", "--no-hires", str(frame)]) == 0
    assert lines(capsys)[0]["codes"] == []
    assert main(["decode", "--json", str(frame)]) == 0
    [line] = lines(capsys)
    assert line["codes"] == [TEXT] and line["stage"] == "hires"
    assert line["hires"] == str(companion) and line["hires_read"] is True


def test_a_companion_named_on_the_command_line_is_not_a_frame_of_its_own(tmp_path, capsys):
    frame, companion = write_pair(tmp_path)
    assert main(["decode", "--json", str(frame), str(companion)]) == 0
    assert [x["path"] for x in lines(capsys)] == [str(frame)]


def test_the_companion_is_not_read_when_the_frame_reads_alone(tmp_path, capsys):
    mods = qr_modules(TEXT)
    sharp = np.kron(np.pad(~mods, 4, constant_values=True), np.ones((5, 5), bool)).astype(np.uint8) * 255
    cv2.imwrite(str(tmp_path / "sharp.png"), sharp)
    (tmp_path / "sharp.hires.png").write_bytes(b"not read, so never found broken")
    assert main(["decode", "--json", str(tmp_path / "sharp.png")]) == 0
    [line] = lines(capsys)
    assert line["codes"] == [TEXT] and line["hires_read"] is False


def test_a_broken_companion_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    frame, companion = write_pair(tmp_path)
    companion.write_bytes(b"\x89PNG broken")
    assert main(["decode", str(frame)]) == 1
    err = capsys.readouterr().err
    assert "frame.hires.png" in err and "not an image" in err and "Traceback" not in err
