"""Where a cutout lies in its source frame, and where its mark lands in it.

Cutouts keep the source's pixel grid (no resampling, so every value is an original
pixel). A cutout of N x N pixels around a mark at display (x, y) -- 0-based, origin
at the centre of the top-left pixel, y down, as everywhere in imgmarker -- starts at
display column ``x0 = floor(x - (N - 1) / 2 + 0.5)`` and row
``y0 = floor(y - (N - 1) / 2 + 0.5)``. The mark then lands at ``(x - x0, y - y0)`` in
the cutout: within half a pixel of the cutout's centre ``((N - 1) / 2, (N - 1) / 2)``,
never shifted further, and the label table records that position exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def cutout_size(size: float, unit: str, scale: Any) -> np.ndarray:
    """Side in pixels of each cutout: ``size`` pixels, or ``size`` arcsec through the
    local scale (arcsec per pixel at each mark; NaN where there is no WCS, which
    gives 0: no cutout)."""
    scale = np.atleast_1d(np.asarray(scale, dtype=float))
    if unit == "px":
        return np.full(len(scale), max(int(np.floor(size + 0.5)), 1), dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        side = np.floor(size / scale + 0.5)
    return np.where(np.isfinite(side), np.maximum(side, 1), 0).astype(np.int64)


def cutout_origin(x: Any, y: Any, size: Any) -> tuple[np.ndarray, np.ndarray]:
    """Display column and row of each cutout's top-left pixel."""
    half = (np.asarray(size, dtype=float) - 1.0) / 2.0
    x0 = np.floor(np.asarray(x, dtype=float) - half + 0.5).astype(np.int64)
    y0 = np.floor(np.asarray(y, dtype=float) - half + 0.5).astype(np.int64)
    return x0, y0


def outside_fraction(x0: Any, y0: Any, size: Any, height: int, width: int) -> np.ndarray:
    """Fraction of each cutout's pixels that lie outside the source frame."""
    x0, y0, size = (np.asarray(v, dtype=np.int64) for v in (x0, y0, size))
    inside_x = np.clip(np.minimum(x0 + size, width) - np.maximum(x0, 0), 0, None)
    inside_y = np.clip(np.minimum(y0 + size, height) - np.maximum(y0, 0), 0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size > 0, 1.0 - inside_x * inside_y / np.maximum(size * size, 1), 1.0)


def extract(data: np.ndarray, x0: int, y0: int, width: int, height: int | None = None,
            fill: float = np.nan) -> tuple[np.ndarray, np.ndarray | None]:
    """The ``width`` x ``height`` cutout (square by default) at display column ``x0``,
    row ``y0`` of display-oriented ``data`` ((H, W) or (H, W, C)), and a mask of its
    padded pixels (None when it lies wholly inside). Padded cutouts of integer data
    become floating point so that ``fill`` (NaN) can stand for the missing pixels."""
    height = width if height is None else height
    rows, cols = data.shape[:2]
    if x0 >= 0 and y0 >= 0 and x0 + width <= cols and y0 + height <= rows:
        return np.array(data[y0:y0 + height, x0:x0 + width]), None
    dtype = data.dtype
    if dtype.kind in "uib":
        dtype = np.dtype(np.float32 if dtype.itemsize <= 2 else np.float64)
    out = np.full((height, width) + data.shape[2:], fill, dtype=dtype)
    mask = np.ones((height, width), dtype=bool)
    xa, xb = max(x0, 0), min(x0 + width, cols)
    ya, yb = max(y0, 0), min(y0 + height, rows)
    if xa < xb and ya < yb:
        out[ya - y0:yb - y0, xa - x0:xb - x0] = data[ya:yb, xa:xb]
        mask[ya - y0:yb - y0, xa - x0:xb - x0] = False
    return out, mask
