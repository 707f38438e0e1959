"""Screenshots of each layout, read back by OCR (tesseract with chi_sim, Debian's tesseract-ocr and
tesseract-ocr-chi-sim): the called number, the class names, the times and the alerts must be legible.

Each PNG is saved under the test's tmp_path. Two kinds of reading: each line cropped from the saved PNG
at the place the renderer says it drew it (so a wrong or unreadable line is caught where it is), and the
whole screen at once for the class names (so they read without knowing where they are).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from PIL import Image, ImageOps, ImageStat

from photoqueue.display import Flash
from photoqueue.display._pygame import pygame
from photoqueue.display.render import Renderer
from photoqueue.display.samples import sample_state

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

SIZES = [(1920, 1080), (1280, 720), (800, 480)]

NOW = dt.datetime(2023, 10, 25, 14, 32, 5)


def tesseract_ok() -> bool:
    if not shutil.which("tesseract"):
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    return "chi_sim" in langs


# Not a skip: CI must have the OCR (make setup installs tesseract-ocr and tesseract-ocr-chi-sim).
def test_tesseract_with_chinese_is_installed():
    assert tesseract_ok(), "install Debian's tesseract-ocr and tesseract-ocr-chi-sim (make debs)"


def ocr(image: Image.Image, path, psm: int) -> str:
    image.save(path)
    done = subprocess.run(
        ["tesseract", str(path), "-", "-l", "chi_sim", "--psm", str(psm)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def squash(text: str) -> str:
    """OCR text without spaces, and with the ASCII/full-width punctuation told apart no more."""
    table = str.maketrans({"（": "(", "）": ")", "：": ":", "；": ";", "，": ","})
    return re.sub(r"\s+", "", text.translate(table))


def crop_line(image: Image.Image, box, tmp_path, name: str, psm: int = 7) -> str:
    """OCR one drawn line: crop with a margin, dark-on-light, text about 64 px high."""
    pad = max(4, box.h // 8)
    crop = image.crop((max(0, box.x - pad), max(0, box.y - pad), box.right + pad, box.bottom + pad)).convert(
        "L"
    )
    if ImageStat.Stat(crop).mean[0] < 128:
        crop = ImageOps.invert(crop)
    crop = ImageOps.autocontrast(crop)
    scale = 64 / box.h
    crop = crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.LANCZOS)
    return squash(ocr(crop, tmp_path / f"crop-{name}.png", psm))


def screenshot(state, size, tmp_path, name):
    surface = pygame.Surface(size)
    renderer = Renderer(surface)
    renderer.render(state, NOW)
    path = tmp_path / f"{name}-{size[0]}x{size[1]}.png"
    pygame.image.save(surface, str(path))
    return renderer, Image.open(path).convert("RGB")


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_screens_read_back(size, tmp_path, longest_names):
    assert tesseract_ok()
    current, upcoming = longest_names
    state = sample_state(
        current=current, upcoming=upcoming, alerts=("打印机缺纸，请换纸", "网络离线（自 14:05）")
    )
    renderer, image = screenshot(state, size, tmp_path, "screen")
    lines = {p.slot_name: p for p in renderer.placed()}

    def read(slot):
        return crop_line(image, lines[slot].box, tmp_path, slot)

    def read_run(slot, text):
        box = dict(lines[slot].runs)[text]
        return crop_line(image, box, tmp_path, f"{slot}-{text}", psm=8)

    # The number being called, and the words around it.
    assert read_run("call", "17") == "17"
    assert "同学拍摄" in read_run("call", " 号同学拍摄")
    assert read("call") == "请17号同学拍摄"
    # The next numbers.
    assert read("next_1").startswith("1819")
    # The class names, whole (OCR may read the full-width parenthesis as a narrow one).
    assert squash(current) in read("cur_name")
    assert squash(upcoming) in read("up_name")
    assert "12/53" in read("cur_count")
    # The times: the clock, the next class's start.
    assert read_run("clock", "14:32") == "14:32"
    assert "14:40" in read("up_info")
    # The alerts.
    alert = read("alert")
    assert "打印机缺纸" in alert and "网络离线" in alert and "14:05" in alert
    # The wait and the pace.
    assert "等候" in read_run("waiting", "等候 ")
    assert read_run("waiting", "8") == "8"
    assert "约4分钟" in read_run("waiting", "约 4 分钟")
    assert "晚5分钟" in read("pace")
    # The whole screen at once: the class names read without knowing where they are.
    page = squash(ocr(image, tmp_path / "page.png", 3))
    assert "计算机科学与技术" in page
    assert "机械设计制造" in page


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_flash_reads_back(size, tmp_path):
    assert tesseract_ok()
    renderer, image = screenshot(sample_state(flash=Flash("issued", number=25)), size, tmp_path, "flash")
    lines = {p.slot_name: p for p in renderer.placed()}
    text = crop_line(image, lines["flash"].box, tmp_path, "flash")
    assert "取号成功" in text and "25号" in text
