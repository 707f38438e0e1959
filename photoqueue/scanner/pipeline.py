"""The decoding pipeline: a cheap pass on every frame, retries only where a code seems to be.

1. Cheap pass: zxing-cpp on the frame as it is (no inverted retry). Most frames with a code end here,
   and so does every frame with nothing code-like in it: the idle cost is this pass plus the locator.
2. Where zxing-cpp located a symbol it could not read, or :func:`code_like_regions` sees a code-like
   patch, retries on that region, most fruitful first, until one reads or the time budget is spent:
   a warped symbol read through a fitted module grid (:mod:`gridfit`), the region cropped and scaled
   up, contrast stretched, sharpened, blurred (moire), both zxing-cpp binarizers and zbar, inverted,
   and the region cut from the camera's high-resolution stream when the source offers one.

Retries never read outside a region, so a frame without a code stays cheap unless something on it
looks like one, and their results go through the same decoders' error correction, so a retry never
invents a code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from photoqueue.scanner.decoders import Candidate, Detection, ZbarDecoder, ZxingDecoder
from photoqueue.scanner.gridfit import dewarp_symbol
from photoqueue.scanner.locate import code_like_regions

HiRes = np.ndarray | Callable[[], "np.ndarray | None"] | None
HIRES_REGIONS = 2  # regions a frame may retry on the high-resolution stream


@dataclass
class DecodeResult:
    """What a frame held: the codes read (one per distinct text), the regions tried, and the cost."""

    detections: list[Detection]
    ms: float
    stage: str = "none"  # "cheap", the retry that read it, or "none"
    regions: int = 0
    attempts: int = 0
    trace: list[str] = field(default_factory=list)
    region_quads: list[np.ndarray] = field(default_factory=list)  # where a code seemed to be (unread or read)

    @property
    def texts(self) -> list[str]:
        return [d.text for d in self.detections]


def region_box(quad: np.ndarray, shape, margin: float) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1) around ``quad``, widened by ``margin`` of its size, inside the frame."""
    lo, hi = quad.min(0), quad.max(0)
    pad = max(float((hi - lo).max()) * margin, 6.0)
    x0, y0 = np.maximum(lo - pad, 0).astype(int)
    x1 = int(min(hi[0] + pad, shape[1]))
    y1 = int(min(hi[1] + pad, shape[0]))
    return int(x0), int(y0), x1, y1


