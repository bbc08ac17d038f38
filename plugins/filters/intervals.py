"""Intervals: which data values map to black and white. Each works on a 1-D float32
sample of finite values that the pipeline draws from the frame."""

from __future__ import annotations

import numpy as np

import imgmarker
from imgmarker.api import FilterSpec, ParamSpec, finite_extremes


def _ordered(vmin: float, vmax: float) -> tuple[float, float]:
    vmin, vmax = float(vmin), float(vmax)
    return (vmin, vmax) if vmin <= vmax else (vmax, vmin)


def minmax(sample: np.ndarray, frame: np.ndarray | None = None) -> tuple[float, float]:
    """Exact extremes of the whole frame when given (a subsample would miss the one
    bright star), else of the sample."""
    if frame is not None:
        found = finite_extremes(frame)
        return found if found is not None else (0.0, 1.0)
    if sample.size == 0:
        return 0.0, 1.0
    return float(sample.min()), float(sample.max())


def zscale(sample: np.ndarray, contrast: float = 0.25, samples: int = 1000) -> tuple[float, float]:
    """IRAF's zscale: a line fitted to the sorted sample with iterative rejection of
    outliers; its slope, divided by ``contrast``, spans the range around the median.
    Written here rather than taken from astropy.visualization, whose import (astropy
    units, time, ...) took longer than the first picture itself."""
    if sample.size == 0:
        return 0.0, 1.0
    thin = max(1, sample.size // (20 * int(samples)))  # the fit uses `samples` points anyway
    values = np.asarray(sample[::thin] if thin > 1 else sample)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    stride = int(max(1.0, values.size / int(samples)))
    points = np.sort(values[::stride][:int(samples)]).astype(np.float64)
    return _ordered(*_zscale_limits(points, float(contrast)))


def _zscale_limits(points: np.ndarray, contrast: float, *, reject_fraction: float = 0.5, least: int = 5,
                   kappa: float = 2.5, rounds: int = 5) -> tuple[float, float]:
    count = points.size
    low, high = points[0], points[-1]
    enough = max(least, int(count * reject_fraction))
    x = np.arange(count, dtype=np.float64)
    rejected = np.zeros(count, bool)
    widen = np.ones(max(1, int(count * 0.01)), bool)  # a rejected point takes its neighbours along
    good, before = count, count + 1
    slope = None
    for _ in range(rounds):
        if good >= before or good < enough:
            break
        keep = ~rejected
        xs, ys = x[keep], points[keep]
        mx, my = xs.mean(), ys.mean()
        slope = float(((xs - mx) * (ys - my)).sum() / ((xs - mx) ** 2).sum())
        residual = points - (my + slope * (x - mx))
        limit = kappa * residual[keep].std()
        rejected |= (residual < -limit) | (residual > limit)
        rejected = np.convolve(rejected, widen, mode="same")
        before, good = good, int(np.count_nonzero(~rejected))
    if slope is None or good < enough:
        return float(low), float(high)
    if contrast > 0:
        slope /= contrast
    centre = (count - 1) // 2
    median = float(np.median(points))
    return max(float(low), median - (centre - 1) * slope), min(float(high), median + (count - centre) * slope)


def percentile(sample: np.ndarray, percent: float = 99.5) -> tuple[float, float]:
    if sample.size == 0:
        return 0.0, 1.0
    cut = (100.0 - float(percent)) / 2.0
    low, high = np.percentile(sample, [cut, 100.0 - cut])
    return _ordered(low, high)


def manual(sample: np.ndarray, vmin: float = 0.0, vmax: float = 1.0) -> tuple[float, float]:
    return _ordered(vmin, vmax)


@imgmarker.hookimpl
def imgmarker_filters():
    return [
        FilterSpec("minmax", "interval", minmax, label="Min-max",
                   description="Darkest to brightest finite pixel."),
        FilterSpec("zscale", "interval", zscale, label="ZScale", parameters=(
            ParamSpec("contrast", "float", 0.25, minimum=0.0, maximum=1.0,
                      description="Slope scaling of the zscale fit; smaller shows more range."),
            ParamSpec("samples", "int", 1000, minimum=10, description="Points used for the fit."),
        ), description="IRAF zscale limits around the sky level."),
        FilterSpec("percentile", "interval", percentile, label="Percentile", parameters=(
            ParamSpec("percent", "float", 99.5, minimum=0.0, maximum=100.0,
                      description="Central percentage of pixels spread over black..white."),
        ), description="Clip the same fraction of pixels at both ends."),
        FilterSpec("manual", "interval", manual, label="Manual", parameters=(
            ParamSpec("vmin", "float", 0.0, description="Value shown black."),
            ParamSpec("vmax", "float", 1.0, description="Value shown white."),
        ), description="Fixed limits."),
    ]
