"""The rendered ticket: sizes, wrapping, and the number and Chinese class name read back by OCR."""

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from photoqueue.printer.fonts import find_cjk_font, load_font
from photoqueue.printer.layout import render_ticket, wrap

from .conftest import LONGEST_CLASS, make_ticket

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def ocr(image: Image.Image, tmp_path, lang: str, psm: int) -> str:
    path = tmp_path / f"ocr-{lang}-{psm}.png"
    image.save(path)
    result = subprocess.run(["tesseract", str(path), "-", "-l", lang, "--psm", str(psm)],
                            capture_output=True, text=True, timeout=120, check=True)
    return "".join(result.stdout.split())


@pytest.mark.parametrize("width", [384, 576])
@pytest.mark.parametrize("reprint", [False, True])
def test_ticket_is_one_bit_and_as_wide_as_the_head(width, reprint):
    image = render_ticket(make_ticket(reprint=reprint), width)
    assert image.mode == "1" and image.width == width
    assert 400 < image.height < 1000
    dots = np.asarray(image.convert("L")) < 128
    assert not dots[:, :3].any() and not dots[:, -3:].any()  # nothing clipped at the edges
    solid = (dots[:, 10:-10].mean(axis=1) > 0.9).sum()  # rows black across: rules, the reprint bar
    assert solid >= 3
    if reprint:
        bar = (dots[:, 10:-10].mean(axis=1) > 0.7).sum()
        assert bar > 20  # the black 补打 / REPRINT bar


def test_reprint_adds_a_solid_bar_near_the_top():
    normal = dots_of(render_ticket(make_ticket(), 576))
    reprint = dots_of(render_ticket(make_ticket(reprint=True), 576))
    assert reprint.shape[0] > normal.shape[0]
    dark = lambda d: np.flatnonzero(d[:, 10:-10].mean(axis=1) > 0.7)  # noqa: E731
    assert len(dark(normal)) <= 6  # only the rules
    assert len(dark(reprint)) >= 30 and 40 < dark(reprint)[0] < 150  # the bar, under the room


def dots_of(image):
    return np.asarray(image.convert("L")) < 128


def test_long_class_name_wraps_within_the_width():
    font = load_font(find_cjk_font(), 28)
    lines = wrap(LONGEST_CLASS, font, 300)
    assert "".join(lines) == LONGEST_CLASS
    assert len(lines) >= 2 and all(font.getlength(line) <= 300 for line in lines)
    assert lines[1].startswith("(")  # broken before the bracket, not inside a word
    assert wrap("请按顺序排队，拍摄时向摄影师报出拍摄号", font, 400)[0].endswith("，")
    assert not any(line.startswith(("，", "）")) for line in wrap("一二三四五六七八九，十）" * 3, font, 150))


def test_long_words_are_cut_when_nothing_else_fits():
    font = load_font(find_cjk_font(), 28)
    lines = wrap("A" * 80, font, 200)
    assert "".join(lines) == "A" * 80 and all(font.getlength(line) <= 200 for line in lines)


def test_unknown_position_and_wait_leave_out_the_queue_line():
    with_queue = render_ticket(make_ticket(), 576)
    without = render_ticket(make_ticket(position=None, wait_minutes=None, class_name=None), 576)
    assert without.height < with_queue.height


@pytest.mark.parametrize("width", [384, 576])
def test_ocr_reads_the_number_and_the_chinese_class_name(width, tmp_path):
    assert shutil.which("tesseract"), "tesseract-ocr is installed by `make setup` (Makefile DEB_PKGS)"
    image = render_ticket(make_ticket(number=4817, reprint=True), width)
    text = ocr(image, tmp_path, "chi_sim", 6)
    assert "7F3A" not in text  # issue 23: 校验 dropped (nothing on the screen to check it against)
    for part in ("计算机科学与技术", "第二学士学位", "第一组", "请按顺序排队", "补打"):
        assert part in text, f"{part!r} not in OCR text {text!r}"
    # the shooting number is far taller than OCR likes: read it from a ticket scaled down
    grey = image.convert("L")
    small = grey.resize((int(grey.width * 0.3), int(grey.height * 0.3)), Image.LANCZOS)
    assert "4817" in ocr(small, tmp_path, "eng", 11)
