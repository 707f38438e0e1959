"""Time as well as space: frames of one showing combined where each alone fails (TemporalPipeline)."""

import time

import cv2
import numpy as np

from photoqueue.demo.phone_frames_optics import symbol
from photoqueue.scanner import Scanner, ScannerSettings
from photoqueue.scanner.pipeline import Pipeline
from photoqueue.scanner.reads import ScanEvent
from photoqueue.scanner.temporal import TemporalPipeline, average_aligned

TEXT = "TEMPORAL-" + "k" * 60


def noisy_showing(seed: int, frames: int = 8, sigma: float = 80.0) -> list[np.ndarray]:
    """A code held still (a pixel or two of tremor) at 3 px a module, drowned in per-frame sensor noise:
    too noisy for any one frame, not for the mean of a few."""
    rng = np.random.default_rng(seed)
    mods = symbol(TEXT, "M")
    sym = np.pad(np.where(np.kron(mods, np.ones((8, 8), bool)), 40.0, 200.0).astype(np.float32), 32,
                 constant_values=200.0)
    out = []
    for _ in range(frames):
        dx, dy = rng.uniform(-2, 2, 2)
        m = np.float32([[3 / 8, 0, 200 + dx], [0, 3 / 8, 120 + dy]])
        card = cv2.warpAffine(sym, m, (640, 480), flags=cv2.INTER_AREA)
        mask = cv2.warpAffine(np.ones_like(sym), m, (640, 480), flags=cv2.INTER_LINEAR)
        img = cv2.GaussianBlur(90 * (1 - mask) + card * mask, (0, 0), 0.6)
        out.append(np.clip(img + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8))
    return out


def cpu_pipeline() -> Pipeline:
    return Pipeline(clock=time.thread_time)  # budgets in this thread's CPU time: a loaded machine reads the same


def test_every_single_frame_fails_but_the_combined_frames_read():
    for seed in (101, 102, 104):
        frames = noisy_showing(seed)
        single = cpu_pipeline()
        assert not any(TEXT in single.decode(f).texts for f in frames), seed
        temporal = TemporalPipeline(cpu_pipeline(), frames=5, clock=time.thread_time)
        results = [temporal.decode(f, now=i / 30.0) for i, f in enumerate(frames)]
        read = [i for i, r in enumerate(results) if TEXT in r.texts]
        assert read, seed
        assert results[read[0]].stage == "temporal" and results[read[0]].texts == [TEXT]


def test_frames_too_far_apart_are_not_combined():
    frames = noisy_showing(101)
    temporal = TemporalPipeline(cpu_pipeline(), frames=5, max_gap_s=0.2, clock=time.thread_time)
    # one frame a second: the last frame is from another moment (the phone moved, another student)
    assert not any(TEXT in temporal.decode(f, now=float(i)).texts for i, f in enumerate(frames))


def test_one_frame_depth_is_the_single_frame_pipeline():
    temporal = TemporalPipeline(cpu_pipeline(), frames=1, clock=time.thread_time)
    assert not any(TEXT in temporal.decode(f, now=i / 30.0).texts for i, f in enumerate(noisy_showing(102)))


def test_code_free_frames_pay_no_combination():
    temporal = TemporalPipeline(cpu_pipeline(), clock=time.thread_time)
    rng = np.random.default_rng(5)
    for i in range(6):
        frame = np.clip(120 + rng.normal(0, 3, (480, 640)), 0, 255).astype(np.uint8)
        r = temporal.decode(frame, now=i / 30.0)
        assert r.texts == [] and "temporal" not in r.trace and r.regions == 0


def test_crops_that_do_not_align_are_left_out():
    rng = np.random.default_rng(9)
    current = rng.integers(0, 255, (96, 96), dtype=np.uint8)
    unrelated = rng.integers(0, 255, (96, 96), dtype=np.uint8)
    assert average_aligned(current, [unrelated]) is None
    shifted = np.roll(current, (3, -2), axis=(0, 1))
    mean = average_aligned(current, [shifted])
    assert mean is not None
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(mean[inner].astype(int) - current[inner]).mean() < 3  # moved back onto the current crop


def test_the_station_scanner_combines_frames_and_setting_one_frame_turns_it_off():
    frames = noisy_showing(104)
    settings = ScannerSettings(temporal_frames=5)
    on = Scanner(settings, pipeline=TemporalPipeline(cpu_pipeline(), frames=settings.temporal_frames,
                                                     clock=time.thread_time))
    events = [e for i, f in enumerate(frames) for e in on.process(f, 100.0 + i / 30.0)]
    assert [e.text for e in events if isinstance(e, ScanEvent)] == [TEXT]
    # the settings choose it: the default scanner wraps the pipeline, temporal_frames=1 does not
    assert isinstance(Scanner(ScannerSettings()).pipeline, TemporalPipeline)
    assert not isinstance(Scanner(ScannerSettings(temporal_frames=1)).pipeline, TemporalPipeline)
