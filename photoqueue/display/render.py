"""The renderer: draws composed panels on a pygame surface, repainting only the regions that changed.

:class:`Renderer` works on any surface (the screen, or an off-screen surface for previews and tests);
:func:`render_png` draws one state into a PNG without opening a display at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from photoqueue.display._pygame import pygame
from photoqueue.display.compose import THEMES, Line, Panel, compose
from photoqueue.display.errors import DisplayError
from photoqueue.display.fonts import FontBook
from photoqueue.display.layout import Box, choose_layout
from photoqueue.display.model import DisplayState
from photoqueue.display.settings import DisplaySettings, checked


@dataclass(frozen=True)
class Placed:
    """A line as drawn: where its ink box is, its slot, the text shown and its largest font size."""

    region: str
    slot_name: str
    slot: Box
    box: Box
    text: str
    full_text: str
    font_px: int
    ellipsized: bool
    runs: tuple[tuple[str, Box], ...] = ()  # each run's text and ink box, in drawing order


class Renderer:
    """Draws :class:`DisplayState` values on ``surface``; :meth:`render` returns the rectangles it changed."""

    def __init__(self, surface, settings: DisplaySettings | None = None, fonts: FontBook | None = None):
        self.surface = surface
        self.settings = checked(settings)
        self.theme = THEMES[self.settings.theme]
        self.layout = choose_layout(*surface.get_size())
        self.fonts = fonts or FontBook(self.settings.font_path)
        self._last: dict[str, Panel] = {}
        self._placed: dict[str, list[Placed]] = {}
        self.regions_painted = 0  # how many region repaints so far (for tests and the benchmark)

    @staticmethod
    def layout_for(size: tuple[int, int]) -> str:
        """The name of the design layout used at this screen size."""
        from photoqueue.display.layout import nearest_layout

        return nearest_layout(*size).name

    def invalidate(self) -> None:
        """Forget what is on the surface: the next render repaints everything."""
        self._last.clear()

    def render(self, state: DisplayState, now: dt.datetime | None = None) -> list:
        """Draw ``state``; return the changed rectangles (empty when nothing changed)."""
        now = now or dt.datetime.now()
        panels = compose(state, now, self.layout, self.settings)
        full = not self._last
        if full:
            self.surface.fill(self.theme.background)
        dirty = []
        for panel in panels:
            if not full and self._last.get(panel.region) == panel:
                continue
            self._paint(panel)
            dirty.append(pygame.Rect(panel.box.x, panel.box.y, panel.box.w, panel.box.h))
        self._last = {p.region: p for p in panels}
        if full:
            return [self.surface.get_rect()]
        return dirty

    def placed(self) -> list[Placed]:
        """Every line now on the surface, as drawn."""
        return [p for items in self._placed.values() for p in items]

    # --- drawing ---------------------------------------------------------------------------------------

    def _paint(self, panel: Panel) -> None:
        box = panel.box
        self.surface.fill(panel.background, (box.x, box.y, box.w, box.h))
        for d in panel.dividers:
            self.surface.fill(self.theme.background, (d.x, d.y, d.w, d.h))
        self._placed[panel.region] = [self._draw_line(panel.region, line) for line in panel.lines]
        self.regions_painted += 1

    def _draw_line(self, region: str, line: Line) -> Placed:
        fit = self.fonts.fit(line)
        slot = line.slot
        if line.align == "center":
            x = slot.x + (slot.w - fit.width) // 2
        elif line.align == "right":
            x = slot.right - fit.width
        else:
            x = slot.x
        top = slot.y + (slot.h - fit.height) // 2
        baseline = top + fit.ascent
        x0 = x
        runs = []
        for run, size, text in zip(line.runs, fit.sizes, fit.texts, strict=True):
            if not text:
                continue
            font = self.fonts.get(size, run.bold)
            image = font.render(text, True, run.color)
            y = baseline - font.get_ascent()
            self.surface.blit(image, (x, y))
            runs.append((text, Box(x, y, image.get_width(), image.get_height())))
            x += image.get_width()
        return Placed(
            region=region,
            slot_name=line.slot_name,
            slot=slot,
            box=Box(x0, top, fit.width, fit.height),
            text="".join(fit.texts),
            full_text=line.text,
            font_px=max(fit.sizes),
            ellipsized=fit.ellipsized,
            runs=tuple(runs),
        )


def render_png(
    state: DisplayState,
    size: tuple[int, int],
    path: str | Path,
    settings: DisplaySettings | None = None,
    *,
    now: dt.datetime | None = None,
) -> Path:
    """Draw ``state`` at ``size`` into a PNG file (no display needed); return the path."""
    path = Path(path)
    surface = pygame.Surface(size)
    Renderer(surface, settings).render(state, now)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(surface, str(path))
    except (OSError, pygame.error) as exc:
        raise DisplayError(f"{path}: cannot write the PNG: {exc}") from None
    return path
