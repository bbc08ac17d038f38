"""Area-averaged reductions of a rendered frame, for drawing it zoomed out.

At "fit" a 4096x4096 frame is shown at about 1/4 scale. Sampling the full frame
there is slow (every paint walks a 48 MB buffer) and loses faint point sources
(a 1-pixel star falls between samples and flickers while panning). A mean over
f x f blocks keeps each star's light and lets the view read a buffer f^2 times
smaller. Computed off the UI thread and only at the reduction the view draws
(:func:`level_for`), when it draws it: the whole 2x/4x/8x pyramid cost more than the
render itself. Packed RGBA frames whose sides divide by the factor take a path that
works in bands of rows small enough to stay in the CPU cache (same rounded means).
"""

from __future__ import annotations

import numpy as np


def reduce_mean(arr: np.ndarray, factor: int) -> np.ndarray:
    """Mean of ``factor`` x ``factor`` blocks of a uint8 (H, W) or (H, W, C) array.

    The last row/column of blocks may be partial; they average only real pixels, so
    block (p, q) covers image pixels [p*f, (p+1)*f) x [q*f, (q+1)*f) clipped to the image.
    """
    if factor < 1 or int(factor) != factor:
        raise ValueError(f"reduction factor must be a positive integer, got {factor}")
    f = int(factor)
    if f == 1:
        return arr
    if _banded_ok(arr, f):
        return _banded_mean(arr, f)
    if f == 2 and arr.shape[0] % 2 == 0 and arr.shape[1] % 2 == 0:
        return _halve(arr)
    squeeze = arr.ndim == 2
    a = arr[:, :, None] if squeeze else arr
    h, w, _ = a.shape
    ph, pw = -(-h // f), -(-w // f)
    if (ph * f, pw * f) != (h, w):
        a = np.pad(a, ((0, ph * f - h), (0, pw * f - w), (0, 0)))
    # Separable sums: whole rows first (contiguous, fast), then columns of the smaller result.
    acc = np.uint16 if f <= 16 else np.uint32
    rows_sum = a[0::f].astype(acc)
    for i in range(1, f):
        rows_sum += a[i::f]
    sums = rows_sum[:, 0::f] + rows_sum[:, 1::f]
    for j in range(2, f):
        sums += rows_sum[:, j::f]
    rows = np.minimum(f, h - np.arange(ph) * f)
    cols = np.minimum(f, w - np.arange(pw) * f)
    inverse = (1.0 / (rows[:, None] * cols[None, :]))[:, :, None].astype(np.float32)
    out = np.rint(sums * inverse).astype(np.uint8)  # float multiply: integer division is slow
    return out[:, :, 0] if squeeze else out


BAND_BYTES = 1 << 18  # input bytes per band of the fast path


def _banded_ok(arr: np.ndarray, f: int) -> bool:
    return (arr.ndim == 3 and arr.shape[2] == 4 and arr.dtype == np.uint8 and f <= 16 and f & (f - 1) == 0
            and arr.shape[0] % f == 0 and arr.shape[1] % f == 0 and arr.strides[1:] == (4, 1))


def _banded_mean(arr: np.ndarray, f: int) -> np.ndarray:
    """Means of f x f blocks (f a power of two up to 16) of packed RGBA, rounded half to
    even like ``np.rint``. Per-channel sums (at most 256 x 255) fit 16 bits, so one
    pixel's four sums are one 64-bit word and a block's columns add word by word."""
    height, width = arr.shape[:2]
    out = np.empty((height // f, width // f, 4), np.uint8)
    shift = (f * f).bit_length() - 1
    rows_per_band = max(1, BAND_BYTES // (width * 4 * f))
    sums = np.empty((rows_per_band, width, 4), np.uint16)
    row = np.empty_like(sums)
    for first in range(0, height // f, rows_per_band):
        last = min(first + rows_per_band, height // f)
        band, total, scratch = arr[first * f:last * f], sums[:last - first], row[:last - first]
        np.copyto(total, band[0::f])
        for i in range(1, f):
            np.copyto(scratch, band[i::f])  # widening copy first: a mixed-type add is slower
            total += scratch
        words = total.view(np.uint64)[..., 0]
        blocks = words[:, 0::f].copy()
        for j in range(1, f):
            blocks += words[:, j::f]
        lanes = blocks.view(np.uint16).reshape(last - first, width // f, 4)
        odd = lanes >> shift
        odd &= 1
        lanes += (1 << (shift - 1)) - 1
        lanes += odd
        lanes >>= shift
        np.copyto(out[first:last], lanes, casting="unsafe")
    return out


def level_for(scale: float, size: tuple[int, int], min_side: int = 256) -> int:
    """The reduction a view showing a frame of ``size`` at ``scale`` device pixels per
    image pixel draws: the coarsest power of two (up to 16) whose blocks are no larger
    than a device pixel and whose picture keeps at least ``min_side`` pixels a side;
    1 means the frame itself."""
    limit = 1.0 / scale if scale > 0 else 1.0
    factor = 1
    while factor < 16 and factor * 2 <= limit and max(size) // (factor * 2) >= min_side:
        factor *= 2
    return factor


def _halve(arr: np.ndarray) -> np.ndarray:
    """2 x 2 means of an even-sized array in integers (four times faster than through
    floats on a 4k x 4k RGBA frame), rounded half to even like the general path."""
    sums = arr[0::2].astype(np.uint16)
    sums += arr[1::2]
    if sums.ndim == 3 and sums.shape[2] == 4 and sums.flags.c_contiguous:
        # one RGBA pixel of 16-bit sums is one 64-bit word; lanes never carry (4 x 255 < 2**16)
        words = sums.view(np.uint64)[..., 0]
        sums = (words[:, 0::2] + words[:, 1::2]).view(np.uint16).reshape(sums.shape[0], -1, 4)
    else:
        sums = sums[:, 0::2] + sums[:, 1::2]
    # round half to even: (s + 1 + (s // 4 odd)) // 4, in place
    odd = sums >> 2
    odd &= 1
    sums += 1
    sums += odd
    sums >>= 2
    return sums.astype(np.uint8)


def pyramid(arr: np.ndarray, min_side: int = 512) -> list[tuple[np.ndarray, int]]:
    """Reductions by 2, 4, 8, ... until the longer side is at most ``min_side``."""
    levels: list[tuple[np.ndarray, int]] = []
    level, factor = arr, 1
    while max(level.shape[:2]) > min_side:
        # Each level halves the previous one (means of means: exact for full blocks).
        level, factor = reduce_mean(level, 2), factor * 2
        levels.append((level, factor))
    return levels