def _inside(quad: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    c = quad.mean(0)
    return box[0] <= c[0] <= box[2] and box[1] <= c[1] <= box[3]


class Pipeline:
    """Frames to codes. ``budget_ms`` bounds the retries on one frame (the cheap pass always runs)."""

    def __init__(self, budget_ms: float = 60.0, *, retries: bool = True, clock=time.perf_counter):
        self.budget_ms = budget_ms
        self.retries = retries
        self._clock = clock
        self._zx = ZxingDecoder(try_invert=False)
        # the pass every frame pays: no inverted and no downscaled retry (a code too big for the frame's own
        # scale is still found by the locator and read by the retries, which downscale)
        self._cheap = ZxingDecoder(try_invert=False, try_downscale=False)
        self._zx_full = ZxingDecoder()
        self._zg = ZxingDecoder("global")
        self._zb = ZbarDecoder()
        self._clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4))

    # -- the public entry ---------------------------------------------------------------------
    def decode(self, gray: np.ndarray, *, hires: HiRes = None, budget_ms: float | None = None) -> DecodeResult:
        start = self._clock()
        found, candidates = self._cheap.scan(gray)
        if found or not self.retries:
            return DecodeResult(_unique(found), self._ms(start), "cheap" if found else "none")
        regions: list[tuple[np.ndarray, Candidate | None]] = [(c.quad, c) for c in candidates]
        for r in code_like_regions(gray):
            q = r.quad()
            if not any(_inside(c.quad, region_box(q, gray.shape, 0.0)) for c in candidates):
                regions.append((q, None))
        result = DecodeResult([], 0.0, "none", regions=len(regions), region_quads=[q for q, _ in regions])
        if regions:
            deadline = start + (self.budget_ms if budget_ms is None else budget_ms) / 1000.0
            self._retry(gray, regions, hires, deadline, result)
        result.detections = _unique(result.detections)
        result.ms = self._ms(start)
        return result

    def _ms(self, start: float) -> float:
        return (self._clock() - start) * 1000.0

    # -- retries --------------------------------------------------------------------------------
    def _retry(self, gray, regions, hires, deadline, result: DecodeResult) -> None:
        hires = _once(hires) if callable(hires) else hires  # one capture a frame, and only if needed
        for index, (quad, cand) in enumerate(regions):
            if any(d.quad is not None and _inside(d.quad, region_box(quad, gray.shape, 0.1)) for d in result.detections):
                continue  # this region was read already (through another region)
            for name, attempt in self._attempts(gray, quad, cand, hires):
                # past the budget, only the high-resolution retry of the best regions still runs:
                # it is the one attempt that sees more than the frame holds
                if self._clock() > deadline:
                    if hires is None or index >= HIRES_REGIONS:
                        return
                    if name != "hires":
                        continue
                result.attempts += 1
                found = attempt()
                if found:
                    result.detections.extend(found)
                    result.stage = name
                    result.trace.append(name)
                    break

    def _attempts(self, gray, quad, cand: Candidate | None, hires):
        """(name, thunk) pairs for one region, most fruitful first; each thunk returns detections."""
        x0, y0, x1, y1 = region_box(quad, gray.shape, 0.2)
        crop = gray[y0:y1, x0:x1]
        offset = np.float32([x0, y0])
        if crop.size == 0:
            return
        if cand is not None and cand.version:
            yield "gridfit", lambda: self._gridfit(gray, cand.quad, cand.version)
        side = max(crop.shape)
        views: dict[str, np.ndarray] = {}

        def up(target: int) -> np.ndarray:
            key = f"up{target}"
            if key not in views:
                f = max(1.0, target / side)
                views[key] = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC) if f > 1 else crop
            return views[key]

        def sharp(img: np.ndarray) -> np.ndarray:
            blur = cv2.GaussianBlur(img, (0, 0), 2.0)
            return cv2.addWeighted(img, 2.0, blur, -1.0, 0)

        def stretch(img: np.ndarray) -> np.ndarray:
            return cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX)

        def read(decoder, make_image):
            def run():
                img = make_image()
                return [_moved(d, img, crop, offset) for d in decoder.decode(img)]
            return run

        yield "zxing-up700", read(self._zx_full, lambda: up(700))
        yield "zxing-sharp500", read(self._zx, lambda: sharp(up(500)))
        yield "zbar-sharp300", read(self._zb, lambda: sharp(up(300)))
        yield "zxing-global-sharp300", read(self._zg, lambda: sharp(up(300)))
        yield "zxing-stretch700", read(self._zx, lambda: stretch(up(700)))
        yield "zxing-clahe500", read(self._zx, lambda: self._clahe.apply(up(500)))
        # a bright screen overexposed in a dim hall: the white spills into the dark modules and thins them;
        # a gamma above 1 gives the dark side of every edge its width back
        yield "zxing-gamma-sharp500", read(self._zx, lambda: sharp(cv2.LUT(up(500), _GAMMA2)))
        yield "zbar-up500", read(self._zb, lambda: up(500))
        yield "zxing-blur500", read(self._zx, lambda: cv2.GaussianBlur(up(500), (0, 0), 1.5 * max(1.0, 500 / side)))
        yield "zxing-global-up700", read(self._zg, lambda: up(700))
        yield "zbar-stretch300", read(self._zb, lambda: stretch(up(300)))
        yield "zxing-crop", read(self._zx_full, lambda: crop)
        # a symbol located in the enlarged crop but not read: the fitted grid on the crop
        yield "gridfit-crop", lambda: self._gridfit_scan(up(500), crop, offset)
        # glare's haze or a screen's falloff: the slow light divided out before binarizing
        yield "zxing-flat-sharp500", read(self._zx, lambda: sharp(_flat(up(500))))
        if hires is not None:
            yield "hires", lambda: self._hires(gray, quad, hires)

    def _gridfit(self, gray, quad, version) -> list[Detection]:
        clean = dewarp_symbol(gray, quad, version)
        return [Detection(d.text, d.raw, quad, "gridfit") for d in self._zx.decode(clean)]

    def _gridfit_scan(self, img, crop, offset) -> list[Detection]:
        _, cands = self._zx.scan(img)
        for c in cands:
            if c.version:
                for d in self._gridfit(img, c.quad, c.version):
                    return [_moved(d, img, crop, offset)]
        return []

    def _hires(self, gray, quad, hires) -> list[Detection]:
        big = hires() if callable(hires) else hires
        if big is None or big.ndim != 2:
            return []
        sy, sx = big.shape[0] / gray.shape[0], big.shape[1] / gray.shape[1]
        q = quad * np.float32([sx, sy])
        # a wide margin: the locator's blocks may cover only part of a code, and the main stream's pixels are
        # cheap to add here (this crop is decoded once, not through the whole ladder)
        x0, y0, x1, y1 = region_box(q, big.shape, 0.6)
        crop = big[y0:y1, x0:x1]
        for decoder in (self._zx_full, self._zb):
            found = decoder.decode(crop)
            if found:
                back = np.float32([1 / sx, 1 / sy])
                return [Detection(d.text, d.raw, None if d.quad is None else (d.quad + (x0, y0)) * back, "hires")
                        for d in found]
        return []


