"""Time as well as space: where one frame fails, the last few frames of the same showing, combined.

The frames of one showing arrive 33 ms apart (30 fps; 67 ms at 15). Each carries its own photon noise,
its own moire (the beat between the screen's pixels and the sensor's moves with every tremor of the hand)
and its own speckle of compression and ISP noise, while the code stays where it was to within a few
pixels. So when a frame has a code-like region that no retry could read, :class:`TemporalPipeline`
cuts the same region from the previous frames, aligns each crop to the current one (phase correlation:
a translation, which is what a hand at rest gives over 66 ms), and averages the ones that align well:
noise falls with the square root of the count and moire washes out. The average goes through the
same decoders and retries as a frame, so it cannot invent a code either.

Only frames with a region are combined, only with frames that arrived within ``max_gap_s``, and only
within ``budget_ms``: a code-free camera pays nothing for it (no region, no combination).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from photoqueue.scanner.decoders import Detection
from photoqueue.scanner.pipeline import DecodeResult, HiRes, Pipeline, region_box

MIN_RESPONSE = 0.08  # phase correlation peak below this: the crops do not show the same thing
MAX_SHIFT = 0.25  # of the crop's size: further than that is a phone still swinging in, not a tremor
REGIONS = 1  # the most code-like region only: the combination is for a code in view, not for a search


@dataclass
class _Past:
    gray: np.ndarray
    at: float


class TemporalPipeline:
    """A :class:`Pipeline` that remembers the last ``frames - 1`` frames and combines them with the current
    one where the current one alone fails. ``decode(gray, now=...)``: ``now`` in seconds (the camera's
    clock); without it the frames are taken as consecutive."""

    def __init__(self, pipeline: Pipeline | None = None, *, frames: int = 3, budget_ms: float = 20.0,
                 max_gap_s: float = 0.2, clock=time.perf_counter):
        self.pipeline = pipeline or Pipeline(clock=clock)
        self.frames = max(1, frames)
        self.budget_ms = budget_ms
        self.max_gap_s = max_gap_s
        self._clock = clock
        self._past: deque[_Past] = deque(maxlen=max(0, self.frames - 1))
        self._count = 0

    def reset(self) -> None:
        self._past.clear()

    def decode(self, gray: np.ndarray, *, hires: HiRes = None, budget_ms: float | None = None,
               now: float | None = None) -> DecodeResult:
        self._count += 1
        now = self._count / 30.0 if now is None else now
        result = self.pipeline.decode(gray, hires=hires, budget_ms=budget_ms)
        recent = [p for p in self._past if 0 <= now - p.at <= self.max_gap_s and p.gray.shape == gray.shape]
        if not result.detections and result.region_quads and recent and self.budget_ms > 0:
            start = self._clock()
            combined = self._combine(gray, result.region_quads, recent, start + self.budget_ms / 1000.0)
            if combined:
                result.detections = combined
                result.stage = "temporal"
                result.trace.append("temporal")
            result.ms += (self._clock() - start) * 1000.0
        if result.detections:
            self._past.clear()  # read: the next showing starts afresh
        else:
            self._past.append(_Past(gray, now))
        return result

    def _combine(self, gray, quads, recent: list[_Past], deadline: float) -> list[Detection]:
        for quad in quads[:REGIONS]:
            if self._clock() > deadline:
                break
            x0, y0, x1, y1 = region_box(quad, gray.shape, 0.25)
            if x1 - x0 < 16 or y1 - y0 < 16:
                continue
            crop = gray[y0:y1, x0:x1]
            stack = average_aligned(crop, [p.gray[y0:y1, x0:x1] for p in reversed(recent)])
            if stack is None:
                continue
            remaining = max(0.0, (deadline - self._clock()) * 1000.0)
            found = self.pipeline.decode(stack, budget_ms=remaining).detections
            if found:
                off = np.float32([x0, y0])
                return [Detection(d.text, d.raw, None if d.quad is None else d.quad + off, "temporal")
                        for d in found]
        return []


def average_aligned(current: np.ndarray, previous: list[np.ndarray]) -> np.ndarray | None:
    """The mean of ``current`` and those ``previous`` crops that align to it by a translation (each moved
    onto it); None when none aligns."""
    h, w = current.shape
    cur = current.astype(np.float32)
    window = cv2.createHanningWindow((w, h), cv2.CV_32F)
    acc, n = cur.copy(), 1
    for prev in previous:
        p = prev.astype(np.float32)
        (dx, dy), response = cv2.phaseCorrelate(p, cur, window)
        if response < MIN_RESPONSE or abs(dx) > MAX_SHIFT * w or abs(dy) > MAX_SHIFT * h:
            continue
        m = np.float32([[1, 0, dx], [0, 1, dy]])
        acc += cv2.warpAffine(p, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        n += 1
    if n == 1:
        return None
    return np.clip(acc / n + 0.5, 0, 255).astype(np.uint8)
