"""A second phone-frame generator, independent of :mod:`phone_frames`: a camera model, not a drawing.

The first generator draws its troubles as 2D effects on the frame. This one models where they come
from, so the pipeline is not tuned to one artist's idea of a phone:

- geometry: a pinhole camera (Camera Module 3 lores: 66 degrees across 640 px) and a phone in 3D
  (distance, roll, pitch, yaw); the code's module size follows from its distance, small at ``hard``;
- the screen: an emissive panel whose pixels are point-sampled by the sensor, so the panel's pixel and
  subpixel grid alias into moire at whatever beat the pose gives; screen brightness; a thumb in front;
- glare: a light's specular lobe on the glass (from the reflected view ray) plus a wide smudge lobe;
  what saturates the sensor blooms into its surroundings (veiling glare);
- optics: defocus through a polygonal aperture (5-9 blades) or a disk, as a convolution kernel;
- motion: the phone's velocity during the exposure (a line kernel) and the rolling shutter's
  row-by-row shift over the readout time;
- the sensor: auto exposure (exposure time capped by the frame rate, then analogue gain), Poisson
  photon noise and read noise in electrons, clipping at the full well, gamma, and an ISP that either
  averages or drops pixels when it scales to the lores stream.

``generate(seed, level)`` is one frame; ``sequence(seed, level)`` is one showing as the camera sees it
at 30 fps: the phone comes up moving and out of focus and steadies (frames are made on demand).
QR symbols come from the ``qrcode`` package (not zxing-cpp's writer, which the first generator uses).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 480
FOCAL_PX = 493.0  # 320 / tan(33 deg)
FPS = 30.0
LEVELS = ("easy", "medium", "hard")
FULL_WELL = 6000.0  # electrons
K_PHOTONS = 400.0  # electrons per ms per unit of radiance
TARGET = 0.18  # auto exposure's mid grey (linear)
SUPERSAMPLE = 2  # lores frames are rendered at twice their size, then scaled by the ISP model

# per level: (low, high) ranges drawn uniformly
_LEVEL = {
    "easy": dict(ppm=(3.6, 6.0), tilt=15, roll=25, defocus=(0.0, 0.3), light=(0.5, 2.0), bright=(0.6, 1.0),
                 moire=(0.0, 0.15), glare_p=0.3, glare=(0.1, 0.6), thumb_p=0.2, thumb_cover=0.0,
                 speed=(0.0, 60.0), shake=(30.0, 90.0)),
    "medium": dict(ppm=(2.5, 4.2), tilt=30, roll=45, defocus=(0.15, 0.55), light=(0.15, 1.0), bright=(0.35, 1.0),
                   moire=(0.05, 0.3), glare_p=0.5, glare=(0.3, 1.5), thumb_p=0.4, thumb_cover=0.02,
                   speed=(0.0, 150.0), shake=(50.0, 150.0)),
    "hard": dict(ppm=(2.0, 3.2), tilt=42, roll=180, defocus=(0.2, 0.65), light=(0.04, 0.4), bright=(0.15, 0.7),
                 moire=(0.1, 0.45), glare_p=0.7, glare=(0.8, 4.0), thumb_p=0.6, thumb_cover=0.05,
                 speed=(20.0, 300.0), shake=(80.0, 220.0)),
}


@dataclass(frozen=True)
class OpticsFrame:
    """A generated frame, the text its code holds (None without one), and what was modelled."""

    image: np.ndarray
    text: str | None
    conditions: dict


def payload(rng: np.random.Generator) -> str:
    """A collection code: base64url of random bytes, 30..200 bytes long, now and then a Chinese prefix."""
    n = int(rng.integers(30, 201))
    prefix = "图像采集码/" if rng.random() < 0.15 else ""
    body = base64.urlsafe_b64encode(rng.bytes(n)).decode().rstrip("=")
    return prefix + body[: n - len(prefix.encode())]


def symbol(text: str, ec: str) -> np.ndarray:
    """The QR modules (True = dark) of ``text`` as UTF-8 bytes, no ECI, no quiet zone (qrcode package)."""
    import qrcode

    levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
              "Q": qrcode.constants.ERROR_CORRECT_Q}
    q = qrcode.QRCode(error_correction=levels[ec], border=0)
    q.add_data(text.encode("utf-8"))
    q.make(fit=True)
    return np.array(q.get_matrix(), bool)


class _Scene:
    """Everything about one showing that does not change from frame to frame."""

    def __init__(self, rng: np.random.Generator, level: str, with_code: bool, *, at_rest: bool = False):
        p = _LEVEL[level]
        self.level, self.p = level, p
        self.cond: dict = {"level": level}
        self.text = payload(rng) if with_code else None
        ec = ("L", "M", "M", "Q")[int(rng.integers(0, 4))]
        mods = symbol(self.text, ec) if self.text else None
        self.light = float(np.exp(rng.uniform(*np.log(p["light"]))))  # hall illumination
        self.background = _hall(rng, self.light)
        self.phone = with_code or rng.random() < 0.85
        self.cond.update(ec_level=ec, light=round(self.light, 3))
        # a sequence ends with the phone at rest, facing the camera roughly as a student shows a code
        self.glare_off_code = self.at_rest = at_rest
        self.min_module = 2.0 if at_rest else 1.7
        if self.phone:
            self._make_phone(rng, mods)
        self.isp_drop = rng.random() < 0.3  # the ISP scales to lores by dropping pixels (aliasing)
        self.isp_sharpen = float(rng.uniform(0.0, 0.6)) if rng.random() < 0.5 else 0.0
        self.read_noise = float(rng.uniform(2.0, 5.0))
        self.cond.update(isp_drop=self.isp_drop)

    def _make_phone(self, rng, mods) -> None:
        p = self.p
        n = mods.shape[0] if mods is not None else 37
        code_mm = rng.uniform(34.0, 48.0)
        ppm = rng.uniform(*p["ppm"])  # lores pixels a module, seen face on
        self.distance = FOCAL_PX * (code_mm / n) / ppm  # mm
        self.texel_mm = code_mm / n / 4  # four texels a module
        self.texture, self.code_box = _screen(rng, mods, self.texel_mm)
        self.brightness = float(rng.uniform(*p["bright"]))
        self.texture *= 1.6 * self.brightness  # a screen at full brightness outshines a lit wall
        self.thumb = _thumb(rng, self.texture.shape, self.code_box, p["thumb_cover"]) \
            if rng.random() < p["thumb_p"] else None
        t = np.deg2rad(min(p["tilt"], 25) if self.at_rest else p["tilt"])
        self.pitch, self.yaw = rng.uniform(-t, t), rng.uniform(-t, t)
        self.roll = np.deg2rad(rng.uniform(-p["roll"], p["roll"]))
        self.centre = np.array([rng.uniform(0.3, 0.7) * WIDTH, rng.uniform(0.3, 0.7) * HEIGHT])
        self.screen_pitch_mm = 25.4 / rng.uniform(380, 480)  # the panel's pixel pitch
        self.moire = float(rng.uniform(*p["moire"]))
        self.moire_phase = rng.uniform(0, 2 * np.pi, 3)
        self.defocus = float(rng.uniform(*p["defocus"])) * ppm  # PSF radius in lores px
        self.blades = int(rng.choice([0, 5, 6, 7, 9]))  # 0: a round aperture
        self.glare = None
        if rng.random() < p["glare_p"]:
            th, tw = self.texture.shape
            gx, gy = rng.uniform(0.1, 0.9) * tw, rng.uniform(0.1, 0.9) * th
            x, y, side = self.code_box
            if self.glare_off_code and x - side / 2 < gx < x + 1.5 * side and y - side / 2 < gy < y + 1.5 * side:
                gy = y + 1.5 * side if y + 2 * side < th else max(0.0, y - side / 2)  # above or below the code
            self.glare = (gx, gy, rng.uniform(0.03, 0.12),
                          float(rng.uniform(*p["glare"])), rng.uniform(0.0, 0.25))
        self._frame_the_code(n)
        ppm = FOCAL_PX * (code_mm / n) / self.distance
        self.cond.update(px_per_module=round(ppm, 2), distance_mm=round(self.distance), brightness=round(
            self.brightness, 2), moire=round(self.moire, 2), defocus_px=round(self.defocus, 2),
            aperture_blades=self.blades, thumb=self.thumb is not None, tilt_deg=(round(np.rad2deg(self.pitch)),
            round(np.rad2deg(self.yaw))), roll_deg=round(np.rad2deg(self.roll)),
            glare=None if self.glare is None else round(self.glare[3], 2))

    def code_quad(self, offset=(0.0, 0.0), droll: float = 0.0) -> np.ndarray:
        """The code's corners in the lores frame (TL, TR, BR, BL of the symbol)."""
        x, y, side = self.code_box
        r, t = self.pose(np.asarray(offset, float), droll)
        return self.project(r, t, np.array([[x, y], [x + side, y], [x + side, y + side], [x, y + side]], float))

    def _frame_the_code(self, modules: int) -> None:
        """The student aims at the camera: the whole code (and a module of margin) is in the frame at rest,
        and no side of it is squeezed below what a sensor can sample (``min_module`` px a module)."""
        for _ in range(6):
            quad = self.code_quad()
            lo, hi = quad.min(0), quad.max(0)
            sides = np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)
            if sides.min() / modules < self.min_module:
                self.distance *= sides.min() / modules / self.min_module * 0.98
                continue
            room = np.array([WIDTH - 24, HEIGHT - 24])
            if np.any(hi - lo > room):  # larger than the frame: held a little further away
                self.distance *= float(np.max((hi - lo) / room)) * 1.02
                continue
            self.centre = self.centre + np.maximum(12 - lo, 0) - np.maximum(hi - (WIDTH - 12, HEIGHT - 12), 0)
            return

    def rotation(self, droll: float = 0.0) -> np.ndarray:
        cr, sr = np.cos(self.roll + droll), np.sin(self.roll + droll)
        cp, sp = np.cos(self.pitch), np.sin(self.pitch)
        cy, sy = np.cos(self.yaw), np.sin(self.yaw)
        rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
        rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
        ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
        return rz @ ry @ rx

    def pose(self, offset, droll: float):
        """(R, T) placing the texture's code centre at ``centre + offset`` in the frame."""
        r = self.rotation(droll)
        th, tw = self.texture.shape
        x, y, side = self.code_box
        code_c = np.array([(x + side / 2 - tw / 2) * self.texel_mm, (y + side / 2 - th / 2) * self.texel_mm, 0.0])
        target = (self.centre + offset - (WIDTH / 2, HEIGHT / 2)) / FOCAL_PX
        # the code's centre on the ray through ``target`` at the chosen distance
        t = np.array([target[0], target[1], 1.0]) * self.distance - r @ code_c
        return r, t

    def project(self, r, t, uv: np.ndarray) -> np.ndarray:
        th, tw = self.texture.shape
        pts = np.stack([(uv[:, 0] - tw / 2) * self.texel_mm, (uv[:, 1] - th / 2) * self.texel_mm,
                        np.zeros(len(uv))], 1) @ r.T + t
        return pts[:, :2] / pts[:, 2:] * FOCAL_PX + (WIDTH / 2, HEIGHT / 2)


