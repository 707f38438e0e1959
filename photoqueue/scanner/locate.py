"""A cheap look for code-like regions, to decide where (and whether) the pipeline retries.

A QR symbol is a square patch dense with strong edges in both directions. On a half-size frame,
the mean |d/dx| and |d/dy| per block, the lesser of the two against the block's brightness, marks
such blocks; text lines (edges mostly one way) and flat screens do not. Connected marked blocks
make a region. About 0.2 ms on a 640x480 frame: paid on every frame where the cheap decode pass
found nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

THRESHOLD = 0.6  # min(|gx|, |gy|) / (mean + 20) for a block to look like code
MIN_BLOCKS = 9
MIN_FILL = 0.3


@dataclass(frozen=True)
class Region:
    """An axis-aligned box (x, y, w, h) in frame pixels and how code-like it looked."""

    x: int
    y: int
    w: int
    h: int
    score: float

    def quad(self) -> np.ndarray:
        x0, y0, x1, y1 = self.x, self.y, self.x + self.w, self.y + self.h
        return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def code_like_regions(gray: np.ndarray, *, threshold: float = THRESHOLD, limit: int = 4) -> list[Region]:
    """Up to ``limit`` code-like regions, most code-like first."""
    h, w = gray.shape[:2]
    if min(h, w) < 24:
        return []
    half = cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA).astype(np.float32)
    block = max(4, min(8, min(h, w) // 60))  # half-frame pixels a block
    bw, bh = half.shape[1] // block, half.shape[0] // block
    gx = cv2.resize(np.abs(cv2.Sobel(half, cv2.CV_32F, 1, 0, ksize=3)), (bw, bh), interpolation=cv2.INTER_AREA)
    gy = cv2.resize(np.abs(cv2.Sobel(half, cv2.CV_32F, 0, 1, ksize=3)), (bw, bh), interpolation=cv2.INTER_AREA)
    mean = cv2.resize(half, (bw, bh), interpolation=cv2.INTER_AREA)
    score = np.minimum(gx, gy) / (mean + 20.0)
    mask = (score > threshold).astype(np.uint8)
    if np.count_nonzero(mask) < MIN_BLOCKS:
        return []
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    # the size and fill rules over all components at once: a textured frame has a hundred specks, and a
    # Python loop over them cost more than the rest of this function
    area = stats[:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero((area >= MIN_BLOCKS) & (area >= MIN_FILL * stats[:, cv2.CC_STAT_WIDTH] *
                                                 stats[:, cv2.CC_STAT_HEIGHT]))
    scale = 2 * block
    out = []
    for i in keep[keep > 0]:
        x, y, bw_, bh_, _ = (int(v) for v in stats[i])
        out.append(Region(x * scale, y * scale, bw_ * scale, bh_ * scale, float(score[labels == i].sum())))
    out.sort(key=lambda r: -r.score)
    return out[:limit]
