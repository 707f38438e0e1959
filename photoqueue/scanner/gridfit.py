"""Reading a bent or wavy QR symbol by fitting a deformable module grid.

zxing-cpp and zbar sample a symbol through one perspective transform (plus an alignment
pattern). A code on a curved phone case, a creased printout or a shirt drifts off that grid by
more than half a module, and they fail with a checksum error although the symbol was found.

Here the located quad is rectified to a canvas of ``k`` pixels a module; the module edges (which
lie on the grid lines) are searched near every grid line, their displacements smoothed into a
field (Gaussian-weighted, coarse to fine), the module centres sampled through the field, and the
bits rendered as a clean symbol that zxing-cpp reads in its "pure" mode, with its error correction
mending the few modules still wrong.
"""

from __future__ import annotations

import cv2
import numpy as np

K = 8  # canvas pixels a module
MARGIN = 2  # modules of margin kept around the symbol on the canvas
# (search range as a fraction of a module, smoothing sigma in modules), coarse to fine
PASSES = ((0.5, 4.0), (0.3, 2.0), (0.2, 1.5))


def rectify(gray: np.ndarray, quad: np.ndarray, n: int, k: int = K, margin: int = MARGIN) -> np.ndarray:
    """The symbol inside ``quad`` (TL, TR, BR, BL) warped square, ``k`` pixels a module."""
    size = (n + 2 * margin) * k
    a, b = margin * k, (margin + n) * k
    dst = np.float32([[a, a], [b, a], [b, b], [a, b]])
    m = cv2.getPerspectiveTransform(np.float32(quad), dst)
    return cv2.warpPerspective(gray, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _smooth(num: np.ndarray, den: np.ndarray, sigma: float) -> np.ndarray:
    """Normalised Gaussian smoothing of scattered observations on the half-module lattice."""
    ksize = int(2 * round(3 * sigma) + 1)
    g = cv2.getGaussianKernel(ksize, sigma)
    n = cv2.sepFilter2D(num, cv2.CV_64F, g, g, borderType=cv2.BORDER_CONSTANT)
    d = cv2.sepFilter2D(den, cv2.CV_64F, g, g, borderType=cv2.BORDER_CONSTANT)
    return n / np.maximum(d, 1e-9)


def _edge_search(grad, pu, pv, r, half, along_x):
    """For each point, the offset in [-r, r] across the line where the summed gradient peaks."""
    size = grad.shape[0]
    offs = np.arange(-r, r + 1)
    band = np.arange(-half, half + 1)
    if along_x:
        xs = np.clip(np.rint(pu)[:, None, None].astype(int) + offs[None, None, :], 0, size - 1)
        ys = np.clip(np.rint(pv)[:, None, None].astype(int) + band[None, :, None], 0, size - 1)
    else:
        ys = np.clip(np.rint(pv)[:, None, None].astype(int) + offs[None, None, :], 0, size - 1)
        xs = np.clip(np.rint(pu)[:, None, None].astype(int) + band[None, :, None], 0, size - 1)
    prof = grad[ys, xs].sum(1)  # points x offsets
    best = prof.argmax(1)
    strength = prof[np.arange(len(pu)), best] - np.median(prof, axis=1)
    return offs[best].astype(np.float32), strength


def _weights(strength):
    w = np.clip(strength - np.percentile(strength, 50), 0, None)
    return w / (w.max() + 1e-9)


def fit_grid(canvas: np.ndarray, n: int, k: int = K, margin: int = MARGIN, passes=PASSES):
    """Module centre coordinates (two n x n arrays, x and y) on the canvas after fitting the grid.

    The displacement field lives on a half-module lattice (2n+1 square): grid-line points between
    columns sit at (row 2i+1, col 2j), those between rows at (2j, 2i+1), module centres at odd/odd.
    """
    blurred = cv2.GaussianBlur(canvas, (3, 3), 0).astype(np.float32)
    gx = np.abs(cv2.Sobel(blurred, cv2.CV_32F, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(blurred, cv2.CV_32F, 0, 1, ksize=3))
    ii, jj = np.meshgrid(np.arange(n), np.arange(n + 1), indexing="ij")
    ii, jj = ii.ravel(), jj.ravel()
    # vertical grid-line points: x on line j, y at row i's centre (canvas pixels); lattice cells
    vu = ((margin + jj) * k).astype(np.float32)
    vv = ((margin + ii + 0.5) * k).astype(np.float32)
    v_cell = (2 * ii + 1, 2 * jj)
    h_cell = (2 * jj, 2 * ii + 1)  # horizontal grid-line points: the transposes
    size = 2 * n + 1
    field_x = np.zeros((size, size))
    field_y = np.zeros((size, size))
    half = max(1, k // 4)
    for frac, sigma_modules in passes:
        r = max(1, int(round(frac * k)))
        ddx, sx = _edge_search(gx, vu + field_x[v_cell], vv + field_y[v_cell], r, half, True)
        ddy, sy = _edge_search(gy, vv + field_x[h_cell], vu + field_y[h_cell], r, half, False)
        wx, wy = _weights(sx), _weights(sy)
        num_x = np.zeros((size, size))
        den_x = np.zeros((size, size))
        num_y = np.zeros((size, size))
        den_y = np.zeros((size, size))
        num_x[v_cell] = wx * (field_x[v_cell] + ddx)
        den_x[v_cell] = wx
        num_y[h_cell] = wy * (field_y[h_cell] + ddy)
        den_y[h_cell] = wy
        field_x = _smooth(num_x, den_x, 2 * sigma_modules)
        field_y = _smooth(num_y, den_y, 2 * sigma_modules)
    centres = np.arange(n)
    cu = ((margin + centres + 0.5) * k)[None, :] + field_x[1::2, 1::2]
    cv_ = ((margin + centres + 0.5) * k)[:, None] + field_y[1::2, 1::2]
    return cu, cv_


def sample_modules(canvas: np.ndarray, xs: np.ndarray, ys: np.ndarray, k: int = K) -> np.ndarray:
    """Dark modules (True) at the given centres, each against its neighbourhood's mean."""
    soft = cv2.GaussianBlur(canvas, (0, 0), k / 4).astype(np.float32)
    background = cv2.GaussianBlur(canvas.astype(np.float32), (0, 0), k * 3)
    mx, my = xs.astype(np.float32), ys.astype(np.float32)
    values = cv2.remap(soft, mx, my, cv2.INTER_LINEAR)
    local = cv2.remap(background, mx, my, cv2.INTER_LINEAR)
    return values < local


def render_modules(bits: np.ndarray, scale: int = 4, quiet: int = 4) -> np.ndarray:
    """A clean symbol image (black on white, quiet zone) from a bit matrix."""
    n = bits.shape[0]
    img = np.full((n + 2 * quiet, n + 2 * quiet), 255, np.uint8)
    img[quiet:quiet + n, quiet:quiet + n] = np.where(bits, 0, 255)
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def dewarp_symbol(gray: np.ndarray, quad: np.ndarray, version: int) -> np.ndarray:
    """A clean, square rendering of the symbol located at ``quad``, for a decoder in pure mode."""
    n = 17 + 4 * version
    canvas = rectify(gray, quad, n)
    xs, ys = fit_grid(canvas, n)
    return render_modules(sample_modules(canvas, xs, ys))
