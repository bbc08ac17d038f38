"""Frames larger than the screen: a reduced overview of the whole, full resolution
only where the user looks.

A 20,000 x 20,000 float32 FITS is 1.6 GB. Reading it all to show a 2,000-pixel-wide
window would take seconds and the memory of the machine, so the overview samples one
pixel per ``factor`` x ``factor`` block, reading only the rows it samples (with read
calls on the file behind a memory map, see :class:`_RowReader`). Its limits (the
interval of that subsample) are then used for every region rendered at full
resolution, so the detail drawn over the overview matches it in brightness.

The strided sample is the quick first picture; a one-pixel star falls between its
samples. :func:`render_mean_overview` then reads every pixel once (in bands of rows,
with read calls: memory stays that of one band) and renders the mean of each block with
the same limits, so every star keeps its light; a GUI swaps it in when it is ready.

Block ``(p, q)`` of a picture with reduction ``factor`` whose top-left block starts at
image pixel ``(x0, y0)`` covers image pixels ``[x0 + q*f, x0 + (q+1)*f) x
[y0 + p*f, y0 + (p+1)*f)``, the convention of :mod:`imgmarker.kernel.display.preview`.
"""

from __future__ import annotations

import math
import mmap
import os
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


def _mapped_file(address: int) -> tuple[str, int] | None:
    """(file, offset in the file) of the mapping that holds ``address`` (Linux)."""
    try:
        with open("/proc/self/maps") as handle:
            for line in handle:
                parts = line.split(maxsplit=5)
                low, high = (int(v, 16) for v in parts[0].split("-"))
                if low <= address < high and len(parts) == 6 and parts[5].startswith("/"):
                    return parts[5].rstrip("\n"), int(parts[2], 16) + address - low
    except (OSError, ValueError, IndexError):
        return None
    return None


class _RowReader:
    """Reads runs of pixels of a memory-mapped frame with ``pread`` instead of through
    the map. The kernel maps whole page-cache folios on a fault, so touching one pixel
    in ten rows through the map would make all of a 1.6 GB file resident in this
    process; read calls copy only what is asked for."""

    def __init__(self, data: np.ndarray, path: str, offset: int):
        self.data = data
        self.fd = os.open(path, os.O_RDONLY)
        self.offset = offset  # file offset of data[0, 0]

    @classmethod
    def open(cls, data: np.ndarray) -> "_RowReader | None":
        if not hasattr(os, "preadv") or data.strides[1] != data.itemsize * (data.shape[2] if data.ndim == 3 else 1):
            return None
        found = _mapping(data)
        if found is None:
            return None
        located = _mapped_file(data.__array_interface__["data"][0])
        if located is None:
            return None
        try:
            return cls(data, *located)
        except OSError:
            return None

    def close(self) -> None:
        os.close(self.fd)

    def read_rows(self, first: int, out: np.ndarray) -> np.ndarray:
        """``data[first:first + len(out)]`` read into ``out`` (rows x full width) in one read
        when the rows lie back to back in the file, else row by row; returns the rows in
        display order (a flipped view of ``out`` when the file stores them bottom-up)."""
        rows = out.shape[0]
        stride = self.data.strides[0]
        if abs(stride) != out.shape[1] * self.data.strides[1] or not out.flags.c_contiguous:
            for i in range(rows):
                self.read(first + i, 0, out[i])
            return out
        if stride > 0:
            self._pread(self.offset + first * stride, out)
            return out
        self._pread(self.offset + (first + rows - 1) * stride, out)  # FITS rows run bottom-up
        return out[::-1]

    def _pread(self, position: int, out: np.ndarray) -> None:
        buffer = memoryview(out.reshape(-1).view(np.uint8))
        done = 0
        while done < buffer.nbytes:
            got = os.preadv(self.fd, [buffer[done:]], position + done)
            if got <= 0:
                raise OSError(f"short read at byte {position + done}")
            done += got

    def read(self, row: int, x0: int, out: np.ndarray) -> None:
        """Fill ``out`` (native or file byte order, same item size) with ``data[row, x0:x0 + len(out)]``."""
        self._pread(self.offset + row * self.data.strides[0] + x0 * self.data.strides[1], out)


