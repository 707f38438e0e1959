"""Camera frames for the demo and the benchmark: a phone showing a given code, held up to the camera.

Deterministic from the seed: a hall background, the phone's dark body and lit screen, the code
(its real QR modules, from the phone-frame generator) at a small tilt, with blur and sensor noise.
Frames are 640x480 gray, as the station camera's lores Y plane. Kept readable on purpose: the
demo is about the queue, the scanner's own tests and benchmark cover hard frames.
"""

from __future__ import annotations

import hashlib

import numpy as np

WIDTH, HEIGHT = 640, 480


def student_code(*parts: object) -> str:
    """An opaque collection code (like the encrypted 图像采集码) that is the same for the same parts."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    n = int.from_bytes(digest, "big")
    out = []
    for _ in range(40):
        n, i = divmod(n, len(alphabet))
        out.append(alphabet[i])
    return "PQ" + "".join(out)


FOREIGN_CODES = (
    "https://weixin.qq.com/r/mp/abcdefghijk",
    "wxp://f2f0ZxCvBnMaSdFgHjKl",
    "https://qr.alipay.com/fkx12345abcdef",
    "http://www.example.edu.cn/notice/2024",
)


def _modules(text: str) -> np.ndarray:
    from photoqueue.demo.phone_frames import qr_modules

    return qr_modules(text, "M")


def idle_frame(seed: int = 0) -> np.ndarray:
    """The hall with nobody at the camera."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    img = 110 + 40 * (xx / WIDTH - 0.5) + 20 * (yy / HEIGHT - 0.5)
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def phone_frame(text: str, seed: int = 0) -> np.ndarray:
    """A frame with a phone showing the QR code of ``text``."""
    import cv2

    rng = np.random.default_rng(seed)
    mods = _modules(text)
    ppm = int(rng.integers(4, 6))  # pixels per module
    side = mods.shape[0] * ppm
    quiet = 4 * ppm
    screen_w = side + 2 * quiet + 20
    screen_h = int(screen_w * 1.7)
    phone = np.full((screen_h + 40, screen_w + 20), 25, np.float32)
    screen = np.full((screen_h, screen_w), float(rng.uniform(200, 245)), np.float32)
    code = np.where(np.kron(mods, np.ones((ppm, ppm))), 20.0, screen[0, 0])
    top = (screen_h - side) // 2
    left = (screen_w - side) // 2
    screen[top:top + side, left:left + side] = code
    phone[20:20 + screen_h, 10:10 + screen_w] = screen
    img = idle_frame(seed).astype(np.float32)
    angle = float(rng.uniform(-12, 12))
    scale = min(1.0, 0.95 * HEIGHT / phone.shape[0], 0.95 * WIDTH / phone.shape[1])
    h, w = phone.shape
    cx = WIDTH / 2 + rng.uniform(-40, 40)
    cy = HEIGHT / 2 + rng.uniform(-20, 20)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[0, 2] += cx - w / 2
    m[1, 2] += cy - h / 2
    warped = cv2.warpAffine(phone, m, (WIDTH, HEIGHT), flags=cv2.INTER_AREA)
    mask = cv2.warpAffine(np.ones_like(phone), m, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    img = img * (1 - mask) + warped * mask
    img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.3, 0.8)))
    img += rng.normal(0, 2.5, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)
