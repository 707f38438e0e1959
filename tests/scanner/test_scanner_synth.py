"""Generated phone-screen frames: the pipeline far above raw zbar and zxing-cpp, and no code from nothing."""

import numpy as np
import pytest
from pyzbar import pyzbar

from photoqueue.demo import phone_frames as synth


def raw_zxing(gray):
    import zxingcpp

    return [bytes(b.bytes).decode("utf-8", "replace") for b in zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormat.QRCode)]


def raw_zbar(gray):
    return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])]


def test_generator_is_deterministic_and_shaped_like_the_lores_stream():
    a, b = synth.generate(7), synth.generate(7)
    assert np.array_equal(a.image, b.image) and a.text == b.text
    assert a.image.shape == (480, 640) and a.image.dtype == np.uint8
    assert not np.array_equal(a.image, synth.generate(8).image)


def test_payloads_are_30_to_200_bytes():
    rng = np.random.default_rng(0)
    sizes = [len(synth.make_payload(rng).encode()) for _ in range(500)]
    assert min(sizes) >= 30 and max(sizes) <= 200
    assert min(sizes) < 50 and max(sizes) > 180


def test_generator_draws_the_troubles_of_the_day():
    conds = [synth.generate(s).conditions for s in range(60)]
    for key in ("glare", "moire", "defocus", "motion"):
        assert sum(key in c for c in conds) >= 10, key
    assert min(c["brightness"] for c in conds) < 0.5
    assert synth.generate(3, with_code=False).text is None


def test_a_clean_symbol_from_the_generator_reads_back():
    text = "采集码:" + "A" * 40
    mods = synth.qr_modules(text)
    img = np.kron(np.pad(~mods, 4, constant_values=True), np.ones((4, 4), bool)).astype(np.uint8) * 255
    assert raw_zxing(img) == [text]


@pytest.mark.slow
def test_pipeline_is_far_above_raw_decoders_on_generated_frames(pipeline):
    frames = synth.frames(150, seed=20_000)
    counts = {"pipeline": 0, "zxing": 0, "zbar": 0}
    for f in frames:
        counts["pipeline"] += f.text in pipeline.decode(f.image).texts
        counts["zxing"] += f.text in raw_zxing(f.image)
        counts["zbar"] += f.text in raw_zbar(f.image)
    rates = {k: v / len(frames) for k, v in counts.items()}
    assert rates["pipeline"] >= 0.8, rates
    assert rates["pipeline"] >= rates["zxing"] + 0.10, rates
    assert rates["pipeline"] >= rates["zbar"] + 0.25, rates


@pytest.mark.slow
def test_frames_without_a_code_never_yield_a_code(pipeline):
    for f in synth.frames(400, seed=70_000, with_code=False):
        result = pipeline.decode(f.image)
        assert result.texts == [], (f.conditions, result.texts)


def test_every_read_of_a_generated_frame_is_its_own_code(pipeline):
    for f in synth.frames(40, seed=30_000):
        assert set(pipeline.decode(f.image).texts) <= {f.text}
