"""Stretches: transfer functions on values already scaled to [0, 1] by the interval.

The pipeline evaluates a stretch once on a fine grid and uses the result as a lookup
table, so a stretch may be as costly as it likes per value. A stretch that needs the
data distribution (histogram equalisation) takes the keyword ``sample``.
"""

from __future__ import annotations

import numpy as np

import imgmarker
from imgmarker.api import FilterSpec, ParamSpec


def linear(values: np.ndarray) -> np.ndarray:
    return values


def log(values: np.ndarray, a: float = 1000.0) -> np.ndarray:
    a = float(a)
    np.multiply(values, a, out=values)
    np.log1p(values, out=values)
    values /= np.log1p(a)
    return values


def sqrt(values: np.ndarray) -> np.ndarray:
    return np.sqrt(values, out=values)


def asinh(values: np.ndarray, a: float = 0.1) -> np.ndarray:
    a = float(a)
    np.divide(values, a, out=values)
    np.arcsinh(values, out=values)
    values /= np.arcsinh(1.0 / a)
    return values


def power(values: np.ndarray, exponent: float = 2.0) -> np.ndarray:
    return np.power(values, float(exponent), out=values)


def histeq(values: np.ndarray, sample: np.ndarray | None = None, bins: int = 4096) -> np.ndarray:
    """Map each value to the fraction of the sample at or below it."""
    if sample is None or sample.size == 0:
        return values
    counts, edges = np.histogram(np.clip(sample, 0.0, 1.0), bins=int(bins), range=(0.0, 1.0))
    cdf = np.concatenate(([0.0], np.cumsum(counts, dtype=np.float64)))
    cdf /= cdf[-1]
    values[...] = np.interp(values, edges, cdf)
    return values


@imgmarker.hookimpl
def imgmarker_filters():
    return [
        FilterSpec("linear", "stretch", linear, label="Linear"),
        FilterSpec("log", "stretch", log, label="Log", parameters=(
            ParamSpec("a", "float", 1000.0, minimum=1e-6, description="log(a x + 1) / log(a + 1)"),)),
        FilterSpec("sqrt", "stretch", sqrt, label="Square root"),
        FilterSpec("asinh", "stretch", asinh, label="Asinh", parameters=(
            ParamSpec("a", "float", 0.1, minimum=1e-6, description="asinh(x / a) / asinh(1 / a)"),)),
        FilterSpec("power", "stretch", power, label="Power", parameters=(
            ParamSpec("exponent", "float", 2.0, minimum=1e-6, description="x ** exponent"),)),
        FilterSpec("histeq", "stretch", histeq, label="Histogram equalisation", parameters=(
            ParamSpec("bins", "int", 4096, minimum=16, description="Histogram bins of the sample."),)),
    ]