_GAMMA2 = np.clip(255.0 * (np.arange(256) / 255.0) ** 2.0 + 0.5, 0, 255).astype(np.uint8)


def _flat(img: np.ndarray) -> np.ndarray:
    """``img`` divided by its own slow light (a wide blur), stretched back to 0..255."""
    f = img.astype(np.float32)
    light = cv2.GaussianBlur(f, (0, 0), max(img.shape) / 25.0) + 1.0
    return cv2.normalize(f / light, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


def _once(fn: Callable[[], np.ndarray | None]) -> Callable[[], np.ndarray | None]:
    cache: list = []

    def get():
        if not cache:
            cache.append(fn())
        return cache[0]
    return get


def _moved(d: Detection, img: np.ndarray, crop: np.ndarray, offset: np.ndarray) -> Detection:
    """A detection in a scaled crop, with its quad put back in frame coordinates."""
    if d.quad is None:
        return d
    f = np.float32([crop.shape[1] / img.shape[1], crop.shape[0] / img.shape[0]])
    return Detection(d.text, d.raw, d.quad * f + offset, d.decoder)


def _unique(found: list[Detection]) -> list[Detection]:
    seen: dict[str, Detection] = {}
    for d in found:
        seen.setdefault(d.text, d)
    return list(seen.values())


class SingleDecoder:
    """One raw decoder pass (``decoder = "zxing"`` or ``"zbar"`` in the settings), as a pipeline."""

    def __init__(self, name: str, *, clock=time.perf_counter):
        self._decoder = ZbarDecoder() if name == "zbar" else ZxingDecoder()
        self._clock = clock

    # the Pipeline's keyword interface (callers pass hires= by name): one raw pass has no retry to use them
    def decode(self, gray: np.ndarray, *, hires: HiRes = None,  # noqa: ARG002
               budget_ms: float | None = None) -> DecodeResult:  # noqa: ARG002
        start = self._clock()
        found = _unique(self._decoder.decode(gray))
        return DecodeResult(found, (self._clock() - start) * 1000.0, "cheap" if found else "none")


def make_pipeline(decoder: str = "pipeline", budget_ms: float = 60.0):
    """The decoding path the settings name: the full pipeline, or one raw decoder."""
    if decoder == "pipeline":
        return Pipeline(budget_ms)
    return SingleDecoder(decoder)
