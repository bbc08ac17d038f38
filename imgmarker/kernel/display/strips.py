"""Whole-frame passes done in strips of rows: quantising to 16-bit levels, looking up a
table, finding the finite extremes. A strip's temporaries stay in the CPU cache, and
with an executor the strips are shared between threads (numpy releases the GIL in
these loops), so a 4096 x 4096 frame costs a few passes at memory speed and no
frame-sized temporaries.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

#: quantisation levels for single-band data; the last code marks NaN
LEVELS = 65535
NAN_CODE = 65535
STRIP_ROWS = 32
PARALLEL_MIN_PIXELS = 2048 * 2048  # frames smaller than this are worked on one thread


def quantise(data: np.ndarray, vmin: float, vmax: float, executor: Any = None,
             lut: np.ndarray | None = None,
             levels: np.ndarray | None = None, *,
             keep_codes: bool = True) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Codes 0..LEVELS-1 for values between ``vmin`` and ``vmax`` (clipped), NAN_CODE
    for NaN (and a NaN mask, None when there are none). Strips of rows keep temporaries small and in cache; with an executor the
    strips are shared between threads (numpy releases the GIL in these loops). With
    ``lut`` and ``levels``, ``levels`` is filled with ``lut[codes]`` in the same pass;
    then without ``keep_codes`` the codes are not kept (None): each strip's stay in cache."""
    height, width = data.shape
    keep = lut is None or levels is None or keep_codes
    codes = np.empty((height, width) if keep else (0, width), np.uint16)
    span = vmax - vmin if vmax > vmin else 1.0
    scale = np.float32((LEVELS - 1) / span)
    shift = np.float32(0.5 - vmin * float(scale))
    floating = data.dtype.kind == "f"
    native = data.dtype == np.float32 and data.dtype.isnative
    nan_mask = np.zeros((height, width), bool) if floating else None  # zero pages cost nothing until written

    def run(first: int, last: int) -> bool:
        rows = min(STRIP_ROWS, last - first)
        buf = np.empty((rows, width), np.float32)
        own = None if keep else np.empty((rows, width), np.uint16)
        isnan = np.empty((rows, width), bool) if floating else None
        found = False
        for row in range(first, last, STRIP_ROWS):
            stop = min(row + STRIP_ROWS, last)
            work = buf[:stop - row]
            if native:
                np.multiply(data[row:stop], scale, out=work)
            else:  # a plain copy fixes the byte order (or type) faster than a casting multiply
                np.copyto(work, data[row:stop], casting="unsafe")
                work *= scale
            work += shift
            strip = codes[row:stop] if keep else own[:stop - row]
            nan = None
            if floating:
                nan = isnan[:stop - row]
                np.isnan(work, out=nan)
                if nan.any():
                    found = True
                    nan_mask[row:stop] = nan
                    work[nan] = 0.0
                else:
                    nan = None
            # clip straight into the codes: the float -> uint16 cast happens in cache
            np.clip(work, 0, LEVELS - 1, out=strip, casting="unsafe")
            if nan is not None:
                strip[nan] = NAN_CODE
            if lut is not None:
                np.take(lut, strip, out=levels[row:stop], mode="clip")
        return found

    found = any(_split_rows(run, height, executor, width))
    return (codes if keep else None), (nan_mask if found else None)


def _split_rows(run: Any, height: int, executor: Any, width: int) -> list[Any]:
    if executor is None or height < 4 * STRIP_ROWS or height * width < PARALLEL_MIN_PIXELS:
        # threads cost more than they save on small frames
        return [run(0, height)]
    workers = max(1, getattr(executor, "_max_workers", 2))
    bounds = np.linspace(0, height, workers + 1).astype(int)
    futures = [executor.submit(run, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
    return [f.result() for f in futures]


def apply_lut(codes: np.ndarray, lut: np.ndarray, executor: Any = None) -> np.ndarray:
    """``lut[codes]`` in strips: the index conversion numpy does stays in cache."""
    out = np.empty(codes.shape, lut.dtype)
    rows = max(1, 2 ** 17 // max(codes.shape[1], 1))

    def run(first: int, last: int) -> None:
        for row in range(first, last, rows):
            stop = min(row + rows, last)
            np.take(lut, codes[row:stop], out=out[row:stop], mode="clip")

    _split_rows(run, codes.shape[0], executor, codes.shape[1])
    return out


def finite_extremes(data: np.ndarray, executor: Any = None) -> tuple[float, float] | None:
    """Exact (min, max) of the finite values of ``data`` (any byte order, integers or
    floats), or None when there are none: one strip-wise pass without the frame-sized
    copies of ``nanmin``/``nanmax`` (a subsample would miss the one bright star)."""
    if data.size == 0:
        return None
    if data.dtype.kind in "uib":
        return float(data.min()), float(data.max())
    frame = data.reshape(data.shape[0], -1) if data.ndim > 2 else data
    height, width = frame.shape

    def run(first: int, last: int) -> tuple[float, float] | None:
        buf = np.empty((min(STRIP_ROWS, last - first), width), np.float32 if frame.itemsize <= 4 else np.float64)
        low, high = np.inf, -np.inf
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for row in range(first, last, STRIP_ROWS):
                stop = min(row + STRIP_ROWS, last)
                work = buf[:stop - row]
                np.copyto(work, frame[row:stop], casting="unsafe")
                lo, hi = np.fmin.reduce(work, axis=None), np.fmax.reduce(work, axis=None)
                if np.isinf(lo) or np.isinf(hi):  # infinities are not data: drop them in this strip
                    work[np.isinf(work)] = np.nan
                    lo, hi = np.fmin.reduce(work, axis=None), np.fmax.reduce(work, axis=None)
                if lo < low:
                    low = float(lo)
                if hi > high:
                    high = float(hi)
        return (low, high) if low <= high else None

    found = [r for r in _split_rows(run, height, executor, width) if r is not None]
    if not found:
        return None
    return min(r[0] for r in found), max(r[1] for r in found)
