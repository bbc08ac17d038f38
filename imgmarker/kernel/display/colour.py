"""Colour frames: one interval for all channels, stretched by their mean brightness, so
every channel of a pixel is multiplied by the same factor and hue is kept.

The work is done in strips of rows: a strip's float planes stay in the CPU cache,
where a whole-frame pass per step would stream a (3, H, W) float32 copy of the frame
through memory a dozen times. Every pixel is computed exactly as a whole-frame pass
would compute it (same operations, same order); only the memory traffic differs.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from imgmarker.kernel.display.strips import LEVELS

STRIP_PIXELS = 16384  # pixels per strip: 3 float32 planes and a few rows of work stay in L2


def planes(data: np.ndarray) -> np.ndarray:
    """(H, W, C) -> (3, H, W) float32 copy of the colour channels."""
    height, width = data.shape[:2]
    out = np.empty((3, height, width), np.float32)
    for c in range(3):
        np.copyto(out[c], data[..., c], casting="unsafe")
    return out


def sample_grid(source: np.ndarray, sample_size: int, *, channels_last: bool) -> np.ndarray:
    """Finite channel values on a regular grid (plane by plane), for the interval."""
    height, width = (source.shape[:2] if channels_last else source.shape[1:])
    step = max(1, int(np.sqrt(3 * height * width / max(sample_size, 1))))
    rows, cols = -(-height // step), -(-width // step)
    grid = np.empty((3, rows, cols), np.float32)
    for c in range(3):
        np.copyto(grid[c], source[::step, ::step, c] if channels_last else source[c, ::step, ::step],
                  casting="unsafe")
    grid = grid.reshape(-1)
    return grid[np.isfinite(grid)] if source.dtype.kind == "f" else grid


def brightness_sample(source: np.ndarray, vmin: float, vmax: float, sample_size: int, *,
                      channels_last: bool) -> np.ndarray:
    """Scaled mean brightness at every ``step``-th pixel (in row-major order), clipped to
    [0, 1], computed as the strips compute it: the sample a histogram stretch needs."""
    height, width = (source.shape[:2] if channels_last else source.shape[1:])
    step = max(1, (height * width) // sample_size)
    flat = np.arange(0, height * width, step)
    rows, cols = np.divmod(flat, width)
    values = np.empty((3, flat.size), np.float32)
    for c in range(3):
        np.copyto(values[c], source[rows, cols, c] if channels_last else source[c, rows, cols], casting="unsafe")
    span = vmax - vmin if vmax > vmin else 1.0
    values -= np.float32(vmin)
    values *= np.float32(1.0 / span)
    np.maximum(values, 0.0, out=values)
    bright = values[0] + values[1]
    bright += values[2]
    bright *= np.float32(1.0 / 3.0)
    bright[np.isnan(bright)] = 0.0
    return np.clip(bright, 0.0, 1.0)


def render_strips(source: np.ndarray, vmin: float, vmax: float, values: np.ndarray,
                  nan_color: tuple[int, int, int], alpha: np.ndarray | None, *, channels_last: bool
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """(H, W, 4) uint8 picture and the NaN mask (None without NaN) of ``source``: (H, W, C)
    data (``channels_last``) or (3, H, W) float planes. ``values``: the stretch of every
    brightness level (LEVELS float32 values in [0, 1])."""
    height, width = (source.shape[:2] if channels_last else source.shape[1:])
    floating = source.dtype.kind == "f"
    span = vmax - vmin if vmax > vmin else 1.0
    shift, scale = np.float32(vmin), np.float32(1.0 / span)
    rgba = np.empty((height, width, 4), np.uint8)
    rgba[..., 3] = 255 if alpha is None else alpha
    nan_mask = np.zeros((height, width), bool) if floating else None  # zero pages cost nothing until written
    found = False
    rows = max(1, STRIP_PIXELS // max(width, 1))
    work = np.empty((3, min(rows, height), width), np.float32)
    bright_buf = np.empty(work.shape[1:], np.float32)
    level_buf = np.empty(work.shape[1:], np.float32)
    codes_buf = np.empty(work.shape[1:], np.uint16)
    factor_buf = np.empty(work.shape[1:], np.float32)
    peak_buf = np.empty(work.shape[1:], np.float32)
    positive = np.empty(work.shape[1:], bool)
    for row in range(0, height, rows):
        stop = min(row + rows, height)
        n = stop - row
        p, bright, level, codes = work[:, :n], bright_buf[:n], level_buf[:n], codes_buf[:n]
        factor, peak, where = factor_buf[:n], peak_buf[:n], positive[:n]
        for c in range(3):
            np.copyto(p[c], source[row:stop, :, c] if channels_last else source[c, row:stop], casting="unsafe")
        p -= shift
        p *= scale
        np.maximum(p, 0.0, out=p)
        np.add(p[0], p[1], out=bright)
        bright += p[2]
        bright *= np.float32(1.0 / 3.0)
        nan = None
        if floating:
            isnan = np.isnan(bright)
            if isnan.any():
                nan, found = isnan, True
                nan_mask[row:stop] = isnan
                p[:, isnan] = 0.0
                bright[isnan] = 0.0
        np.clip(bright, 0.0, 1.0, out=level)
        level *= np.float32(LEVELS - 1)
        level += np.float32(0.5)
        np.copyto(codes, level, casting="unsafe")
        np.take(values, codes, out=level, mode="clip")  # the stretched brightness
        factor[...] = 0.0
        np.greater(bright, 0.0, out=where)
        np.divide(level, bright, out=factor, where=where)
        p *= factor
        np.maximum(p[0], p[1], out=peak)
        np.maximum(peak, p[2], out=peak)
        np.greater(peak, 1.0, out=where)
        np.divide(p, peak, out=p, where=where)
        p *= np.float32(255.0)
        p += np.float32(0.5)
        for c in range(3):
            np.copyto(rgba[row:stop, :, c], p[c], casting="unsafe")
        if nan is not None:
            rgba[row:stop][nan] = (*nan_color, 255)
    return rgba, (nan_mask if found else None)


def render_colour(data: np.ndarray, *, limits: tuple[float, float] | None,
                  interval: Callable[[np.ndarray, Any], tuple[float, float]],
                  stretch: Callable[[Callable[[], np.ndarray]], np.ndarray],
                  blur: Callable[[np.ndarray], np.ndarray] | None, sample_size: int,
                  nan_color: tuple[int, int, int], alpha: np.ndarray | None,
                  statistics: np.ndarray | None = None) -> tuple[float, float, np.ndarray, np.ndarray | None]:
    """(vmin, vmax, rgba, nan mask) of an (H, W, C >= 3) frame. ``interval(sample,
    frame)`` gives the limits (``frame``: the (3, H, W) planes, built only if called);
    ``stretch(sample)`` the stretch of every level, ``sample()`` the brightness sample.
    ``statistics``: the whole (H', W', C) frame ``data`` is a sample of; the samples
    come from it (see :meth:`imgmarker.kernel.display.pipeline.Renderer.render`)."""
    source: np.ndarray = data
    channels_last = True
    if blur is not None:  # blur acts on the data before the interval
        source = planes(data)
        for c in range(3):
            source[c] = blur(source[c])
        channels_last = False
    whole = source if statistics is None else statistics
    if limits is None:
        sample = sample_grid(whole, sample_size, channels_last=channels_last)
        vmin, vmax = interval(sample, whole if not channels_last else (lambda: planes(whole)))
    else:
        vmin, vmax = float(limits[0]), float(limits[1])
    values = stretch(lambda: brightness_sample(whole, vmin, vmax, sample_size, channels_last=channels_last))
    rgba, nan_mask = render_strips(source, vmin, vmax, values, nan_color, alpha, channels_last=channels_last)
    return vmin, vmax, rgba, nan_mask
