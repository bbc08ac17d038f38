"""Render jobs hand the view packed RGBA plus reduced previews, in the cache's byte bound."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
from astropy.io import fits

from imgmarker.kernel.display.frame_jobs import FrameStore, RenderedFrame, render_job
from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer
from imgmarker.kernel.display.prefetch import FrameCache, Prefetcher


def test_render_job_gives_rgba_and_previews_that_keep_a_faint_star(tmp_path: Path, registry):
    data = np.zeros((1100, 1300), np.float32)
    data += np.random.default_rng(0).normal(0, 0.01, data.shape).astype(np.float32)
    data[400, 600] = 1.0  # a one-pixel star (FITS row 400 is display row 1099 - 400)
    path = tmp_path / "star.fits"
    fits.PrimaryHDU(data).writeto(path)
    settings = DisplaySettings.make("minmax", stretch="linear")
    renderer = Renderer(registry)
    job = render_job(SimpleNamespace(path=path, name="star.fits"), 0, settings, registry=registry,
                     renderer=renderer, store=FrameStore(1 << 24), max_pixels=None)
    cache = FrameCache(1 << 26)
    with Prefetcher(cache) as prefetcher:
        prefetcher.request("k", job)
        prefetcher.wait_idle(30)
    result = cache.get("k")
    assert isinstance(result, RenderedFrame) and cache.nbytes == result.nbytes
    expected = Renderer(registry).render(data[::-1], settings).rgba()
    np.testing.assert_array_equal(result.rgba, expected)
    assert [f for _, f in result.previews] == [2, 4]
    assert [p.shape for p, _ in result.previews] == [(550, 650, 4), (275, 325, 4)]
    row, col = 1099 - 400, 600
    background = np.median(result.previews[1][0][..., 0])
    # the star's light survives the 4x4 mean: its block is the brightest, well above the sky
    coarse = result.previews[1][0][..., 0]
    assert coarse[row // 4, col // 4] == coarse.max() > background + 8
