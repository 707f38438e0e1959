"""On-device smoke test of the scanner's camera path (Raspberry Pi with a camera; collected only with -m hardware).

Run on the Pi: ``.venv/bin/python -m pytest -m hardware tests/hardware/test_camera_smoke.py -s``.
The last test needs a person: set PHOTOQUEUE_SMOKE_CODE=1 and hold a phone with a QR code to the camera.
"""

import os
import time

import numpy as np
import pytest

pytestmark = pytest.mark.hardware

picamera2 = pytest.importorskip("picamera2", reason="needs picamera2 on a Raspberry Pi with a camera")


@pytest.fixture(scope="module")
def camera():
    from photoqueue.scanner.picam import Picamera2Source
    from photoqueue.scanner.settings import ScannerSettings

    try:
        source = Picamera2Source(ScannerSettings(source="picamera2"))
        source.open()
    except Exception as exc:  # no camera attached
        pytest.skip(f"no Pi camera: {exc}")
    yield source
    source.close()


def test_lores_frames_are_gray_640x480_and_not_black(camera):
    frames = [camera.read() for _ in range(10)]
    for f in frames:
        assert f.shape == (480, 640) and f.dtype == np.uint8
    assert max(int(f.max()) for f in frames) > 20


def test_main_stream_gives_a_hires_frame(camera):
    hi = camera.read_hires()
    assert hi.ndim == 2 and hi.shape[1] > 640


def test_lores_pipeline_keeps_up(camera):
    from photoqueue.scanner.pipeline import Pipeline

    p = Pipeline()
    times = []
    for _ in range(30):
        f = camera.read()
        t = time.perf_counter()
        p.decode(f)
        times.append(time.perf_counter() - t)
    assert sorted(times)[15] < 0.05, "the cheap pass should take well under 50 ms on a Pi"


@pytest.mark.skipif(not os.environ.get("PHOTOQUEUE_SMOKE_CODE"),
                    reason="needs a person holding a code to the camera (PHOTOQUEUE_SMOKE_CODE=1)")
def test_a_code_held_to_the_camera_is_one_scan(camera):
    from photoqueue.scanner.scanner import Scanner

    scanner = Scanner()
    print("\nhold a QR code in front of the camera for 5 seconds ...")
    events = []
    end = time.monotonic() + 8
    while time.monotonic() < end:
        events += scanner.process(camera.read(), time.monotonic(), hires=camera.read_hires)
    scans = [e for e in events if hasattr(e, "text")]
    assert len(scans) == 1, events
