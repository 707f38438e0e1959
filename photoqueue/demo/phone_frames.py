"""Generated camera frames (the first generator): a phone held up to the station camera, with or without a code.

Deterministic from a seed. Each frame is 640x480 gray, as the picamera2 lores Y plane: a hall
background, a phone (body, lit screen, status bar and app chrome, a card with the QR code of a
30..200 byte opaque token) seen in perspective, with the troubles of the real day drawn at random:
glare on the glass, moire from the screen's pixel grid, a dim screen, defocus, motion blur,
exposure and sensor noise. Frames without a code show the same scene with an app screen, a dark
screen, or no phone at all.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 480
_TOKEN_CHARS = string.ascii_letters + string.digits + "-_"
_CHROME_WORDS = ("采集码", "图像采集", "学号", "毕业生", "WeChat", "Alipay", "12:30", "5G", "100%")


@dataclass(frozen=True)
class SynthFrame:
    """A generated frame, the text its code holds (None without a code), and what was drawn."""

    image: np.ndarray
    text: str | None
    conditions: dict


def make_payload(rng: np.random.Generator, lo: int = 30, hi: int = 200) -> str:
    """An opaque token like an encrypted collection code; now and then with a UTF-8 Chinese prefix."""
    n = int(rng.integers(lo, hi + 1))
    prefix = "采集码:" if rng.random() < 0.2 else ""
    n -= len(prefix.encode())
    return prefix + "".join(_TOKEN_CHARS[i] for i in rng.integers(0, len(_TOKEN_CHARS), n))


def qr_modules(text: str, ec_level: str = "M") -> np.ndarray:
    """The symbol's modules (True = dark), without quiet zone. UTF-8 bytes, no ECI."""
    import zxingcpp

    data = text.encode("utf-8")
    if hasattr(zxingcpp, "create_barcode"):  # zxing-cpp >= 2.3
        barcode = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
        img = np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=1, add_quiet_zones=False))
    else:  # zxing-cpp 2.2
        level = {"L": 1, "M": 3, "Q": 5, "H": 8}[ec_level]
        img = np.asarray(zxingcpp.write_barcode(zxingcpp.BarcodeFormat.QRCode, data, quiet_zone=0, ec_level=level))
    return img < 128


def _background(rng: np.random.Generator) -> np.ndarray:
    base = rng.uniform(60, 190)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    img = base + rng.uniform(10, 50) * ((np.cos(angle) * xx + np.sin(angle) * yy) / WIDTH - 0.5)
    img = img.astype(np.float32)
    for _ in range(int(rng.integers(3, 12))):  # hall furniture, people, posters
        x0, y0 = int(rng.integers(-100, WIDTH)), int(rng.integers(-100, HEIGHT))
        w, h = int(rng.integers(20, 260)), int(rng.integers(20, 260))
        cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), float(rng.uniform(20, 235)), -1)
    if rng.random() < 0.5:  # a hand or face: a soft bright blob
        c = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        cv2.ellipse(img, c, (int(rng.integers(40, 120)), int(rng.integers(60, 160))), float(rng.uniform(0, 180)),
                    0, 360, float(rng.uniform(120, 200)), -1)
    return cv2.GaussianBlur(img, (0, 0), rng.uniform(1.0, 4.0))


def _chrome_text(rng: np.random.Generator) -> str:
    words = [_CHROME_WORDS[i] for i in rng.integers(0, len(_CHROME_WORDS), 2)]
    return " ".join(w for w in words if w.isascii()) or "ID"


