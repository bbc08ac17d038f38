"""The built-in zscale (written here so the first picture need not import
astropy.visualization) gives astropy's ZScaleInterval limits, to 1e-6 of the span
(of the values themselves for flat data)."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.visualization import ZScaleInterval

from imgmarker_plugins.filters.intervals import zscale


def _cases():
    rng = np.random.default_rng(7)
    yield "sky", rng.normal(1000.0, 30.0, 200_000)
    yield "stars", np.concatenate([rng.normal(0, 1, 50_000), rng.uniform(50, 1000, 900)])
    yield "gradient", rng.exponential(5, 80_000) + np.linspace(0, 100, 80_000)
    yield "few levels", rng.integers(0, 5, 30_000).astype(float)
    yield "tiny", rng.normal(0, 1, 4)
    yield "flat", np.full(5000, 3.0)


@pytest.mark.parametrize("contrast, samples", [(0.25, 1000), (0.1, 600), (1.0, 5000)])
@pytest.mark.parametrize("name, values", list(_cases()))
def test_zscale_gives_astropys_limits(name, values, contrast, samples):
    values = values.astype(np.float32)
    thin = max(1, values.size // (20 * samples))  # the plugin thins a large sample the same way first
    expected = sorted(float(v) for v in ZScaleInterval(n_samples=samples, contrast=contrast).get_limits(values[::thin]))
    low, high = zscale(values, contrast, samples)
    span = max(expected[1] - expected[0], abs(expected[0]), abs(expected[1]), 1e-12)  # flat data: their size
    assert abs(low - expected[0]) <= 1e-6 * span and abs(high - expected[1]) <= 1e-6 * span


def test_zscale_of_nothing_finite():
    assert zscale(np.array([], np.float32)) == (0.0, 1.0)
    assert zscale(np.full(10, np.nan, np.float32)) == (0.0, 1.0)
