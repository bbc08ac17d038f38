"""Spatial filters on frame data (float32, NaN-aware)."""

from __future__ import annotations

import numpy as np

import imgmarker
from imgmarker.api import FilterSpec, ParamSpec


def blur(data: np.ndarray, radius: float = 1.0) -> np.ndarray:
    """Gaussian blur with sigma = ``radius`` px. NaN pixels neither spread nor darken
    their neighbours: the blur is renormalised by the blurred weight of valid pixels,
    and NaN pixels stay NaN."""
    from scipy.ndimage import gaussian_filter

    radius = float(radius)
    if radius <= 0:
        return data
    data = np.asarray(data, dtype=np.float32)
    nan = np.isnan(data)
    if not nan.any():
        return gaussian_filter(data, radius, mode="nearest")
    filled = np.where(nan, np.float32(0), data)
    weight = gaussian_filter((~nan).astype(np.float32), radius, mode="nearest")
    out = gaussian_filter(filled, radius, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        out /= weight
    out[nan] = np.nan
    return out


@imgmarker.hookimpl
def imgmarker_filters():
    return [FilterSpec("blur", "spatial", blur, label="Gaussian blur", parameters=(
        ParamSpec("radius", "float", 1.0, minimum=0.0, description="Gaussian sigma in display pixels."),))]
