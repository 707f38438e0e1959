"""The pipeline's stages: cheap pass, region retries, fitted grid, high-resolution retry, budget."""

import cv2
import numpy as np
import pytest

from photoqueue.demo import phone_frames as synth
from photoqueue.scanner.locate import code_like_regions
from photoqueue.scanner.pipeline import Pipeline, SingleDecoder, make_pipeline

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def test_a_plain_frame_ends_in_the_cheap_pass(pipeline):
    f = synth.generate(5)
    clean = pipeline.decode(f.image)
    if clean.stage == "cheap":
        assert clean.attempts == 0


def test_blank_frames_cost_no_retry(pipeline):
    r = pipeline.decode(np.full((480, 640), 128, np.uint8))
    assert r.texts == [] and r.regions == 0 and r.attempts == 0


def test_locator_finds_the_code_and_not_a_flat_screen():
    f = synth.generate(11)
    quad = np.array(f.conditions["code_quad"])
    cx, cy = quad.mean(0)
    regions = code_like_regions(f.image)
    assert any(r.x <= cx <= r.x + r.w and r.y <= cy <= r.y + r.h for r in regions)
    assert code_like_regions(np.full((480, 640), 90, np.uint8)) == []


def test_warped_shirt_code_reads_through_the_fitted_grid(pipeline, corpus):
    path = next(p for p, _ in corpus if p.parent.name == "qrcode-4" and p.stem == "05")
    expected = path.with_suffix(".txt").read_text(encoding="utf-8")
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert SingleDecoder("zxing").decode(gray).texts == []
    r = pipeline.decode(gray)
    assert r.texts == [expected] and r.stage == "gridfit"


def test_zero_budget_means_cheap_pass_only(corpus):
    path = next(p for p, _ in corpus if p.parent.name == "qrcode-4" and p.stem == "05")
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    r = Pipeline(budget_ms=0).decode(gray)
    assert r.texts == [] and r.attempts == 0 and r.regions >= 1


def test_high_resolution_stream_rescues_a_code_too_blurred_in_lores():
    text = "HIRES-" + "x" * 60
    mods = synth.qr_modules(text)
    big = np.full((1296, 2304), 235, np.uint8)  # the main stream: 6 px a module, sharp
    sym = cv2.resize(np.where(mods, 30, 235).astype(np.uint8), (mods.shape[0] * 6,) * 2,
                     interpolation=cv2.INTER_NEAREST)
    big[300:300 + sym.shape[0], 900:900 + sym.shape[1]] = sym
    # lores: about 1.7 x 2.2 px a module, and softer: a code is seen there but cannot be read
    lores = cv2.GaussianBlur(cv2.resize(big, (640, 480), interpolation=cv2.INTER_AREA), (0, 0), 1.3)
    p = Pipeline()
    seen = p.decode(lores)
    assert seen.texts == [] and seen.regions >= 1
    calls = []
    r = p.decode(lores, hires=lambda: calls.append(1) or big)
    assert r.texts == [text] and r.stage == "hires" and calls == [1]


def test_two_codes_in_one_frame_are_both_reported(pipeline):
    a, b = synth.qr_modules("FIRST-" + "a" * 30), synth.qr_modules("SECOND-" + "b" * 30)
    img = np.full((480, 640), 240, np.uint8)
    for mods, x in ((a, 60), (b, 360)):
        sym = cv2.resize(np.where(mods, 20, 240).astype(np.uint8), (mods.shape[0] * 6,) * 2,
                         interpolation=cv2.INTER_NEAREST)
        img[100:100 + sym.shape[0], x:x + sym.shape[1]] = sym
    assert sorted(pipeline.decode(img).texts) == ["FIRST-" + "a" * 30, "SECOND-" + "b" * 30]


def test_make_pipeline_by_name():
    assert isinstance(make_pipeline("pipeline"), Pipeline)
    assert isinstance(make_pipeline("zbar"), SingleDecoder)
