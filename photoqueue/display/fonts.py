"""Fonts: find one with Chinese glyphs, keep loaded sizes, and fit a line of text into a box.

Fitting never clips: a line is drawn at the largest size at which it fits its slot; below half that
size its elastic part (a class name, an alert) is cut with an ellipsis instead, so that the line stays
readable; only if even that cannot fit does the size go down further.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass

from photoqueue import cjkfont
from photoqueue.display._pygame import pygame
from photoqueue.display.compose import Line
from photoqueue.display.layout import Box

log = logging.getLogger(__name__)

ELLIPSIS = "…"
MIN_PX = 8  # never smaller than this
MIN_SCALE = 0.5  # below this share of the slot-height size, cut the elastic run instead of shrinking


def find_font(path: str | None) -> str | None:
    """The font file to use: ``path`` if it exists, else the first Chinese font found; None = pygame's own."""
    found = cjkfont.find_cjk_font(path)
    if found is None:
        log.warning(
            "display: no Chinese font found (install fonts-wqy-microhei); using pygame's default font, "
            "which has no Chinese glyphs"
        )
    return found


@dataclass(frozen=True)
class Fitted:
    """A line fitted to its slot: the size of each run, the text of each run (maybe cut), the extent."""

    sizes: tuple[int, ...]
    texts: tuple[str, ...]
    width: int
    height: int
    ascent: int
    ellipsized: bool


class FontBook:
    """Loaded fonts by (pixel size, bold), and fitted lines by (runs, slot size); both bounded caches."""

    def __init__(self, font_path: str | None = None, *, max_fonts: int = 160, max_fits: int = 512):
        pygame.font.init()
        self.path = find_font(font_path)
        self._fonts: OrderedDict = OrderedDict()
        self._fits: OrderedDict = OrderedDict()
        self._max_fonts = max_fonts
        self._max_fits = max_fits

    def get(self, size: int, bold: bool = False):
        key = (size, bold)
        font = self._fonts.get(key)
        if font is not None:
            self._fonts.move_to_end(key)
            return font
        try:
            font = pygame.font.Font(self.path, size)
        except (OSError, pygame.error) as exc:
            log.warning("display: cannot load font %s (%s); using pygame's default font", self.path, exc)
            self.path = None
            self._fonts.clear()
            self._fits.clear()
            font = pygame.font.Font(None, size)
        font.set_bold(bold)
        self._fonts[key] = font
        if len(self._fonts) > self._max_fonts:
            self._fonts.popitem(last=False)
        return font

    # --- fitting ---------------------------------------------------------------------------------------

    def fit(self, line: Line) -> Fitted:
        key = (line.runs, line.elastic, line.slot.w, line.slot.h)
        fitted = self._fits.get(key)
        if fitted is None:
            fitted = self._fit(line)
            self._fits[key] = fitted
            if len(self._fits) > self._max_fits:
                self._fits.popitem(last=False)
        else:
            self._fits.move_to_end(key)
        return fitted

    def _measure(self, line: Line, base: int, texts: tuple[str, ...]) -> Fitted:
        sizes = tuple(max(MIN_PX // 2, round(base * r.weight)) for r in line.runs)
        width = ascent = below = 0
        for run, size, text in zip(line.runs, sizes, texts, strict=True):
            font = self.get(size, run.bold)
            w, h = font.size(text) if text else (0, font.get_height())
            width += w
            ascent = max(ascent, font.get_ascent())
            below = max(below, h - font.get_ascent())
        return Fitted(sizes, texts, width, ascent + below, ascent, texts != tuple(r.text for r in line.runs))

    def _largest(self, line: Line, start: int, texts: tuple[str, ...], floor: int) -> tuple[int, Fitted]:
        """The largest base size <= start (and >= floor) at which the line fits; (floor, its measure) if none."""
        w_max, h_max = line.slot.w, line.slot.h
        base = max(start, floor)
        m = self._measure(line, base, texts)
        for _ in range(64):
            if m.width <= w_max and m.height <= h_max:
                return base, m
            if base <= floor:
                break
            ratio = min(w_max / max(m.width, 1), h_max / max(m.height, 1))
            base = max(floor, min(base - 1, int(base * ratio)))
            m = self._measure(line, base, texts)
        return base, m

    def _fit(self, line: Line) -> Fitted:
        full = tuple(r.text for r in line.runs)
        # The size at which the line's height fills the slot, ignoring width.
        tall, _ = self._largest(
            Line(line.slot_name, _tall(line), line.runs), max(MIN_PX, line.slot.h), full, MIN_PX
        )
        floor = max(MIN_PX, int(tall * MIN_SCALE)) if line.elastic is not None else MIN_PX
        base, m = self._largest(line, tall, full, floor)
        if m.width <= line.slot.w and m.height <= line.slot.h:
            return m
        # Still too wide at the floor: cut the elastic run (else the longest), keeping as much as fits.
        i = line.elastic if line.elastic is not None else max(range(len(full)), key=lambda k: len(full[k]))
        text = full[i]

        def texts_with(k: int) -> tuple[str, ...]:
            return full[:i] + (text[:k].rstrip() + ELLIPSIS,) + full[i + 1 :]

        lo, hi = 0, len(text) - 1
        best = None
        while lo <= hi:
            mid = (lo + hi) // 2
            m = self._measure(line, base, texts_with(mid))
            if m.width <= line.slot.w:
                best, lo = m, mid + 1
            else:
                hi = mid - 1
        if best is not None:
            return best
        # Nothing of it fits at this size: shrink further with the elastic run reduced to the ellipsis.
        _, m = self._largest(line, base, texts_with(0), MIN_PX)
        return m


def _tall(line: Line) -> Box:
    """The line's slot made so wide that only its height limits the size."""
    return Box(line.slot.x, line.slot.y, 1 << 20, line.slot.h)