def strided(data: np.ndarray, factor: int, x0: int = 0, y0: int = 0, x1: int | None = None,
            y1: int | None = None) -> np.ndarray:
    """The centre pixel of each ``factor`` block of ``data[y0:y1, x0:x1]``, as native
    float32 (or the frame's own type for integers) in one compact array. A memory-mapped
    frame too large to hold is read row by row with read calls (only the rows sampled are
    read); any other is sampled through a strided view, in one pass."""
    height, width = data.shape[:2]
    x1 = width if x1 is None else x1
    y1 = height if y1 is None else y1
    half = factor // 2
    rows = np.minimum(np.arange(y0, y1, factor) + half, y1 - 1)  # a partial last block samples its own last pixel
    cols = np.minimum(np.arange(x0, x1, factor) + half, x1 - 1) - x0
    kind = data.dtype.kind
    target = np.dtype(np.float32) if kind == "f" else data.dtype.newbyteorder("=")
    out = np.empty((len(rows), len(cols)) + data.shape[2:], target)
    reader = _RowReader.open(data) if is_large(data.shape) else None
    if reader is None:
        whole_rows = int(np.count_nonzero(np.arange(y0, y1, factor) + half <= y1 - 1))  # all but a clipped last
        whole_cols = int(np.count_nonzero(np.arange(x0, x1, factor) + half <= x1 - 1))
        lines = slice(y0 + half, y0 + half + factor * whole_rows, factor)
        np.copyto(out[:whole_rows, :whole_cols], data[lines, x0 + half:x0 + half + factor * whole_cols:factor],
                  casting="unsafe")
        if whole_cols < len(cols):
            np.copyto(out[:whole_rows, whole_cols:], data[lines][:, x0 + cols[whole_cols:]], casting="unsafe")
        if whole_rows < len(rows):
            np.copyto(out[whole_rows:], data[rows[whole_rows:]][:, x0 + cols], casting="unsafe")
        return out
    try:
        line = np.empty((x1 - x0,) + data.shape[2:], data.dtype)
        simple = factor == 1
        for i, row in enumerate(rows):
            reader.read(int(row), x0, line)
            np.copyto(out[i], line if simple else line[cols], casting="unsafe")
    finally:
        reader.close()
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


BAND_PIXELS = 1 << 21  # pixels read per band by :func:`block_means`


def block_means(data: np.ndarray, factor: int) -> np.ndarray:
    """The mean of the finite values of each ``factor`` x ``factor`` block of a single-band
    frame (NaN where a block has none), as float32, reading the frame band by band (a
    memory-mapped frame with read calls, so its pages do not stay in this process)."""
    height, width = data.shape[:2]
    f = max(1, int(factor))
    rows_out, cols_out = -(-height // f), -(-width // f)
    out = np.empty((rows_out, cols_out), np.float32)
    per_band = max(1, BAND_PIXELS // (f * f * cols_out))  # block rows per band
    reader = _RowReader.open(data)
    raw = np.empty((per_band * f, width), data.dtype) if reader is not None else None
    values = np.empty((per_band * f, cols_out * f), np.float32)
    try:
        for p0 in range(0, rows_out, per_band):
            p1 = min(p0 + per_band, rows_out)
            first, last = p0 * f, min(p1 * f, height)
            rows = last - first
            if reader is not None:
                np.copyto(values[:rows, :width], reader.read_rows(first, raw[:rows]), casting="unsafe")
            else:
                np.copyto(values[:rows, :width], data[first:last], casting="unsafe")
            if rows < (p1 - p0) * f:  # the last, partial row of blocks
                values[rows:(p1 - p0) * f] = np.nan
            if width < cols_out * f:
                values[:, width:] = np.nan
            band = values[:(p1 - p0) * f].reshape(p1 - p0, f, cols_out * f)
            sums = band.sum(axis=1).reshape(p1 - p0, cols_out, f).sum(axis=2)  # rows first: contiguous adds
            if np.isfinite(sums).all():  # the usual case: every pixel counts
                out[p0:p1] = sums * np.float32(1.0 / (f * f))
            else:  # NaN, infinities or padding: average the finite pixels of each block
                blocks = band.reshape(p1 - p0, f, cols_out, f)
                finite = np.isfinite(blocks)
                counts = finite.sum(axis=(1, 3))
                sums = np.where(finite, blocks, np.float32(0)).sum(axis=(1, 3), dtype=np.float64)
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[p0:p1] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    finally:
        if reader is not None:
            reader.close()
    return out


def render_mean_overview(data: np.ndarray, settings: Any, renderer: Any, factor: int,
                         limits: tuple[float, float]) -> Picture:
    """The overview of :func:`render_overview` (same ``factor``, same ``limits``) from
    block means instead of samples: what a zoomed-out eye sees, faint stars included."""
    if data.ndim == 3 and data.shape[2] > 1:
        means = np.stack([block_means(data[..., c], factor) for c in range(data.shape[2])], axis=-1)
    else:
        means = block_means(data[..., 0] if data.ndim == 3 else data, factor)
    rendered = renderer.render(means, settings, rgba=True, limits=limits)
    return Picture(np.ascontiguousarray(rendered.rgba()), factor, 0, 0, (float(limits[0]), float(limits[1])))
