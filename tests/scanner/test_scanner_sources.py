"""Camera sources: replay (files, folder, video, frames), USB via OpenCV, picamera2 against a fake."""

import sys
import types

import cv2
import numpy as np
import pytest

from photoqueue.scanner.picam import Picamera2Source, y_plane
from photoqueue.scanner.settings import ScannerSettings
from photoqueue.scanner.sources import CameraError, ImageFileSource, OpenCVSource, load_gray, make_source

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def frames(n=3, shape=(480, 640)):
    return [np.full(shape, 40 * (i + 1), np.uint8) for i in range(n)]


def read_all(src):
    src.open()
    out = []
    while (f := src.read()) is not None:
        out.append(f)
    src.close()
    return out


def test_replay_in_memory_frames_then_exhausted():
    src = ImageFileSource(frames())
    got = read_all(src)
    assert [int(f[0, 0]) for f in got] == [40, 80, 120] and src.exhausted


def test_replay_loops_and_paces_with_injected_sleep():
    slept = []
    src = ImageFileSource(frames(2), loop=True, fps=10, sleep=slept.append)
    src.open()
    got = [int(src.read()[0, 0]) for _ in range(5)]
    assert got == [40, 80, 40, 80, 40] and slept == [0.1] * 5


def test_replay_folder_in_natural_order_and_color_to_gray(tmp_path):
    for i in (10, 2, 1):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((20, 30, 3), i * 10, np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    got = read_all(ImageFileSource(tmp_path))
    assert [int(f[0, 0]) for f in got] == [10, 20, 100] and got[0].ndim == 2


def test_replay_video(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    assert writer.isOpened()
    for i in range(4):
        writer.write(np.full((48, 64, 3), 50 + 40 * i, np.uint8))
    writer.release()
    got = read_all(ImageFileSource(path))
    assert len(got) == 4 and got[0].shape == (48, 64) and abs(int(got[3][10, 10]) - 170) < 10


def test_replay_missing_path_is_a_camera_error(tmp_path):
    with pytest.raises(CameraError):
        ImageFileSource(tmp_path / "nope").open()


def test_load_gray_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    with pytest.raises(Exception, match="not an image"):
        load_gray(bad)
    with pytest.raises(Exception, match="no such image"):
        load_gray(tmp_path / "missing.png")


def test_usb_camera_that_is_not_there_will_not_open():
    with pytest.raises(CameraError, match="cannot open"):
        OpenCVSource("/dev/video-none").open()


def test_make_source_by_kind(tmp_path):
    assert make_source(ScannerSettings()) is None
    assert isinstance(make_source(ScannerSettings(source="usb", device="2")), OpenCVSource)
    assert isinstance(make_source(ScannerSettings(source="replay", device=str(tmp_path))), ImageFileSource)
    assert isinstance(make_source(ScannerSettings(source="picamera2")), Picamera2Source)


# -- picamera2 ---------------------------------------------------------------------------------------


class FakePicamera2:
    """The few picamera2 calls the adapter makes, behaving as picamera2 does: YUV420 buffers are flat,
    rows padded to the stream's stride; sizes may be adjusted by configure (here: width to even)."""

    instances: list = []
    fail_open = False

    def __init__(self, camera_num=0):
        if FakePicamera2.fail_open:
            raise IndexError("list index out of range")  # what picamera2 raises with no camera attached
        self.camera_num = camera_num
        self.calls = []
        self.controls = {}
        self.started = self.closed = False
        self.config = None
        FakePicamera2.instances.append(self)

    def create_video_configuration(self, main=None, lores=None, controls=None, buffer_count=6):
        self.calls.append("create_video_configuration")
        return {"main": dict(main), "lores": dict(lores), "controls": dict(controls or {}),
                "buffer_count": buffer_count}

    def configure(self, config):
        assert config["lores"]["format"] == "YUV420", "picamera2 requires a YUV lores stream"
        self.calls.append("configure")
        self.config = config
        self.streams = {}
        for name in ("main", "lores"):
            w, h = config[name]["size"]
            self.streams[name] = {"size": (w, h), "format": "YUV420", "stride": (w + 63) // 64 * 64}

    def stream_configuration(self, name):
        return dict(self.streams[name])

    def start(self):
        assert self.config is not None
        self.started = True

    def set_controls(self, controls):
        self.controls.update(controls)

    def capture_buffer(self, name):
        s = self.streams[name]
        w, h = s["size"]
        y = (np.arange(h)[:, None] + np.arange(w)[None, :]) % 251
        padded = np.full((h, s["stride"]), 255, np.uint8)  # padding bytes: never part of the image
        padded[:, :w] = y
        uv = np.full(s["stride"] * h // 2, 128, np.uint8)
        return np.concatenate([padded.ravel(), uv])

    def stop(self):
        self.started = False

    def close(self):
        self.closed = True


@pytest.fixture
def fake_picamera2():
    FakePicamera2.instances = []
    FakePicamera2.fail_open = False
    return types.SimpleNamespace(Picamera2=FakePicamera2)


def test_picamera2_lores_y_plane_is_the_gray_frame(fake_picamera2):
    src = Picamera2Source(ScannerSettings(source="picamera2", resolution=(640, 480)), module=fake_picamera2)
    src.open()
    cam = FakePicamera2.instances[0]
    assert cam.started and cam.config["lores"]["size"] == (640, 480) and cam.config["main"]["format"] == "YUV420"
    frame = src.read()
    assert frame.shape == (480, 640) and frame.dtype == np.uint8 and frame.flags["C_CONTIGUOUS"]
    assert frame.max() < 251  # no stride padding leaked in
    assert frame[3, 5] == 8
    hi = src.read_hires()
    assert hi.shape == (1296, 2304)
    src.close()
    assert cam.closed and not cam.started


def test_picamera2_focus_from_settings(fake_picamera2):
    src = Picamera2Source(ScannerSettings(source="picamera2"), module=fake_picamera2)
    src.open()
    assert FakePicamera2.instances[-1].controls == {"AfMode": 2}
    src = Picamera2Source(ScannerSettings(source="picamera2", autofocus="manual", lens_position=8.5),
                          module=fake_picamera2)
    src.open()
    assert FakePicamera2.instances[-1].controls == {"AfMode": 0, "LensPosition": 8.5}
    src = Picamera2Source(ScannerSettings(source="picamera2", autofocus="off"), module=fake_picamera2)
    src.open()
    assert FakePicamera2.instances[-1].controls == {}


def test_picamera2_without_a_camera_is_a_camera_error(fake_picamera2):
    FakePicamera2.fail_open = True
    with pytest.raises(CameraError, match="cannot open the Pi camera"):
        Picamera2Source(module=fake_picamera2).open()


def test_y_plane_checks_the_buffer():
    buf = np.arange(100 * 12, dtype=np.uint8)
    assert y_plane(buf, (90, 10), 100).shape == (10, 90)
    with pytest.raises(CameraError):
        y_plane(buf[:500], (90, 10), 100)


def test_a_picamera2_that_fails_to_import_with_a_value_error_is_a_camera_fault(tmp_path, monkeypatch):
    # What apt's picamera2 does under a pip numpy 2: simplejpeg raises ValueError while importing.
    (tmp_path / "picamera2").mkdir()
    (tmp_path / "picamera2" / "__init__.py").write_text(
        "raise ValueError('numpy.dtype size changed, may indicate binary incompatibility')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "picamera2", raising=False)
    with pytest.raises(CameraError, match="picamera2 does not import .*ValueError.*install-pi.sh"):
        Picamera2Source(ScannerSettings(source="picamera2")).open()
