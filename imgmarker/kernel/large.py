"""Frames larger than the screen: a reduced overview of the whole, full resolution
only where the user looks.

A 20,000 x 20,000 float32 FITS is 1.6 GB. Reading it all to show a 2,000-pixel-wide
window would take seconds and the memory of the machine, so the overview reads one
pixel per ``factor`` x ``factor`` block straight from the memory map (the pages of
the rows it skips are never touched), and its limits (a subsample of the frame) are
then used for every region rendered at full resolution, so the detail drawn over the
overview matches it in brightness.

Block ``(p, q)`` of a picture with reduction ``factor`` whose top-left block starts at
image pixel ``(x0, y0)`` covers image pixels ``[x0 + q*f, x0 + (q+1)*f) x
[y0 + p*f, y0 + (p+1)*f)``, the convention of :mod:`imgmarker.kernel.preview`.
"""

from __future__ import annotations

import math
import mmap
from dataclasses import dataclass
from typing import Any, Hashable

import numpy as np

#: frames with more pixels than this are shown through an overview
LARGE_PIXELS = 8192 * 8192
#: the longer side of an overview is at most this many pixels
OVERVIEW_SIDE = 2048


def is_large(shape: tuple[int, ...], limit: int = LARGE_PIXELS) -> bool:
    return int(shape[0]) * int(shape[1]) > limit


def reduction_for(shape: tuple[int, ...], max_side: int = OVERVIEW_SIDE) -> int:
    """Smallest integer factor that brings the longer side to ``max_side`` or less."""
    return max(1, math.ceil(max(int(shape[0]), int(shape[1])) / max(int(max_side), 1)))


def _mapping(data: np.ndarray) -> tuple[mmap.mmap, int] | None:
    """The memory map under ``data`` (if any) and the address where it starts."""
    base = data
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None)
    if base is None or getattr(base, "closed", False):
        return None
    try:
        view = np.frombuffer(base, np.uint8)
    except (TypeError, ValueError, BufferError):
        return None
    start = view.ctypes.data
    del view  # a lingering export would stop the file from closing
    return base, start


def advise_rows(data: np.ndarray, rows: np.ndarray, x0: int, x1: int) -> None:
    """Ask the kernel to read pixels ``x0:x1`` of the given rows of a memory-mapped
    frame, and nothing around them: a fault on one page would otherwise read ahead
    whole neighbouring rows, reading most of the file to show a tenth of it."""
    found = _mapping(data)
    if found is None or not hasattr(found[0], "madvise") or x1 <= x0:
        return
    mapped, start = found
    page = mmap.PAGESIZE
    size = len(mapped)
    item = data.strides[1]
    if item <= 0:
        return
    span = (x1 - x0 - 1) * item + data.itemsize * (data.shape[2] if data.ndim == 3 else 1)
    base = data.__array_interface__["data"][0] - start + x0 * item
    try:
        for row in rows:
            first = base + int(row) * data.strides[0]
            low = first - first % page
            high = min(size, first + span)
            if 0 <= low < high:
                mapped.madvise(mmap.MADV_WILLNEED, low, high - low)
    except (OSError, ValueError):
        pass


def strided(data: np.ndarray, factor: int, x0: int = 0, y0: int = 0, x1: int | None = None,
            y1: int | None = None) -> np.ndarray:
    """The centre pixel of each ``factor`` block of ``data[y0:y1, x0:x1]``, as native
    float32 (or the frame's own type for integers) in one compact array."""
    height, width = data.shape[:2]
    x1 = width if x1 is None else x1
    y1 = height if y1 is None else y1
    half = factor // 2
    rows = np.arange(y0, y1, factor) + half
    cols = np.arange(x0, x1, factor) + half
    np.minimum(rows, y1 - 1, out=rows)  # a partial last block samples its own last pixel
    np.minimum(cols, x1 - 1, out=cols)
    advise_rows(data, rows if factor > 1 else np.arange(y0, y1), x0, x1)
    if factor == 1:
        view = data[y0:y1, x0:x1]
    else:
        view = data[int(rows[0]):int(rows[-1]) + 1:factor, int(cols[0]):int(cols[-1]) + 1:factor]
        if view.shape[0] < len(rows) or view.shape[1] < len(cols):  # partial last block
            view = data[rows[:, None], cols[None, :]] if data.ndim == 2 else data[rows[:, None], cols[None, :], :]
    kind = view.dtype.kind
    target = np.float32 if kind == "f" else view.dtype.newbyteorder("=")
    out = np.empty(view.shape, target)
    for start in range(0, view.shape[0], 256):  # row blocks: the memory map is read once, in order
        np.copyto(out[start:start + 256], view[start:start + 256], casting="unsafe")
    return out


@dataclass(frozen=True)
class Picture:
    """A rendered picture of (part of) a frame: ``rgba`` block (p, q) covers image pixels
    from ``(x0 + q*factor, y0 + p*factor)`` on, ``factor`` pixels a side."""

    rgba: np.ndarray
    factor: int
    x0: int = 0
    y0: int = 0
    limits: tuple[float, float] = (0.0, 1.0)

    @property
    def nbytes(self) -> int:
        return int(self.rgba.nbytes)


def render_overview(data: np.ndarray, settings: Any, renderer: Any, *, max_side: int = OVERVIEW_SIDE,
                    key: Hashable | None = None) -> Picture:
    """The whole frame reduced to at most ``max_side`` pixels a side; the interval is
    computed on that subsample and kept in :attr:`Picture.limits` for the details."""
    factor = reduction_for(data.shape, max_side)
    reduced = strided(data, factor)
    rendered = renderer.render(reduced, settings, key=key, rgba=True)
    return Picture(np.ascontiguousarray(rendered.rgba()), factor, 0, 0, (rendered.vmin, rendered.vmax))


def render_region(data: np.ndarray, settings: Any, renderer: Any, region: tuple[float, float, float, float],
                  limits: tuple[float, float], factor: int = 1, *, margin: int = 0) -> Picture | None:
    """Render image region ``(x0, y0, x1, y1)`` (image coordinates, e.g. the view's
    visible rectangle) at reduction ``factor`` with fixed ``limits``.

    The region is widened by ``margin`` pixels and snapped to the ``factor`` grid so
    pictures of neighbouring regions line up; None when it misses the frame."""
    height, width = data.shape[:2]
    factor = max(1, int(factor))
    x0 = max(0, math.floor(region[0] + 0.5) - margin)
    y0 = max(0, math.floor(region[1] + 0.5) - margin)
    x1 = min(width, math.ceil(region[2] + 0.5) + margin)
    y1 = min(height, math.ceil(region[3] + 0.5) + margin)
    x0 -= x0 % factor
    y0 -= y0 % factor
    if x1 <= x0 or y1 <= y0:
        return None
    crop = strided(data, factor, x0, y0, x1, y1)
    rendered = renderer.render(crop, settings, rgba=True, limits=limits)
    return Picture(np.ascontiguousarray(rendered.rgba()), factor, x0, y0, (float(limits[0]), float(limits[1])))
