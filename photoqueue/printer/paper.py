"""The paper of the emulated printer: a growing strip of dots, and the glyphs of its resident fonts."""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw

from photoqueue.printer.fonts import find_cjk_font, load_font

CELL_H = 24  # Font A: 12x24 for single-byte characters, 24x24 for Chinese
FONT_B = (9, 17)


@functools.lru_cache(maxsize=4096)
def glyph(ch: str, width: int, height: int) -> np.ndarray:
    """A (height, width) bool array: the character drawn in a cell as a resident font would print it."""
    img = Image.new("L", (width, height), 255)
    font = load_font(find_cjk_font(None), max(8, height - 2))
    left, top, right, bottom = font.getbbox(ch)
    x = (width - (right - left)) / 2 - left
    y = (height - (bottom - top)) / 2 - top if ch.strip() else 0
    ImageDraw.Draw(img).text((x, y), ch, font=font, fill=0)
    return np.asarray(img) < 140


class Paper:
    """Rows of dots printed so far for the current ticket, ``width`` dots across."""

    def __init__(self, width: int):
        self.width = width
        self.blocks: list[np.ndarray] = []
        self.height = 0

    def add(self, block: np.ndarray, x: int = 0) -> None:
        """Print a (h, w) bool block at horizontal offset ``x`` (clipped to the paper)."""
        h, w = block.shape
        row = np.zeros((h, self.width), dtype=bool)
        x = max(0, x)
        w = max(0, min(w, self.width - x))
        row[:, x : x + w] = block[:, :w]
        self.blocks.append(row)
        self.height += h

    def feed(self, dots: int) -> None:
        if dots > 0:
            self.blocks.append(np.zeros((dots, self.width), dtype=bool))
            self.height += dots

    def take(self) -> Image.Image | None:
        """The strip as a mode "1" image (black = printed) and a fresh strip; None if nothing was fed."""
        if not self.blocks:
            return None
        dots = np.vstack(self.blocks)
        self.blocks, self.height = [], 0
        return Image.fromarray(np.where(dots, 0, 255).astype(np.uint8), mode="L").convert("1")


def unpack_raster(data: bytes, width_bytes: int, height: int) -> np.ndarray:
    """GS v 0 data (rows, MSB first, 1 = dot) as a (height, width_bytes*8) bool array."""
    arr = np.frombuffer(data, dtype=np.uint8).reshape(height, width_bytes)
    return np.unpackbits(arr, axis=1).astype(bool)


def unpack_columns(data: bytes, columns: int, dots_high: int) -> np.ndarray:
    """ESC * data (columns of 8 or 24 dots, MSB top) as a (dots_high, columns) bool array."""
    per = dots_high // 8
    arr = np.frombuffer(data, dtype=np.uint8).reshape(columns, per)
    return np.unpackbits(arr, axis=1).astype(bool).T
