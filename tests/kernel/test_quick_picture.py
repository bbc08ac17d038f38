"""The quick first picture of a step to an image not rendered yet: the block centres of
the frame at the view's reduction, each pixel exactly what the render of the whole frame
gives it (the interval and the stretch take their statistics from the whole frame)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import tifffile
from astropy.io import fits

from imgmarker.kernel.display.frame_jobs import FrameStore, render_job
from imgmarker.kernel.display.large import strided
from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer


def centres(height: int, width: int, factor: int) -> tuple[np.ndarray, np.ndarray]:
    half = factor // 2
    return (np.minimum(np.arange(0, height, factor) + half, height - 1),
            np.minimum(np.arange(0, width, factor) + half, width - 1))


def sky(height: int, width: int) -> np.ndarray:
    data = np.random.default_rng(1).normal(100.0, 3.0, (height, width)).astype(">f4")  # FITS byte order
    data[100, 201] = 9000.0  # a one-pixel star between the block centres: min-max must still see it
    data[5:9, 5:9] = np.nan
    return data


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_strided_takes_each_block_centre_including_the_partial_last_blocks(factor):
    data = sky(301, 257)
    rows, cols = centres(301, 257, factor)
    np.testing.assert_array_equal(strided(data, factor), data[rows][:, cols].astype(np.float32))
    np.testing.assert_array_equal(strided(data[::-1], factor), data[::-1][rows][:, cols].astype(np.float32))


@pytest.mark.parametrize("interval,stretch", [("minmax", "linear"), ("zscale", "asinh"), ("percentile", "histeq"),
                                              ("zscale", "log")])
@pytest.mark.parametrize("factor", [2, 4])
def test_a_quick_picture_has_the_whole_frames_pixels_at_the_block_centres(registry, interval, stretch, factor):
    data = sky(1001, 777)
    settings = DisplaySettings.make(interval, stretch=stretch, colormap="viridis")
    renderer = Renderer(registry)
    whole = renderer.render(data, settings, rgba=True)
    quick = renderer.render(strided(data, factor), settings, rgba=True, statistics=data)
    rows, cols = centres(1001, 777, factor)
    assert (quick.vmin, quick.vmax) == (whole.vmin, whole.vmax)
    if interval == "minmax":
        assert quick.vmax == 9000.0  # the star between the samples sets the top
    np.testing.assert_array_equal(quick.rgba(), whole.rgba()[rows][:, cols])


def test_a_quick_colour_picture_has_the_whole_frames_pixels_at_the_block_centres(registry):
    rgb = np.random.default_rng(2).integers(0, 256, (515, 389, 3), dtype=np.uint8)
    rgb[40, 41] = (255, 250, 0)
    renderer = Renderer(registry)
    for settings in (DisplaySettings.make("zscale"), DisplaySettings.make("minmax", stretch="histeq")):
        whole = renderer.render(rgb, settings, rgba=True)
        quick = renderer.render(strided(rgb, 3), settings, rgba=True, statistics=rgb)
        rows, cols = centres(515, 389, 3)
        np.testing.assert_array_equal(quick.rgba(), whole.rgba()[rows][:, cols])


def test_a_blurred_picture_is_never_made_from_a_sample(registry):
    data = sky(256, 256)
    with pytest.raises(ValueError, match="blurred"):
        Renderer(registry).render(strided(data, 2), DisplaySettings.make(blur=1.5), statistics=data)


def job(path: Path, registry, settings, store, overview):
    return render_job(SimpleNamespace(path=path, name=path.name), 0, settings, registry=registry,
                      renderer=Renderer(registry), store=store, max_pixels=None, previews=(), overview=overview)


def test_a_quick_render_job_gives_the_reduced_picture_and_keeps_the_pixels_for_the_readout(tmp_path, registry):
    data = sky(1001, 777).astype(np.float32)
    path = tmp_path / "sky.fits"
    fits.PrimaryHDU(data).writeto(path)
    settings = DisplaySettings.make("minmax", stretch="asinh")
    store = FrameStore(1 << 26)
    quick = job(path, registry, settings, store, lambda size: 4)()
    whole = job(path, registry, settings, FrameStore(1 << 26), None)()
    rows, cols = centres(1001, 777, 4)
    assert quick.sampled and quick.factor == 4 and quick.full_size == (777, 1001) and quick.previews == ()
    assert quick.limits == whole.limits and not whole.sampled and whole.factor == 1
    np.testing.assert_array_equal(quick.rgba, whole.rgba[rows][:, cols])
    assert store.data("sky.fits", 0)[1001 - 1 - 100, 201] == 9000.0  # display rows run top-down
    assert store.meta("sky.fits", 0).shape == (1001, 777)


def test_a_render_job_with_a_blur_or_at_full_size_is_never_quick(tmp_path, registry):
    rgb = np.random.default_rng(3).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    path = tmp_path / "photo.tif"
    tifffile.imwrite(path, rgb)
    store = FrameStore(1 << 26)
    assert job(path, registry, DisplaySettings.make(blur=1.0), store, lambda size: 2)().factor == 1
    assert not job(path, registry, DisplaySettings.make(), store, lambda size: 1)().sampled
    quick = job(path, registry, DisplaySettings.make(), store, lambda size: 2)()
    assert quick.sampled and quick.rgba.shape == (150, 100, 4)
