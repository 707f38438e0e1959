"""The second generator (demo/phone_frames_optics): deterministic, its troubles drawn, its levels ordered,
its showings steadying; and the pipeline reading what it makes, as behaviour."""

import time

import numpy as np
import pytest

from photoqueue.demo import phone_frames_optics as optics
from photoqueue.demo import phone_frames_shaky as shaky
from photoqueue.scanner import Scanner, ScannerSettings
from photoqueue.scanner.pipeline import Pipeline
from photoqueue.scanner.reads import ScanEvent
from photoqueue.scanner.temporal import TemporalPipeline


def raw_zxing_bytes(gray) -> list[str]:
    import zxingcpp

    return [bytes(b.bytes).decode("utf-8", "replace")
            for b in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_frames_are_deterministic_lores_shaped_and_differ_by_seed():
    a, b = optics.generate(7, "medium"), optics.generate(7, "medium")
    assert np.array_equal(a.image, b.image) and a.text == b.text
    assert a.image.shape == (480, 640) and a.image.dtype == np.uint8
    assert not np.array_equal(a.image, optics.generate(8, "medium").image)
    assert optics.generate(7, "medium", with_code=False).text is None


def test_payloads_are_30_to_200_bytes_and_symbols_read_back():
    rng = np.random.default_rng(3)
    texts = [optics.payload(rng) for _ in range(300)]
    sizes = [len(t.encode()) for t in texts]
    assert min(sizes) >= 30 and max(sizes) <= 200 and any(not t.isascii() for t in texts)
    text = texts[0]
    mods = optics.symbol(text, "Q")
    img = np.kron(np.pad(~mods, 4, constant_values=True), np.ones((4, 4), bool)).astype(np.uint8) * 255
    assert raw_zxing_bytes(img) == [text]


def test_the_troubles_are_drawn_and_harder_levels_have_smaller_codes_and_less_light():
    conds = {lv: [optics.generate(s, lv).conditions for s in range(24)] for lv in optics.LEVELS}
    every = [c for cs in conds.values() for c in cs]
    assert sum(c["glare"] is not None for c in every) >= 15
    assert sum(c["thumb"] for c in every) >= 10
    assert sum(c["moire"] > 0.1 for c in every) >= 15
    assert {c["aperture_blades"] for c in every} >= {0, 5, 6}
    assert max(c["gain"] for c in every) > 1.5 and min(c["gain"] for c in every) == 1.0
    ppm = {lv: np.median([c["px_per_module"] for c in cs]) for lv, cs in conds.items()}
    light = {lv: np.median([c["light"] for c in cs]) for lv, cs in conds.items()}
    assert ppm["easy"] > ppm["medium"] > ppm["hard"]
    assert light["easy"] > light["medium"] > light["hard"]


def test_a_showing_comes_up_moving_and_steadies():
    for level in optics.LEVELS:
        frames = list(optics.sequence(5, level))
        assert len(frames) == 10 and len({f.text for f in frames}) == 1
        speeds = [f.conditions["speed_px_s"] for f in frames]
        assert max(speeds[:2]) > 2 * float(np.median(speeds[-3:])), speeds
        first, last = np.array(frames[0].conditions["code_quad"]), np.array(frames[-1].conditions["code_quad"])
        assert np.abs(first - last).max() > 1.0  # it moved


def test_the_main_stream_companion_is_the_same_moment_three_times_larger():
    frame, big = optics.hires_pair(4, "easy")
    assert big.shape == (1440, 1920) and big.dtype == np.uint8
    small = big.reshape(480, 3, 640, 3).mean(axis=(1, 3))
    assert np.corrcoef(small.ravel(), frame.image.ravel().astype(float))[0, 1] > 0.9


def test_easy_frames_are_read_and_the_pipeline_reads_more_than_raw_zxing_on_hard_ones(pipeline):
    easy = [optics.generate(40_000 + s, "easy") for s in range(12)]
    assert sum(f.text in pipeline.decode(f.image).texts for f in easy) >= 11
    hard = [optics.generate(40_000 + s, "hard") for s in range(24)]
    ours = sum(f.text in pipeline.decode(f.image).texts for f in hard)
    raw = sum(f.text in raw_zxing_bytes(f.image) for f in hard)
    assert ours >= raw + 2, (ours, raw)


def test_an_easy_showing_is_read_within_three_frames_by_the_station_scanner():
    for seed in range(41_000, 41_004):
        scanner = Scanner(ScannerSettings(), pipeline=TemporalPipeline(Pipeline(clock=time.thread_time),
                                                                       clock=time.thread_time))
        read_at = None
        for i, f in enumerate(optics.sequence(seed, "easy", count=3)):
            if any(isinstance(e, ScanEvent) and e.text == f.text for e in scanner.process(f.image, i / 30.0)):
                read_at = i
                break
        assert read_at is not None, seed


def test_shaky_showings_of_the_first_generator_steady_and_are_read(pipeline):
    firsts = []
    for seed in range(42_000, 42_006):
        frames = list(shaky.sequence(seed))
        assert frames[0].conditions["motion_px"] > frames[-1].conditions["motion_px"]
        firsts.append(next((i for i, f in enumerate(frames) if f.text in pipeline.decode(f.image).texts), None))
    assert all(f is not None for f in firsts), firsts


@pytest.mark.slow
def test_code_free_frames_of_the_second_generator_never_yield_a_code(pipeline):
    for s in range(43_000, 43_150):
        f = optics.generate(s, optics.LEVELS[s % 3], with_code=False)
        assert pipeline.decode(f.image).texts == [], f.conditions