def _hall(rng, light: float) -> np.ndarray:
    """The hall behind the phone, as linear radiance: walls, posters with text, people, a window."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    img = np.float32(rng.uniform(0.15, 0.5)) + np.float32(rng.uniform(-0.15, 0.15)) * (yy / HEIGHT - 0.5)
    img = np.broadcast_to(img, (HEIGHT, WIDTH)).copy()
    ink = np.zeros((HEIGHT, WIDTH), np.uint8)  # cv2 writes text into 8-bit images only
    for _ in range(int(rng.integers(2, 9))):
        x0, y0 = int(rng.integers(-80, WIDTH)), int(rng.integers(-80, HEIGHT))
        w, h = int(rng.integers(30, 300)), int(rng.integers(30, 300))
        refl = float(rng.uniform(0.04, 0.8))
        cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), refl, -1)
        if rng.random() < 0.4:  # a poster: lines of print
            for yl in range(y0 + 8, y0 + h - 6, int(rng.integers(9, 18))):
                cv2.putText(ink, "".join(rng.choice(list("ABCDEFGHKMNPRSTUXYZ0123456789 "), 12)), (x0 + 4, yl),
                            cv2.FONT_HERSHEY_PLAIN, float(rng.uniform(0.6, 1.2)), 255, 1, cv2.LINE_AA)
    img = img * (1 - ink / np.float32(255)) + np.float32(0.03) * (ink / np.float32(255))
    for _ in range(int(rng.integers(0, 3))):  # people
        c = (int(rng.integers(0, WIDTH)), int(rng.integers(HEIGHT // 3, HEIGHT)))
        cv2.ellipse(img, c, (int(rng.integers(30, 90)), int(rng.integers(80, 200))), 0, 0, 360,
                    float(rng.uniform(0.05, 0.5)), -1)
    if rng.random() < 0.25:  # a window: bright enough to clip at any exposure
        x0 = int(rng.integers(0, WIDTH - 60))
        cv2.rectangle(img, (x0, 0), (x0 + int(rng.integers(60, 200)), int(rng.integers(60, 200))),
                      float(rng.uniform(3, 10)), -1)
    return cv2.GaussianBlur(img, (0, 0), float(rng.uniform(1.5, 5.0))) * np.float32(light)


def _screen(rng, mods, texel_mm: float):
    """The phone's face as a texture of emitted light in [0, 1] (4 texels a module) and the code's box."""
    phone_mm = (rng.uniform(68, 78), rng.uniform(145, 165))
    tw, th = int(phone_mm[0] / texel_mm), int(phone_mm[1] / texel_mm)
    tex = np.full((th, tw), 0.004, np.float32)  # the black glass of the bezel
    bez = int(3.0 / texel_mm)
    sx0, sy0, sx1, sy1 = bez, int(bez * 2.5), tw - bez, th - int(bez * 2.5)
    dark = rng.random() < 0.3
    bg, fg = (0.02, 0.7) if dark else (float(rng.uniform(0.85, 1.0)), float(rng.uniform(0.01, 0.06)))
    tex[sy0:sy1, sx0:sx1] = bg
    sh = sy1 - sy0
    tex[sy0:sy0 + sh // 14, sx0:sx1] = rng.uniform(0.0, 1.0)  # status and title bars
    tex[sy0 + sh // 14:sy0 + sh // 7, sx0:sx1] = rng.uniform(0.05, 0.9)
    for y in range(sy0 + sh // 7 + 8, sy1 - 8, int(rng.integers(int(2.5 / texel_mm), int(4 / texel_mm) + 2))):
        if rng.random() < 0.5:  # text lines, icons
            x1 = int(rng.integers(sx0 + 20, sx1))
            cv2.line(tex, (sx0 + 12, y), (x1, y), fg, max(1, int(0.9 / texel_mm)))
    if mods is None:
        for _ in range(int(rng.integers(0, 12))):  # a keyboard or a photo grid
            x0, y0 = int(rng.integers(sx0, sx1 - 20)), int(rng.integers(sy0, sy1 - 20))
            cv2.rectangle(tex, (x0, y0), (x0 + int(rng.integers(8, 60)), y0 + int(rng.integers(8, 60))),
                          float(rng.uniform(0, 1)), -1)
        return tex, ((sx0 + sx1) // 2 - 40, (sy0 + sy1) // 2 - 40, 80)
    side = mods.shape[0] * 4
    pad = 4 * 4 + int(rng.integers(0, 12))
    x0 = (sx0 + sx1) // 2 - side // 2
    y0 = int(rng.uniform(sy0 + sh * 0.2, max(sy0 + sh * 0.2 + 1, sy1 - side - pad - sh * 0.1)))
    tex[y0 - pad:y0 + side + pad, x0 - pad:x0 + side + pad] = 1.0 if not dark else 0.9
    tex[y0:y0 + side, x0:x0 + side] = np.where(np.kron(mods, np.ones((4, 4), bool)), fg if not dark else 0.01,
                                                tex[y0, x0])
    return tex, (x0, y0, side)


def _thumb(rng, shape, code_box, cover: float):
    """A thumb from a side of the phone, as an alpha mask in texture space; it may reach over the code's
    edge (at most ``cover`` of its area) but leaves the three finder patterns free."""
    th, tw = shape
    x, y, side = code_box
    finders = [(x, y), (x + side - 7 * 4, y), (x, y + side - 7 * 4)]
    for _ in range(20):
        left = rng.random() < 0.5
        cx = 0 if left else tw
        cy = rng.uniform(0.35, 0.95) * th
        reach = rng.uniform(0.2, 0.5) * tw
        m = np.zeros(shape, np.float32)
        cv2.ellipse(m, (int(cx), int(cy)), (int(reach), int(0.12 * th)), float(rng.uniform(-35, 35)), 0, 360, 1.0, -1)
        m = cv2.GaussianBlur(m, (0, 0), 3.0)
        on_code = float((m[y:y + side, x:x + side] > 0.5).mean())
        free = all(m[fy - 4:fy + 32, max(0, fx - 4):fx + 32].max() < 0.05 for fx, fy in finders)
        quiet = m[max(0, y - 16):y + side + 16, max(0, x - 16):x + side + 16].max() < 0.05
        if (cover == 0 and quiet) or (cover > 0 and on_code <= cover and free):
            return m
    return None


def _aperture(radius: float, blades: int) -> np.ndarray:
    """The defocus PSF: a disk, or a regular polygon of ``blades`` sides, of ``radius`` px; sums to 1."""
    if radius < 0.35:
        return np.ones((1, 1), np.float32)
    n = int(np.ceil(radius)) + 1
    s = 4  # supersampled, so a small kernel is not all-or-nothing
    yy, xx = (np.mgrid[0:(2 * n + 1) * s, 0:(2 * n + 1) * s] + 0.5) / s - n - 0.5
    if blades:
        ang = np.arctan2(yy, xx)
        sector = 2 * np.pi / blades
        r_edge = radius * np.cos(np.pi / blades) / np.cos((ang % sector) - sector / 2)
        inside = np.hypot(xx, yy) <= r_edge
    else:
        inside = np.hypot(xx, yy) <= radius
    k = cv2.resize(inside.astype(np.float32), (2 * n + 1, 2 * n + 1), interpolation=cv2.INTER_AREA)
    return k / k.sum()


def _line_kernel(dx: float, dy: float) -> np.ndarray:
    length = float(np.hypot(dx, dy))
    if length < 0.5:
        return np.ones((1, 1), np.float32)
    n = int(np.ceil(length / 2)) + 1
    k = np.zeros((2 * n + 1, 2 * n + 1), np.float32)
    for t in np.linspace(-0.5, 0.5, max(3, int(length * 3))):
        x, y = n + t * dx, n + t * dy
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        k[y0, x0] += (1 - fx) * (1 - fy)
        k[y0, x0 + 1] += fx * (1 - fy)
        k[y0 + 1, x0] += (1 - fx) * fy
        k[y0 + 1, x0 + 1] += fx * fy
    return k / k.sum()


# libcamera's "normal" exposure profile, capped by a 30 fps frame: (shutter ms, analogue gain) stages
_AE_STAGES = ((10.0, 1.0), (10.0, 2.0), (30.0, 2.0), (30.0, 4.0), (33.0, 4.0), (33.0, 8.0))


def _auto_exposure(meter: float) -> tuple[float, float]:
    """(shutter ms, gain) giving the metered radiance the target grey: along the stages, the shutter
    lengthens first, then the gain rises, then the shutter again..."""
    need = TARGET * FULL_WELL / (K_PHOTONS * max(meter, 1e-6))  # shutter ms x gain
    prev_t, prev_g = 0.05, 1.0
    for t, g in _AE_STAGES:
        if t * g >= need:
            if t > prev_t:
                return max(0.05, need / prev_g), prev_g
            return prev_t, need / prev_t
        prev_t, prev_g = t, g
    return _AE_STAGES[-1]


class _Renderer:
    """Renders frames of one scene; the light direction of the glare is fixed by the scene's rest pose."""

    def __init__(self, scene: _Scene):
        self.s = scene
        self.light_dir = None
        if scene.phone and scene.glare is not None:
            r, t = scene.pose(np.zeros(2), 0.0)
            gx, gy = scene.glare[:2]
            p = self._points(r, t, np.array([gx]), np.array([gy]))[0]
            d = p / np.linalg.norm(p)
            n = r[:, 2]
            self.light_dir = d - 2 * np.dot(d, n) * n  # the mirror direction there: the lamp is that way

    def _points(self, r, t, u, v) -> np.ndarray:
        s = self.s
        th, tw = s.texture.shape
        local = np.stack([(u - tw / 2) * s.texel_mm, (v - th / 2) * s.texel_mm, np.zeros_like(u)], -1)
        return local @ r.T + t

    def frame(self, rng, offset=(0.0, 0.0), droll=0.0, velocity=(0.0, 0.0), extra_defocus=0.0,
              readout_ms: float = 18.0, scale: int = 1):
        """One frame at ``scale`` times the lores size (1: lores, rendered at 2x and scaled by the ISP;
        3: the main stream, rendered at its own pixels). Returns (8-bit image, conditions)."""
        s = self.s
        ss = SUPERSAMPLE if scale == 1 else 1  # render pixels an output pixel, across
        rad = s.background if scale == 1 else cv2.resize(s.background, (WIDTH * scale, HEIGHT * scale))
        rad = rad.copy()
        cond = dict(s.cond)
        layer = None
        if s.phone:
            layer = self._phone_layer(np.asarray(offset, float), droll, extra_defocus, scale, ss)
        if layer is not None:
            prem, alpha, box = layer
            x0, y0, x1, y1 = (v // ss for v in box)
            small_p, small_a = _down(prem, ss, False), _down(alpha, ss, False)
            comp = rad[y0:y1, x0:x1] * (1 - small_a) + small_p
            meter = 0.5 * float(rad.mean()) + 0.5 * float(comp.mean())
        else:
            meter = float(rad.mean())
        shutter, gain = _auto_exposure(meter)
        cond.update(shutter_ms=round(shutter, 1), gain=round(gain, 2))
        if s.phone and s.text is not None:
            cond["code_quad"] = s.code_quad(offset, droll).round(1).tolist()
        if layer is not None:
            f = scale * ss
            vx, vy = velocity
            prem, alpha = _move(prem, alpha, box, f * vx, f * vy, shutter, readout_ms, HEIGHT * f)
            cond["motion_px"] = round(float(np.hypot(vx, vy)) * shutter / 1000.0, 1)
            small_p, small_a = _down(prem, ss, s.isp_drop), _down(alpha, ss, s.isp_drop)
            rad[y0:y1, x0:x1] = rad[y0:y1, x0:x1] * (1 - small_a) + small_p
        # a main-stream pixel gathers a ninth of the light of a lores one (lores averages the sensor's)
        well = FULL_WELL / scale ** 2
        return _sensor(rng, rad * np.float32(shutter * K_PHOTONS / FULL_WELL), gain, s, well), cond

    def _phone_layer(self, offset, droll, extra_defocus, scale: int, ss: int):
        """The phone at ``scale * ss`` times lores, in its bounding box: premultiplied radiance, alpha, box."""
        s = self.s
        f = scale * ss
        r, t = s.pose(offset, droll)
        th, tw = s.texture.shape
        corners = np.float32([[0, 0], [tw, 0], [tw, th], [0, th]])
        proj = s.project(r, t, corners.astype(float))
        proj = (proj * scale + (scale - 1) / 2).astype(np.float32)  # lores pixel centres to the output's
        radius = f * (s.defocus + extra_defocus)
        margin = int(radius + 20 * f)
        lo = np.floor(proj.min(0) * ss - margin).astype(int) // ss * ss
        hi = np.ceil(proj.max(0) * ss + margin).astype(int) // ss * ss
        x0, y0 = max(0, lo[0]), max(0, lo[1])
        x1, y1 = min(ss * WIDTH * scale, hi[0]), min(ss * HEIGHT * scale, hi[1])
        if x1 - x0 < 8 or y1 - y0 < 8:
            return None
        h = np.linalg.inv(cv2.getPerspectiveTransform(corners, proj)).tolist()
        xs = (np.arange(x0, x1, dtype=np.float32) + 0.5) / ss - 0.5  # render pixel centres, output coordinates
        ys = (np.arange(y0, y1, dtype=np.float32) + 0.5) / ss - 0.5
        w = 1.0 / ((h[2][0] * xs)[None, :] + (h[2][1] * ys + h[2][2])[:, None])
        u = ((h[0][0] * xs)[None, :] + (h[0][1] * ys + h[0][2])[:, None]) * w
        v = ((h[1][0] * xs)[None, :] + (h[1][1] * ys + h[1][2])[:, None]) * w
        emit = cv2.remap(s.texture, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        alpha = cv2.remap(np.ones_like(s.texture), u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=0)
        if s.moire > 0:  # the panel's pixels, point-sampled by the sensor: aliasing is the moire
            k = s.texel_mm / s.screen_pitch_mm
            ph = s.moire_phase
            grid = 1 + s.moire / 1.25 * (0.55 * np.cos(2 * np.pi * k * u + ph[0]) + 0.25 * np.cos(6 * np.pi * k * u + ph[1])
                                  + 0.45 * np.cos(2 * np.pi * k * v + ph[2]))
            emit = emit * grid.astype(np.float32)
        rad = emit + np.float32(0.03 * s.light)  # the glass reflects a little of the hall
        if s.thumb is not None:
            ta = cv2.remap(s.thumb, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            rad = rad * (1 - ta) + ta * np.float32(0.35 * s.light)
        else:
            ta = 0.0
        if self.light_dir is not None:
            rad = rad + self._glare(r, t, u, v) * (1 - ta)
        prem = rad * alpha
        kernel = _aperture(radius, s.blades)
        if kernel.size > 1:
            prem = cv2.filter2D(prem, -1, kernel, borderType=cv2.BORDER_CONSTANT)
            alpha = cv2.filter2D(alpha, -1, kernel, borderType=cv2.BORDER_CONSTANT)
        return prem, alpha, (x0, y0, x1, y1)

    def _glare(self, r, t, u, v) -> np.ndarray:
        """The lamp's specular lobe on the glass (sharp) and on its smudges (wide), per pixel."""
        gx, gy, sigma, strength, haze = self.s.glare
        step = 4  # the lobe is smooth: computed on a coarse grid, then resized
        us, vs = u[::step, ::step].astype(float), v[::step, ::step].astype(float)
        p = self._points(r, t, us, vs)
        d = p / np.linalg.norm(p, axis=-1, keepdims=True)
        n = r[:, 2]
        refl = d - 2 * (d @ n)[..., None] * n
        ang = np.arccos(np.clip(refl @ self.light_dir, -1, 1))
        lobe = strength * (np.exp(-0.5 * (ang / sigma) ** 2) + haze * np.exp(-0.5 * (ang / (4 * sigma)) ** 2))
        return cv2.resize(lobe.astype(np.float32), (u.shape[1], u.shape[0]), interpolation=cv2.INTER_LINEAR)


def _down(img: np.ndarray, ss: int, drop: bool) -> np.ndarray:
    """The ISP's scaling to lores: an ``ss`` x ``ss`` average, or (a cheap ISP) every ``ss``-th pixel."""
    if ss == 1:
        return img
    if drop:
        return np.ascontiguousarray(img[::ss, ::ss])
    return cv2.resize(img, (img.shape[1] // ss, img.shape[0] // ss), interpolation=cv2.INTER_AREA)


def _move(prem, alpha, box, vx: float, vy: float, shutter_ms: float, readout_ms: float, rows_total: int):
    """Motion blur over the exposure (a line kernel) and the rolling shutter: each row read later, so shifted.
    Velocities in render pixels a second."""
    bx = vx * shutter_ms / 1000.0
    by = vy * shutter_ms / 1000.0
    k = _line_kernel(bx, by)
    if k.size > 1:
        prem = cv2.filter2D(prem, -1, k, borderType=cv2.BORDER_CONSTANT)
        alpha = cv2.filter2D(alpha, -1, k, borderType=cv2.BORDER_CONSTANT)
    if abs(vx) + abs(vy) > 1.0:
        x0, y0, x1, y1 = box
        rows = (np.arange(y0, y1, dtype=np.float32) / rows_total - 0.5) * readout_ms / 1000.0
        yy, xx = np.mgrid[0:y1 - y0, 0:x1 - x0].astype(np.float32)
        mx = (xx - (vx * rows)[:, None]).astype(np.float32)
        my = (yy - (vy * rows)[:, None]).astype(np.float32)
        prem = cv2.remap(prem, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        alpha = cv2.remap(alpha, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return prem, alpha


def _sensor(rng, exposure: np.ndarray, gain: float, scene: _Scene, well: float = FULL_WELL) -> np.ndarray:
    """Full-well fractions to 8-bit lores Y: bloom from what saturates, photon and read noise, gain, gamma, ISP."""
    excess = np.maximum(exposure - 1.0, 0)
    if excess.max() > 0:  # veiling glare: light scattered in the lens from saturated spots
        exposure = exposure + 0.04 * cv2.GaussianBlur(excess, (0, 0), 12) + 0.12 * cv2.GaussianBlur(excess, (0, 0), 3)
    mean = np.clip(exposure, 0, 1).astype(np.float32) * np.float32(well)
    # photon noise: Poisson where few electrons are caught, its normal limit elsewhere (the same, faster)
    electrons = mean + np.sqrt(mean) * rng.standard_normal(mean.shape, dtype=np.float32)
    few = mean < 30
    if few.any():
        electrons[few] = rng.poisson(mean[few])
    electrons += rng.normal(0, scene.read_noise, electrons.shape).astype(np.float32)
    linear = np.clip(electrons * np.float32(gain / well), 0, 1)
    y = linear ** np.float32(1 / 2.2)
    if gain > 3.0:  # the ISP's denoise at high gain
        y = cv2.GaussianBlur(y, (0, 0), 0.5 + 0.05 * gain)
    if scene.isp_sharpen:
        y = cv2.addWeighted(y, 1 + scene.isp_sharpen, cv2.GaussianBlur(y, (0, 0), 1.2), -scene.isp_sharpen, 0)
    return np.clip(y * 255 + 0.5, 0, 255).astype(np.uint8)


def generate(seed: int, level: str = "medium", *, with_code: bool = True) -> OpticsFrame:
    """One frame of a showing caught at a random moment: the level's motion, focus and light."""
    rng = np.random.default_rng([seed, LEVELS.index(level), 1])
    scene = _Scene(rng, level, with_code)
    speed = rng.uniform(*scene.p["speed"])
    angle = rng.uniform(0, 2 * np.pi)
    image, cond = _Renderer(scene).frame(rng, velocity=(speed * np.cos(angle), speed * np.sin(angle)))
    cond.update(seed=seed, speed_px_s=round(speed))
    return OpticsFrame(image, scene.text, cond)


def sequence(seed: int, level: str = "medium", *, count: int = 10, with_code: bool = True) -> Iterator[OpticsFrame]:
    """One showing at 30 fps: the phone comes up (moving, rolling, out of focus) and steadies; lazy."""
    rng = np.random.default_rng([seed, LEVELS.index(level), 2])
    # the student ends up showing the code: facing the camera, the lamp's reflection not on the code
    scene = _Scene(rng, level, with_code, at_rest=True)
    if scene.phone and scene.thumb is not None and scene.p["thumb_cover"] > 0:
        scene.thumb = _thumb(rng, scene.texture.shape, scene.code_box, 0.0)
    renderer = _Renderer(scene)
    amp = rng.uniform(*scene.p["shake"]) / 3  # px, decaying swing as the arm comes to rest
    tau = rng.uniform(0.025, 0.06)
    omega = 2 * np.pi * rng.uniform(2.0, 5.0)
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction)
    roll0, phase = np.deg2rad(rng.uniform(-8, 8)), rng.uniform(-0.5, 0.5)  # it arrives from its start offset
    tremor = rng.uniform(0.3, 1.2), 2 * np.pi * rng.uniform(8, 12), rng.uniform(0, 2 * np.pi, 2)
    focus0, focus_tau = rng.uniform(0.0, 2.5), rng.uniform(0.04, 0.12)  # autofocus still settling
    t0 = rng.uniform(0.0, 0.03)

    def offset(t: float) -> np.ndarray:
        swing = amp * np.exp(-t / tau) * np.cos(omega * t + phase)
        a, w, ph = tremor
        return direction * swing + a * np.array([np.sin(w * t + ph[0]), np.sin(1.3 * w * t + ph[1])])

    for i in range(count):
        t = t0 + i / FPS
        velocity = (offset(t + 1e-3) - offset(t - 1e-3)) / 2e-3
        droll = roll0 * np.exp(-t / tau) * np.cos(omega * t)
        image, cond = renderer.frame(rng, offset=offset(t), droll=droll, velocity=tuple(velocity),
                                     extra_defocus=focus0 * np.exp(-t / focus_tau))
        cond.update(seed=seed, frame=i, speed_px_s=round(float(np.linalg.norm(velocity))))
        yield OpticsFrame(image, scene.text, cond)


def hires_pair(seed: int, level: str = "medium", *, with_code: bool = True,
               scale: int = 3) -> tuple[OpticsFrame, np.ndarray]:
    """A lores frame and its main-stream companion at ``scale`` times its size (same field of view, same
    moment, same optics, its own noise): what the station's high-resolution retry sees. The companion is
    rendered at the main stream's own pixels, so it holds the detail the lores frame lost."""
    rng = np.random.default_rng([seed, LEVELS.index(level), 3])
    scene = _Scene(rng, level, with_code)
    speed = rng.uniform(*scene.p["speed"])
    angle = rng.uniform(0, 2 * np.pi)
    velocity = (speed * np.cos(angle), speed * np.sin(angle))
    renderer = _Renderer(scene)
    image, cond = renderer.frame(rng, velocity=velocity)
    big, _ = renderer.frame(rng, velocity=velocity, scale=scale)
    cond.update(seed=seed, speed_px_s=round(speed))
    return OpticsFrame(image, scene.text, cond), big
