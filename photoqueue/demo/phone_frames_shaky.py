"""Showings from the first generator (:mod:`phone_frames`): its scene, shaken as it comes up and steadies.

:mod:`phone_frames` draws one frame at a time. Here its scene (hall, phone, code, glare, moire) is drawn
once, and the camera's part is redone for each frame at 30 fps: the whole view shifted by a decaying swing
plus tremor, blurred along its velocity over the exposure, defocused as the autofocus settles, with fresh
sensor noise. Exposure and noise level stay those of the showing. The level of a showing is its code's
size (the first generator has no levels of its own): ``hard`` below 3.2 px a module, ``easy`` above 4.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from photoqueue.demo import phone_frames as first

FPS = 30.0
EXPOSURE_S = 0.012


def level_of(px_per_module: float) -> str:
    """The first generator's frames in thirds of its module sizes (2.3..5 px)."""
    return "hard" if px_per_module < 3.2 else "medium" if px_per_module < 4.1 else "easy"


def sequence(seed: int, *, count: int = 10) -> Iterator[first.SynthFrame]:
    """One showing of ``count`` frames; lazy (each frame is made when asked for)."""
    rng = np.random.default_rng(seed)
    text = first.make_payload(rng)
    ec = ("L", "M", "M", "Q")[int(rng.integers(0, 4))]
    cond: dict = {"seed": seed, "ec_level": ec}
    mods = first.qr_modules(text, ec)
    ppm = rng.uniform(2.3, 5.0)
    frac = rng.uniform(0.62, 0.86)
    scene = first._add_phone(rng, first._background(rng), mods, ppm, frac, True, cond)
    scene *= rng.uniform(0.6, 1.3)  # exposure
    cond["level"] = level_of(ppm)
    defocus = rng.uniform(0.1, 0.4) * ppm if rng.random() < 0.5 else 0.0
    noise = rng.uniform(1.0, 6.0)
    amp, tau = rng.uniform(10, 30), rng.uniform(0.025, 0.06)
    omega, phase = 2 * np.pi * rng.uniform(2.0, 5.0), rng.uniform(0, 2 * np.pi)
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction)
    tremor, tremor_w = rng.uniform(0.3, 1.0), 2 * np.pi * rng.uniform(8, 12)
    focus0, focus_tau = rng.uniform(0.0, 2.0), rng.uniform(0.04, 0.12)
    t0 = rng.uniform(0.0, 0.03)

    def offset(t: float) -> np.ndarray:
        return direction * amp * np.exp(-t / tau) * np.cos(omega * t + phase) + \
            tremor * np.array([np.sin(tremor_w * t), np.cos(1.3 * tremor_w * t)])

    for i in range(count):
        t = t0 + i / FPS
        dx, dy = offset(t)
        vx, vy = (offset(t + 1e-3) - offset(t - 1e-3)) / 2e-3
        img = cv2.warpAffine(scene, np.float32([[1, 0, dx], [0, 1, dy]]), (first.WIDTH, first.HEIGHT),
                             borderMode=cv2.BORDER_REFLECT)
        sigma = defocus + focus0 * np.exp(-t / focus_tau)
        if sigma > 0.2:
            img = cv2.GaussianBlur(img, (0, 0), sigma)
        img = cv2.filter2D(img, -1, _streak(vx * EXPOSURE_S, vy * EXPOSURE_S))
        r = np.random.default_rng([seed, i])
        img = img + r.normal(0, noise, img.shape).astype(np.float32)
        frame_cond = dict(cond, frame=i, motion_px=round(float(np.hypot(vx, vy)) * EXPOSURE_S, 1))
        frame_cond["code_quad"] = (np.array(cond["code_quad"]) + (dx, dy)).round(1).tolist()
        yield first.SynthFrame(np.clip(img, 0, 255).astype(np.uint8), text, frame_cond)


def _streak(dx: float, dy: float) -> np.ndarray:
    """A line kernel ``(dx, dy)`` px long (motion over the exposure), summing to 1."""
    length = float(np.hypot(dx, dy))
    if length < 0.7:
        return np.ones((1, 1), np.float32)
    n = int(np.ceil(length / 2)) + 1
    k = np.zeros((2 * n + 1, 2 * n + 1), np.float32)
    cv2.line(k, (int(round(n - dx / 2)), int(round(n - dy / 2))), (int(round(n + dx / 2)), int(round(n + dy / 2))),
             1.0, 1, cv2.LINE_AA)
    return k / k.sum()