def _screen(rng: np.random.Generator, w: int, h: int, mods: np.ndarray | None, frac: float):
    """The phone screen's pixels (flat, before perspective), as float32, and the code's box (x, y, side)."""
    dark_mode = mods is None and rng.random() < 0.3
    bg = 30 if dark_mode else int(rng.integers(225, 251))
    fg = 210 if dark_mode else int(rng.integers(20, 71))
    s = np.full((h, w), bg, np.uint8)
    bar = int(h * 0.05)
    s[:bar] = int(rng.integers(20, 241))  # status bar
    cv2.putText(s, "12:30", (6, bar - 4), cv2.FONT_HERSHEY_SIMPLEX, bar / 40, fg, 1, cv2.LINE_AA)
    title = int(h * 0.08)
    s[bar:bar + title] = int(rng.integers(40, 201))  # the app's title bar
    cv2.putText(s, _chrome_text(rng), (10, bar + title - 8), cv2.FONT_HERSHEY_SIMPLEX, title / 50, 255, 1,
                cv2.LINE_AA)
    for y in range(bar + title + 10, h - 20, int(rng.integers(18, 30))):  # text lines
        if rng.random() < 0.6:
            x1 = int(rng.integers(w // 3, w - 10))
            cv2.line(s, (10, y), (x1, y), fg, int(rng.integers(2, 5)))
    for _ in range(int(rng.integers(0, 4))):  # buttons and icons
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(bar + title, h - 30))
        cv2.rectangle(s, (x0, y0), (x0 + int(rng.integers(20, 80)), y0 + int(rng.integers(15, 40))),
                      int(rng.integers(0, 256)), -1)
    if mods is not None:  # a white card with the code, ``frac`` of the screen's width
        side = int(w * frac)
        pad = max(4, side // 10)
        card = side + 2 * pad
        x0 = (w - card) // 2
        y0 = int(rng.uniform(bar + title + 5, max(bar + title + 6, h - card - 10)))
        s[y0:y0 + card, x0:x0 + card] = 255
        sym = cv2.resize(np.where(mods, fg // 3, 255).astype(np.uint8), (side, side),
                         interpolation=cv2.INTER_NEAREST)
        s[y0 + pad:y0 + pad + side, x0 + pad:x0 + pad + side] = sym
        return s.astype(np.float32), (x0 + pad, y0 + pad, side)
    return s.astype(np.float32), None


def _moire(rng: np.random.Generator, w: int, h: int, strength: float) -> np.ndarray:
    """Beats between the screen's pixel grid and the sensor: a slanted low-frequency grating."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    period = rng.uniform(3.0, 14.0)
    phase = (np.cos(angle) * xx + np.sin(angle) * yy) * 2 * np.pi / period
    wave = np.cos(phase) * np.cos(0.35 * phase + rng.uniform(0, 6))
    return 1.0 + strength * wave.astype(np.float32)


def generate(seed: int, *, with_code: bool = True, ec_level: str | None = None) -> SynthFrame:
    """One frame, the same for the same arguments."""
    rng = np.random.default_rng(seed)
    text = make_payload(rng) if with_code else None
    level = ec_level or ("L", "M", "M", "Q")[int(rng.integers(0, 4))]
    cond: dict = {"seed": seed, "ec_level": level}
    mods = qr_modules(text, level) if text is not None else None
    # pixels a module in the frame: the phone is held so that the code is readable in principle
    ppm = rng.uniform(2.3, 5.0)
    frac = rng.uniform(0.62, 0.86)
    img = _background(rng)
    scene = rng.random()
    if with_code or scene < 0.8:  # a phone in view (else an empty hall)
        img = _add_phone(rng, img, mods, ppm, frac, with_code, cond)
    img = _camera(rng, img, ppm, cond)
    return SynthFrame(np.clip(img, 0, 255).astype(np.uint8), text, cond)


def _add_phone(rng, img: np.ndarray, mods, ppm: float, frac: float, with_code: bool, cond: dict) -> np.ndarray:
    """The frame with a phone held in it (its screen showing the code ``mods``, if any)."""
    if mods is not None:  # phone width in the frame before tilt
        pw = int(mods.shape[0] * ppm / (0.92 * frac))
        cond["px_per_module"] = round(ppm, 2)
    else:
        pw = int(rng.uniform(150, 400))
    ph = int(pw * rng.uniform(1.9, 2.1))
    screen_on = with_code or rng.random() < 0.85
    phone, box = _phone(rng, pw, ph, mods, frac, screen_on, cond)
    m, cx, cy = _hold(rng, pw, ph, box, cond)
    warped = cv2.warpPerspective(phone, m, (WIDTH, HEIGHT), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones_like(phone), m, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    img = img * (1 - mask) + warped * mask
    if screen_on and rng.random() < 0.5:  # glare: a bright, soft reflection on the glass
        img = _glare(rng, img, mask, pw, ph, (cx, cy), cond)
    return img


def _phone(rng, pw: int, ph: int, mods, frac: float, screen_on: bool, cond: dict):
    """The phone drawn at 2x, face on: (its image, the code's box on it (x, y, side) or None)."""
    sw, sh = int(pw * 0.92), int(ph * 0.9)
    if screen_on:
        screen, box = _screen(rng, sw * 2, sh * 2, mods, frac)  # drawn at 2x, shrunk later
        brightness = rng.uniform(0.35, 1.0)
        cond["brightness"] = round(brightness, 2)
        screen *= brightness
        if rng.random() < 0.5:
            m = rng.uniform(0.05, 0.25)
            screen *= _moire(rng, sw * 2, sh * 2, m)
            cond["moire"] = round(m, 2)
    else:
        screen, box = np.full((sh * 2, sw * 2), rng.uniform(5, 25), np.float32), None
    phone = np.full((ph * 2, pw * 2), rng.uniform(10, 60), np.float32)
    oy, ox = (ph * 2 - sh * 2) // 2, (pw * 2 - sw * 2) // 2
    phone[oy:oy + sh * 2, ox:ox + sw * 2] = screen
    if box is not None:
        box = (box[0] + ox, box[1] + oy, box[2])
    return phone, box


def _hold(rng, pw: int, ph: int, box, cond: dict):
    """Where the phone is held: rotated, tilted, placed; the code may sit anywhere in the frame.
    Returns (the transform from the 2x phone to the frame, the phone's centre x, y)."""
    src = np.float32([[0, 0], [pw * 2, 0], [pw * 2, ph * 2], [0, ph * 2]])
    cx, cy = rng.uniform(0.3, 0.7) * WIDTH, rng.uniform(0.35, 0.85) * HEIGHT
    rot = np.deg2rad(rng.uniform(-35, 35))
    tilt_x, tilt_y = rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)
    corners = np.float32([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    persp = 1.0 + tilt_x * corners[:, 0] / pw + tilt_y * corners[:, 1] / ph
    corners = corners / persp[:, None]
    c, s_ = np.cos(rot), np.sin(rot)
    dst = np.stack([c * corners[:, 0] - s_ * corners[:, 1] + cx, s_ * corners[:, 0] + c * corners[:, 1] + cy], 1)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    if box is not None:  # keep the whole code (and a little quiet zone) in the frame
        bx, by, side = box
        code = np.float32([[bx, by], [bx + side, by], [bx + side, by + side], [bx, by + side]])
        quad = cv2.perspectiveTransform(code[None], m)[0]
        lo, hi = quad.min(0), quad.max(0)
        shift = np.maximum(8 - lo, 0) - np.maximum(hi - (WIDTH - 8, HEIGHT - 8), 0)
        dst = dst + shift
        m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        cond["code_quad"] = (quad + shift).round(1).tolist()
    cond.update(rotation=round(float(np.rad2deg(rot)), 1), tilt=(round(tilt_x, 2), round(tilt_y, 2)),
                phone_width=pw)
    return m, cx, cy


def _glare(rng, img: np.ndarray, mask: np.ndarray, pw: int, ph: int, centre, cond: dict) -> np.ndarray:
    """A bright, soft reflection on the phone's glass."""
    cx, cy = centre
    g = np.zeros((HEIGHT, WIDTH), np.float32)
    gc = (int(cx + rng.uniform(-pw / 2, pw / 2)), int(cy + rng.uniform(-ph / 3, ph / 3)))
    axes = (int(rng.uniform(10, pw * 0.4)), int(rng.uniform(10, pw * 0.25)))
    cv2.ellipse(g, gc, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
    g = cv2.GaussianBlur(g, (0, 0), rng.uniform(4, 15))
    strength = rng.uniform(60, 200)
    cond["glare"] = round(strength)
    return img + strength * g * mask


def _camera(rng, img: np.ndarray, ppm: float, cond: dict) -> np.ndarray:
    """What the camera does to the scene: exposure, defocus, motion blur, noise."""
    img *= rng.uniform(0.6, 1.3)  # exposure
    if rng.random() < 0.5:
        sigma = rng.uniform(0.15, 0.5) * ppm
        img = cv2.GaussianBlur(img, (0, 0), sigma)
        cond["defocus"] = round(sigma, 2)
    if rng.random() < 0.4:
        length = int(rng.integers(2, int(1.2 * ppm) + 3))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rotm = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        kernel = cv2.warpAffine(kernel, rotm, (length, length))
        kernel /= max(kernel.sum(), 1e-6)
        img = cv2.filter2D(img, -1, kernel)
        cond["motion"] = length
    noise = rng.uniform(1.0, 7.0)
    img = img + rng.normal(0, noise, img.shape).astype(np.float32) + np.sqrt(np.clip(img, 0, None)) * \
        rng.normal(0, 0.25, img.shape).astype(np.float32)
    cond["noise"] = round(noise, 1)
    return img


def frames(count: int, *, seed: int = 0, with_code: bool = True) -> list[SynthFrame]:
    """``count`` frames from seeds ``seed, seed+1, ...``."""
    return [generate(seed + i, with_code=with_code) for i in range(count)]
