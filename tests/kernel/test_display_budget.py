"""One memory bound for everything a GUI holds per image, pictures built only at the
level the view draws, and the fast paths giving the same pictures as the exact ones."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from astropy.io import fits

from datamakers import tan_header, write_fits
from imgmarker.kernel.display.frame_jobs import FrameStore, meta_job, render_job
from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer
from imgmarker.kernel.display.prefetch import FrameCache, Prefetcher
from imgmarker.kernel.display.preview import level_for, reduce_mean
from imgmarker.kernel.display.strips import finite_extremes
from imgmarker.kernel.imaging.wcs import pixel_to_world


def entry(path: Path) -> SimpleNamespace:
    return SimpleNamespace(path=path, name=path.name)


@pytest.mark.parametrize("dtype", [">f4", "<f4", ">f8"])
def test_finite_extremes_are_the_exact_ones(dtype):
    data = np.random.default_rng(3).normal(100, 5, (300, 250)).astype(dtype)
    data[7, 9] = 1e6  # the one bright star a subsample would miss
    data[200, 3] = -50.0
    data[10:20, 10:20] = np.nan
    data[150, 100] = np.inf
    data[151, 101] = -np.inf
    finite = data[np.isfinite(data)]
    assert finite_extremes(data[::-1]) == (float(finite.min()), float(finite.max()))


def test_finite_extremes_of_integers_and_of_nothing():
    assert finite_extremes(np.array([[3, -2], [9, 4]], np.int16)) == (-2.0, 9.0)
    assert finite_extremes(np.full((4, 4), np.nan, np.float32)) is None


def test_minmax_stretches_to_the_single_brightest_pixel(registry):
    data = np.random.default_rng(0).normal(0, 0.01, (600, 700)).astype(np.float32)
    data[123, 456] = 1.0
    rendered = Renderer(registry).render(data, DisplaySettings.make("minmax"), rgba=True)
    assert (rendered.vmin, rendered.vmax) == (float(data.min()), 1.0)
    assert tuple(rendered.rgba()[123, 456, :3]) == (255, 255, 255)


@pytest.mark.parametrize("factor", [2, 4, 8, 16])
def test_banded_block_means_are_the_rounded_means(factor):
    rng = np.random.default_rng(factor)
    arr = rng.integers(0, 256, (128, 96, 4), dtype=np.uint8)
    arr[:16, :16] = 255  # blocks whose sums need every bit
    arr[16:32, :16] = 0
    h, w = arr.shape[:2]
    blocks = arr.reshape(h // factor, factor, w // factor, factor, 4).astype(np.float64).mean(axis=(1, 3))
    np.testing.assert_array_equal(reduce_mean(arr, factor), np.rint(blocks).astype(np.uint8))


def test_the_level_the_view_draws():
    assert level_for(0.22, (4096, 4096)) == 4  # fit in a 900-pixel window
    assert level_for(1.0, (4096, 4096)) == 1
    assert level_for(0.05, (4096, 4096)) == 16
    assert level_for(0.3, (600, 400)) == 2  # never a picture under 256 pixels a side
    assert level_for(0.3, (300, 300)) == 1


def _star_fits(tmp_path: Path, name: str = "star.fits", shape=(1024, 1024)) -> Path:
    data = np.random.default_rng(0).normal(0, 0.01, shape).astype(np.float32)
    data[400, 600] = 1.0
    path = tmp_path / name
    fits.PrimaryHDU(data).writeto(path)
    return path


def test_render_job_builds_only_the_level_asked_for(tmp_path, registry):
    path = _star_fits(tmp_path)
    settings = DisplaySettings.make("minmax")
    store = FrameStore(1 << 26)
    one = render_job(entry(path), 0, settings, registry=registry, renderer=Renderer(registry), store=store,
                     max_pixels=None, previews=lambda size: level_for(0.22, size))()
    none = render_job(entry(path), 0, settings, registry=registry, renderer=Renderer(registry), store=store,
                      max_pixels=None, previews=())()
    full = render_job(entry(path), 0, settings, registry=registry, renderer=Renderer(registry), store=store,
                      max_pixels=None, previews=True)()
    assert [f for _, f in one.previews] == [4] and none.previews == ()
    np.testing.assert_array_equal(one.rgba, full.rgba)
    np.testing.assert_array_equal(one.rgba, none.rgba)
    preview = one.previews[0][0][..., 0]
    row, col = 1023 - 400, 600
    assert preview[row // 4, col // 4] == preview.max() > np.median(preview) + 8  # the star keeps its light


def test_reserving_room_evicts_the_oldest_entries():
    cache = FrameCache(100)
    for key in "abcd":
        cache.put(key, np.zeros(25, np.uint8))
    with cache.reserve(40):
        assert cache.keys() == ["c", "d"] and cache.nbytes == 50
        cache.put("e", np.zeros(10, np.uint8))
        assert cache.nbytes + 40 <= 100
    cache.put("f", np.zeros(40, np.uint8))  # the room is free again once the work is done
    assert "f" in cache and cache.nbytes <= 100


def test_one_budget_bounds_pictures_pixels_and_levels(tmp_path, registry):
    paths = [tmp_path / f"img{i}.tif" for i in range(10)]
    import tifffile

    rng = np.random.default_rng(1)
    for path in paths:  # decoded pixels (not a memory map): counted in the budget
        tifffile.imwrite(path, rng.normal(0, 1, (512, 512)).astype(np.float32))
    budget = FrameCache(4 * 1024 * 1024)
    renderer, store = Renderer(registry, cache=budget), FrameStore(budget)
    settings = DisplaySettings.make("zscale", stretch="asinh")
    kinds = set()
    with Prefetcher(budget) as prefetcher:
        for path in paths:
            key = (path.name, 0, settings)
            prefetcher.request(key, render_job(entry(path), 0, settings, registry=registry, renderer=renderer,
                                               store=store, max_pixels=None, previews=2))
            assert prefetcher.wait_idle(30)
            assert budget.nbytes <= budget.max_bytes
            assert key in budget  # the newest picture is kept
            kinds |= {type(k).__name__ for k in budget.keys()}
    assert budget.nbytes <= 4 * 1024 * 1024
    assert {"tuple", "_LevelsKey"} <= kinds
    assert len([k for k in budget.keys() if isinstance(k, tuple) and len(k) == 3]) < len(paths)  # old ones went


def _mapped_rss(path: Path) -> int | None:
    """Resident bytes of this process's mappings of ``path`` (Linux), None elsewhere."""
    try:
        lines = Path("/proc/self/smaps").read_text().splitlines()
    except OSError:
        return None
    total, inside = 0, False
    for line in lines:
        if "-" in line.split(" ")[0] and not line.startswith(("Rss", "Size")):
            inside = line.rstrip().endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1]) * 1024
    return total


