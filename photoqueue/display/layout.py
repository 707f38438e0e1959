"""Screen layouts: where each piece of text goes, for 1920x1080, 1280x720 and the 800x480 Pi screen.

A layout is plain data in its design size: regions (the unit of partial redraw: each is filled with its
background and redrawn when its content changes) holding slots (one line of text each). Slots in one
layout never overlap, so text fitted into its slot can never overlap other text. :func:`choose_layout`
picks the layout nearest to the screen's size and scales it to fit exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: x, y, width, height."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def contains(self, other: Box) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom
        )

    def scaled(self, sx: float, sy: float) -> Box:
        # Scale both edges with floor so that boxes that touch or are apart stay so.
        x0, y0 = math.floor(self.x * sx), math.floor(self.y * sy)
        x1, y1 = math.floor(self.right * sx), math.floor(self.bottom * sy)
        return Box(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class Region:
    name: str
    box: Box
    slots: tuple[tuple[str, Box], ...]
    dividers: tuple[Box, ...] = ()  # thin bars in the screen's background colour between slots

    def slot(self, name: str) -> Box | None:
        return dict(self.slots).get(name)


@dataclass(frozen=True)
class Layout:
    name: str
    width: int
    height: int
    regions: tuple[Region, ...]
    next_per_line: int  # how many of the next numbers fit on one line of the next list

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def region(self, name: str) -> Region:
        for r in self.regions:
            if r.name == name:
                return r
        raise KeyError(name)

    def scaled_to(self, width: int, height: int) -> Layout:
        if (width, height) == self.size:
            return self
        sx, sy = width / self.width, height / self.height
        regions = tuple(
            Region(
                r.name,
                r.box.scaled(sx, sy),
                tuple((n, b.scaled(sx, sy)) for n, b in r.slots),
                tuple(d.scaled(sx, sy) for d in r.dividers),
            )
            for r in self.regions
        )
        return Layout(f"{self.name}@{width}x{height}", width, height, regions, self.next_per_line)


def _region(
    name: str, box: tuple[int, int, int, int], dividers=(), **slots: tuple[int, int, int, int]
) -> Region:
    return Region(
        name, Box(*box), tuple((n, Box(*b)) for n, b in slots.items()), tuple(Box(*d) for d in dividers)
    )


# The slots every layout has: room, clock, alert, call, next_label, next_1, next_2, cur_label, cur_name,
# cur_count, up_label, up_name, up_info, waiting, pace, flash (flash replaces waiting and pace while shown).

LAYOUT_1080 = Layout(
    "1920x1080",
    1920,
    1080,
    (
        _region("header", (0, 0, 1400, 104), room=(40, 10, 1340, 84)),
        _region("clock", (1400, 0, 520, 104), clock=(1420, 10, 460, 84)),
        _region("alert", (0, 112, 1920, 112), alert=(40, 120, 1840, 96)),
        _region("call", (0, 232, 1280, 396), call=(36, 244, 1212, 372)),
        _region(
            "next",
            (1288, 232, 632, 396),
            next_label=(1316, 246, 576, 76),
            next_1=(1316, 330, 576, 138),
            next_2=(1316, 476, 576, 138),
        ),
        _region(
            "current",
            (0, 636, 1920, 128),
            cur_label=(40, 660, 250, 80),
            cur_name=(300, 646, 1080, 108),
            cur_count=(1420, 646, 460, 108),
        ),
        _region(
            "upcoming",
            (0, 772, 1920, 120),
            up_label=(40, 792, 250, 80),
            up_name=(300, 782, 1080, 100),
            up_info=(1420, 782, 460, 100),
        ),
        _region(
            "status",
            (0, 900, 1920, 180),
            dividers=[(1100, 900, 8, 180)],
            waiting=(40, 924, 1040, 132),
            pace=(1128, 924, 752, 132),
            flash=(40, 912, 1840, 156),
        ),
    ),
    next_per_line=3,
)

LAYOUT_720 = Layout(
    "1280x720",
    1280,
    720,
    (
        _region("header", (0, 0, 920, 72), room=(24, 6, 880, 60)),
        _region("clock", (920, 0, 360, 72), clock=(936, 6, 320, 60)),
        _region("alert", (0, 78, 1280, 78), alert=(24, 84, 1232, 66)),
        _region("call", (0, 162, 860, 272), call=(20, 170, 820, 256)),
        _region(
            "next",
            (866, 162, 414, 272),
            next_label=(884, 170, 378, 54),
            next_1=(884, 228, 378, 98),
            next_2=(884, 330, 378, 98),
        ),
        _region(
            "current",
            (0, 440, 1280, 90),
            cur_label=(24, 456, 160, 58),
            cur_name=(192, 446, 750, 78),
            cur_count=(964, 446, 292, 78),
        ),
        _region(
            "upcoming",
            (0, 536, 1280, 84),
            up_label=(24, 550, 160, 56),
            up_name=(192, 542, 750, 72),
            up_info=(964, 542, 292, 72),
        ),
        _region(
            "status",
            (0, 626, 1280, 94),
            dividers=[(740, 626, 6, 94)],
            waiting=(24, 636, 700, 74),
            pace=(760, 636, 496, 74),
            flash=(24, 630, 1232, 86),
        ),
    ),
    next_per_line=2,
)

LAYOUT_480 = Layout(
    "800x480",
    800,
    480,
    (
        _region("header", (0, 0, 570, 50), room=(10, 4, 550, 42)),
        _region("clock", (570, 0, 230, 50), clock=(580, 4, 210, 42)),
        _region("alert", (0, 54, 800, 50), alert=(10, 58, 780, 42)),
        _region("call", (0, 108, 552, 196), call=(8, 114, 536, 184)),
        _region(
            "next",
            (556, 108, 244, 196),
            next_label=(566, 112, 224, 36),
            next_1=(566, 152, 224, 72),
            next_2=(566, 226, 224, 72),
        ),
        _region(
            "current",
            (0, 308, 800, 56),
            cur_label=(10, 318, 96, 36),
            cur_name=(112, 312, 494, 48),
            cur_count=(620, 312, 170, 48),
        ),
        _region(
            "upcoming",
            (0, 368, 800, 52),
            up_label=(10, 378, 96, 32),
            up_name=(112, 372, 494, 44),
            up_info=(620, 372, 170, 44),
        ),
        _region(
            "status",
            (0, 424, 800, 56),
            dividers=[(458, 424, 4, 56)],
            waiting=(10, 430, 440, 44),
            pace=(470, 430, 320, 44),
            flash=(10, 428, 780, 48),
        ),
    ),
    next_per_line=2,
)

LAYOUTS = (LAYOUT_1080, LAYOUT_720, LAYOUT_480)


def nearest_layout(width: int, height: int) -> Layout:
    """The design layout whose size is nearest to (width, height), by ratio on each axis."""
    return min(LAYOUTS, key=lambda lay: abs(math.log(width / lay.width)) + abs(math.log(height / lay.height)))


def choose_layout(width: int, height: int) -> Layout:
    """The nearest layout, scaled to exactly (width, height)."""
    return nearest_layout(width, height).scaled_to(width, height)
