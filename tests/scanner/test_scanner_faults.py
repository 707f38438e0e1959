"""Camera faults are reported and retried with backoff; the station never crashes on them."""

import threading

import numpy as np
import pytest

from photoqueue.demo import phone_frames as synth
from photoqueue.scanner.reads import ScanEvent, ScannerAlert
from photoqueue.scanner.scanner import Scanner, run_camera
from photoqueue.scanner.settings import ScannerSettings
from photoqueue.scanner.sources import CameraError, ImageFileSource
from photoqueue.scanner.supervisor import CameraSupervisor, frame_problem

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

GOOD = np.full((480, 640), 120, np.uint8)
SETTINGS = ScannerSettings(backoff_initial_s=0.5, backoff_max_s=8.0, stall_timeout_s=3.0, bad_frames_limit=3)


class ScriptedCamera:
    """A camera doing what its script says: 'open-fail', frames, None (nothing yet), 'raise'."""

    name = "scripted"

    def __init__(self, script, clock=None, frame_time=0.0):
        self.script = list(script)
        self.opens = 0
        self.closes = 0
        self.clock = clock
        self.frame_time = frame_time

    def open(self):
        self.opens += 1
        if self.script and isinstance(self.script[0], str) and self.script[0] == "open-fail":
            self.script.pop(0)
            raise CameraError("no camera")

    def read(self):
        if self.clock is not None:
            self.clock.advance(self.frame_time)
        item = self.script.pop(0) if self.script else GOOD
        if isinstance(item, str) and item == "raise":
            raise OSError("device unplugged")
        return item

    def close(self):
        self.closes += 1


def poll_n(sup, n):
    frames, alerts = [], []
    for _ in range(n):
        f, a = sup.poll()
        alerts += a
        if f is not None:
            frames.append(f)
    return frames, alerts


def test_camera_that_will_not_open_is_reported_once_and_retried_with_growing_waits(clock):
    cam = ScriptedCamera(["open-fail"] * 6)
    sup = CameraSupervisor(cam, SETTINGS, clock=clock, sleep=clock.sleep)
    frames, alerts = poll_n(sup, 7)
    assert [a.code for a in alerts] == ["camera_unavailable", "camera_recovered"]
    assert alerts[0].message_zh.startswith("摄像头无法打开") and "no camera" in alerts[0].message_en
    assert clock.slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]  # doubling, capped at backoff_max_s
    assert len(frames) == 1 and cam.opens == 7


def test_camera_that_stops_delivering_is_reopened(clock):
    cam = ScriptedCamera([GOOD] + [None] * 500, clock=clock, frame_time=0.1)
    sup = CameraSupervisor(cam, SETTINGS, clock=clock, sleep=clock.sleep)
    frames, alerts = poll_n(sup, 40)
    assert [a.code for a in alerts][:1] == ["camera_stalled"]
    assert cam.closes >= 1 and cam.opens >= 2


def test_read_errors_are_caught_and_retried(clock):
    cam = ScriptedCamera([GOOD, "raise", GOOD])
    sup = CameraSupervisor(cam, SETTINGS, clock=clock, sleep=clock.sleep)
    frames, alerts = poll_n(sup, 3)
    assert len(frames) == 2
    assert [a.code for a in alerts] == ["camera_stalled", "camera_recovered"]
    assert "device unplugged" in alerts[0].message_en


def test_garbage_frames_are_dropped_and_reported(clock):
    garbage = [np.zeros((480, 640), np.uint8), np.full((240, 320), 99, np.uint8),
               np.full((480, 640), 1.5, np.float32), np.full((480, 640, 3), 99, np.uint8), "not a frame"]
    cam = ScriptedCamera(garbage + [GOOD])
    sup = CameraSupervisor(cam, SETTINGS, clock=clock, sleep=clock.sleep)
    frames, alerts = poll_n(sup, 8)
    assert all(f is GOOD for f in frames) and len(frames) >= 1
    assert [a.code for a in alerts][:1] == ["camera_bad_frame"] and "camera_recovered" in [a.code for a in alerts]


def test_frame_problem_names_the_trouble():
    assert frame_problem(GOOD, (480, 640)) is None
    assert "black" in frame_problem(np.zeros((480, 640), np.uint8))
    assert "uint8" in frame_problem(np.zeros((480, 640), np.uint16))
    assert "640x480" in frame_problem(np.full((100, 100), 9, np.uint8), (480, 640))
    assert "not an image" in frame_problem(None)


def test_a_factory_that_raises_anything_never_escapes(clock):
    def factory():
        raise ValueError("libcamera exploded")

    sup = CameraSupervisor(factory, SETTINGS, clock=clock, sleep=clock.sleep)
    frames, alerts = poll_n(sup, 5)
    assert frames == [] and [a.code for a in alerts] == ["camera_unavailable"]


def test_scanner_process_never_raises_on_garbage():
    s = Scanner()
    for junk in (None, "x", np.zeros((3, 3)), np.zeros((480, 640, 3), np.uint8), np.zeros((0, 0), np.uint8)):
        assert s.process(junk, 1.0) == []


def test_camera_loop_end_to_end_with_a_replay_and_a_fault(clock):
    f = next(f for f in synth.frames(30, seed=40_000) if f.text)
    script = ["open-fail", f.image, f.image, "raise", f.image, f.image, None]
    cam = ScriptedCamera(script)
    sup = CameraSupervisor(cam, SETTINGS, clock=clock, sleep=clock.sleep)
    out = []
    stop = threading.Event()

    scanner = Scanner(ScannerSettings())
    polls = 0
    real_poll = sup.poll

    def poll():  # the scripted camera gives GOOD frames after its script: stop after a while
        nonlocal polls
        polls += 1
        if polls > 40:
            stop.set()
        return real_poll()

    sup.poll = poll
    run_camera(sup, scanner, out.append, stop, clock=clock)
    codes = [e.code for e in out if isinstance(e, ScannerAlert)]
    scans = [e for e in out if isinstance(e, ScanEvent)]
    assert codes[:2] == ["camera_unavailable", "camera_recovered"] and "camera_stalled" in codes
    decodable = scanner.pipeline.decode(f.image).texts == [f.text]
    assert [s.text for s in scans] == ([f.text] if decodable else [])


def test_replay_source_ends_the_camera_loop(clock):
    sup = CameraSupervisor(ImageFileSource([GOOD, GOOD]), SETTINGS, clock=clock, sleep=clock.sleep)
    run_camera(sup, Scanner(), lambda _e: None, threading.Event(), clock=clock)
    assert sup.finished