def test_memory_mapped_pixels_are_read_in_place_and_handed_back(tmp_path, registry):
    path = _star_fits(tmp_path, shape=(2048, 2048))
    budget = FrameCache(64 * 1024 * 1024)
    store = FrameStore(budget)
    job = render_job(entry(path), 0, DisplaySettings.make("minmax"), registry=registry,
                     renderer=Renderer(registry, cache=budget), store=store, max_pixels=None, previews=())
    rendered = job()
    resident = _mapped_rss(path)
    assert rendered.rgba.shape == (2048, 2048, 4)
    assert (path.name, 0) not in budget  # not a copy: nothing to count
    pixels = store.data(path.name, 0)
    assert pixels is not None and float(pixels[2047 - 400, 600]) == 1.0  # the readout still reads the file
    if resident is None:
        pytest.skip("no /proc/self/smaps")
    assert resident < 0.05 * path.stat().st_size  # the render's pages were handed back


def test_the_wcs_left_for_later_is_the_same(tmp_path, registry):
    header = tan_header(64, 48)
    path = write_fits(tmp_path / "sky.fits", np.random.default_rng(2).normal(0, 1, (48, 64)).astype(np.float32),
                      header)
    store = FrameStore(1 << 24)
    settings = DisplaySettings.make("zscale")
    render_job(entry(path), 0, settings, registry=registry, renderer=Renderer(registry), store=store,
               max_pixels=None, lazy_wcs=True)()
    meta = store.meta(path.name, 0)
    assert meta.wcs is None and meta.wcs_pending
    filled = meta_job(entry(path), 0, registry=registry, store=store, max_pixels=None)()
    assert filled is store.meta(path.name, 0) and not filled.wcs_pending
    eager = FrameStore(1 << 24)
    render_job(entry(path), 0, settings, registry=registry, renderer=Renderer(registry), store=eager,
               max_pixels=None)()
    expected = pixel_to_world(eager.meta(path.name, 0).wcs, 48, 10.25, 20.5)
    np.testing.assert_allclose(pixel_to_world(filled.wcs, 48, 10.25, 20.5), expected, rtol=0, atol=1e-12)


def test_a_job_can_leave_the_levels_out_of_the_budget(tmp_path, registry):
    path = _star_fits(tmp_path, shape=(700, 700))
    budget = FrameCache(1 << 26)
    renderer = Renderer(registry, cache=budget)
    kept = render_job(entry(path), 0, DisplaySettings.make("minmax"), registry=registry, renderer=renderer,
                      store=FrameStore(budget), max_pixels=None, previews=())()
    assert any(type(k).__name__ == "_LevelsKey" for k in budget.keys())
    budget.clear()
    lean = render_job(entry(path), 0, DisplaySettings.make("minmax"), registry=registry, renderer=renderer,
                      store=FrameStore(budget), max_pixels=None, previews=(), keep_levels=False)()
    assert not any(type(k).__name__ == "_LevelsKey" for k in budget.keys())
    np.testing.assert_array_equal(lean.rgba, kept.rgba)


def test_protected_entries_stay_and_what_cannot_fit_beside_them_is_not_kept():
    cache = FrameCache(100)
    cache.put("shown", np.zeros(40, np.uint8))
    cache.put("next", np.zeros(40, np.uint8))
    cache.protect({"shown", "next"})
    assert not cache.put("previous", np.zeros(40, np.uint8))  # it would push out one of them
    assert cache.keys() == ["shown", "next"]
    with cache.reserve(40):  # room cannot be made: nothing protected goes
        assert cache.keys() == ["shown", "next"]
    cache.protect({"next", "after"})  # moving on: what was shown may go now
    assert cache.put("after", np.zeros(40, np.uint8))
    assert set(cache.keys()) == {"next", "after"}
    cache.protect({"next", "after", "big"})
    assert cache.put("big", np.zeros(70, np.uint8))  # protected ones make room for one another
    assert cache.keys() == ["big"] and cache.nbytes <= 100
