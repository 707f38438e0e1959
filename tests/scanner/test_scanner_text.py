"""Payload bytes to text: UTF-8 without an ECI must read right whichever decoder saw it."""

import numpy as np
import pytest

from photoqueue.demo.phone_frames import qr_modules
from photoqueue.scanner.decoders import ZbarDecoder, ZxingDecoder
from photoqueue.scanner.text import payload_text, undo_shift_jis_guess

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def symbol_image(text: str) -> np.ndarray:
    mods = qr_modules(text)  # UTF-8 bytes in byte mode, no ECI
    return np.kron(np.pad(~mods, 4, constant_values=True), np.ones((4, 4), bool)).astype(np.uint8) * 255


# Each of these, as UTF-8 bytes without an ECI, is read by raw zbar as Shift-JIS mojibake.
TRICKY = ["脰扽-199", "采集码:abc123", "图像采集 2024-06-01", "毕业生电子注册"]


@pytest.mark.parametrize("decoder", [ZxingDecoder, ZbarDecoder], ids=["zxing", "zbar"])
@pytest.mark.parametrize("text", TRICKY)
def test_utf8_payload_without_eci_reads_as_utf8(decoder, text):
    assert [d.text for d in decoder().decode(symbol_image(text))] == [text]


def test_raw_zbar_does_guess_shift_jis_on_one_of_them():
    from pyzbar import pyzbar

    raw = pyzbar.decode(symbol_image("脰扽-199"))[0].data.decode("utf-8", "replace")
    assert raw != "脰扽-199"
    assert undo_shift_jis_guess(raw) == "脰扽-199"


def test_payload_text_rules():
    assert payload_text("采集码".encode()) == "采集码"
    assert payload_text("阿".encode("gb2312"), decoder_text="阿") == "阿"  # not UTF-8: the decoder's reading
    assert payload_text(b"\xe9\x98\xbf", has_eci=True, decoder_text="é\x98¿") == "é\x98¿"  # the ECI rules
    assert payload_text("图像采集".encode("gb2312")) == "图像采集"  # no guess given: GB first, in China
    assert payload_text(b"\xff\xfe\xfd") != ""


def test_detections_carry_raw_bytes_and_position():
    d = ZxingDecoder().decode(symbol_image("A" * 30))[0]
    assert d.raw == b"A" * 30 and d.quad.shape == (4, 2) and d.decoder == "zxing"
    z = ZbarDecoder().decode(symbol_image("A" * 30))[0]
    assert z.raw == b"A" * 30 and np.allclose(z.quad, d.quad, atol=3)
