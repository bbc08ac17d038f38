"""The display pipeline with the built-in filters: what ends up on screen."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.visualization import ZScaleInterval

import imgmarker
from imgmarker.kernel.display.pipeline import DisplaySettings, PipelineError, Renderer
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.plugins.records import FilterSpec


def _levels(norm: np.ndarray) -> np.ndarray:
    return np.floor(np.clip(norm, 0, 1) * 255 + 0.5).astype(np.uint8)


def _close(shown: np.ndarray, expected: np.ndarray) -> None:
    """16-bit quantisation may move a value sitting on a level boundary by one."""
    diff = np.abs(shown.astype(int) - expected.astype(int))
    assert diff.max() <= 1
    assert (diff == 0).mean() > 0.98


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    return (rng.normal(1000.0, 30.0, (60, 80)) + np.linspace(0, 200, 80)).astype(np.float32)


def test_linear_minmax(registry, data):
    out = Renderer(registry).render(data, DisplaySettings.make("minmax", stretch="linear"))
    assert (out.vmin, out.vmax) == (pytest.approx(data.min()), pytest.approx(data.max()))
    rgba = out.rgba()
    assert rgba.shape == (60, 80, 4) and rgba.dtype == np.uint8
    expected = _levels((data - data.min()) / (data.max() - data.min()))
    _close(rgba[..., 0], expected)
    assert (rgba[..., 0] == rgba[..., 2]).all() and (rgba[..., 3] == 255).all()
    assert rgba[..., 0].min() == 0 and rgba[..., 0].max() == 255


def test_log_zscale(registry, data):
    vmin, vmax = ZScaleInterval().get_limits(data)
    out = Renderer(registry).render(data, DisplaySettings.make("zscale", stretch="log", stretch_params={"a": 100}))
    assert (out.vmin, out.vmax) == (pytest.approx(vmin, rel=1e-5), pytest.approx(vmax, rel=1e-5))
    norm = np.clip((data - vmin) / (vmax - vmin), 0, 1)
    _close(out.rgba()[..., 1], _levels(np.log1p(100 * norm) / np.log1p(100)))


@pytest.mark.parametrize("stretch, params, func", [
    ("sqrt", {}, np.sqrt), ("asinh", {"a": 0.2}, lambda v: np.arcsinh(v / 0.2) / np.arcsinh(5.0)),
    ("power", {"exponent": 3.0}, lambda v: v ** 3),
])
def test_other_stretches(registry, data, stretch, params, func):
    out = Renderer(registry).render(data, DisplaySettings.make("minmax", stretch=stretch, stretch_params=params))
    norm = (data - data.min()) / (data.max() - data.min())
    _close(out.levels, _levels(func(norm)))


def test_histeq_flattens_the_histogram(registry, data):
    out = Renderer(registry).render(data, DisplaySettings.make("minmax", stretch="histeq"))
    counts = np.histogram(out.levels, bins=4, range=(0, 256))[0]
    assert counts.min() > 0.2 * data.size  # each quarter of the grey range holds ~25 %


def test_percentile_and_manual(registry, data):
    renderer = Renderer(registry)
    out = renderer.render(data, DisplaySettings.make("percentile", {"percent": 90}))
    assert (out.vmin, out.vmax) == (pytest.approx(np.percentile(data, 5)), pytest.approx(np.percentile(data, 95)))
    out = renderer.render(data, DisplaySettings.make("manual", {"vmin": 1000, "vmax": 1100}))
    expected = _levels((data - 1000) / 100)
    _close(out.levels, expected)


def test_nan_is_a_distinct_colour_and_does_not_move_the_limits(registry, data):
    holed = data.copy()
    holed[5:8, 10:20] = np.nan
    renderer = Renderer(registry, nan_color=(0, 200, 255))
    vmin, vmax = ZScaleInterval().get_limits(holed[np.isfinite(holed)])
    out = renderer.render(holed, DisplaySettings.make("zscale"))
    assert out.vmin == pytest.approx(vmin, rel=1e-5) and out.vmax == pytest.approx(vmax, rel=1e-5)
    rgba = out.rgba()
    assert (rgba[5:8, 10:20, :3] == (0, 200, 255)).all()
    assert not (rgba[:5, :, :3] == (0, 200, 255)).all(axis=-1).any()


def test_minmax_sees_a_single_bright_pixel_in_a_large_frame(registry):
    frame = np.zeros((1000, 1000), np.float32)
    frame[501, 503] = 50.0
    out = Renderer(registry, sample_size=10_000).render(frame, DisplaySettings.make("minmax"))
    assert out.vmax == 50.0 and out.levels[501, 503] == 255


def test_stretch_change_reuses_the_interval(data):
    calls = []

    class Counting:
        @imgmarker.hookimpl
        def imgmarker_filters(self):
            def counted(sample):
                calls.append(sample.size)
                return float(sample.min()), float(sample.max())
            return FilterSpec("counted", "interval", counted)

    registry = create_plugin_host(autoload=False, extra=[("counting", Counting())]).registry
    renderer = Renderer(registry)
    settings = DisplaySettings.make("counted")
    first = renderer.render(data, settings, key=("a.fits", 0))
    for stretch in ("log", "sqrt", "asinh", "linear"):
        renderer.render(data, settings.replace(stretch=stretch), key=("a.fits", 0))
    assert len(calls) == 1
    np.testing.assert_array_equal(renderer.render(data, settings, key=("a.fits", 0)).levels, first.levels)
    renderer.render(data, settings, key=("b.fits", 0))
    renderer.render(data, settings.replace(blur=1.0), key=("a.fits", 0))
    assert len(calls) == 3


def test_colour_keeps_hue(registry):
    rgb = np.zeros((4, 4, 3), np.float32)
    rgb[...] = (80.0, 40.0, 20.0)
    rgb[0, 0] = (0, 0, 0)
    rgb[3, 3] = (200.0, 200.0, 200.0)
    out = Renderer(registry).render(rgb, DisplaySettings.make("minmax", stretch="asinh"))
    assert out.colour is not None
    px = out.rgba()[1, 1, :3].astype(float)
    assert px[0] > 100  # the stretch brightened it
    assert px[0] / px[1] == pytest.approx(2.0, rel=0.03) and px[1] / px[2] == pytest.approx(2.0, rel=0.05)
    assert tuple(out.rgba()[3, 3, :3]) == (255, 255, 255)


def test_alpha_is_carried_through(registry):
    rgba = np.zeros((2, 2, 4), np.uint16)
    rgba[..., :3] = 30000
    rgba[..., 3] = [[0, 65535], [32768, 65535]]
    out = Renderer(registry).render(rgba, DisplaySettings.make("minmax")).rgba()
    assert out[..., 3].tolist() == [[0, 255], [128, 255]]


@pytest.mark.parametrize("name, first, last", [("gray", (0, 0, 0), (255, 255, 255)),
                                               ("gray_r", (255, 255, 255), (0, 0, 0)),
                                               ("viridis", (0x44, 0x01, 0x54), (0xfd, 0xe7, 0x25))])
def test_colormaps(registry, name, first, last):
    ramp = np.linspace(0, 1, 256, dtype=np.float32).reshape(16, 16)
    out = Renderer(registry).render(ramp, DisplaySettings.make("minmax", colormap=name)).rgba()
    assert tuple(out[0, 0, :3]) == first and tuple(out[-1, -1, :3]) == last


def test_blur_is_nan_aware(registry):
    flat = np.full((30, 30), 7.0, np.float32)
    flat[10:13, 10:13] = np.nan
    spec = registry.filters["blur"]
    blurred = spec.apply(flat.copy(), radius=2.0)
    assert np.isnan(blurred[10:13, 10:13]).all() and np.isnan(blurred).sum() == 9
    np.testing.assert_allclose(blurred[~np.isnan(blurred)], 7.0, rtol=1e-5)
    spike = np.zeros((21, 21), np.float32)
    spike[10, 10] = 1.0
    assert spec.apply(spike, radius=2.0)[10, 10] == pytest.approx(1 / (2 * np.pi * 4), rel=0.02)


def test_unknown_filter_names_are_reported(registry, data):
    with pytest.raises(PipelineError, match="no stretch named 'cubic'.*linear"):
        Renderer(registry).render(data, DisplaySettings.make("minmax", stretch="cubic"))
    with pytest.raises(PipelineError, match="percent"):
        Renderer(registry).check(DisplaySettings.make("percentile", {"percent": 120}))


@pytest.mark.parametrize("colormap", ["gray", "viridis"])
def test_direct_rgba_matches_the_indexed_picture(registry, data, colormap):
    """The one-pass RGBA (what the GUI shows) is the indexed picture expanded, NaN and alpha included."""
    data = data.copy()
    data[5:8, 10:12] = np.nan
    alpha = np.linspace(0.0, 1.0, data.size, dtype=np.float32).reshape(data.shape)
    renderer = Renderer(registry)
    for frame in (data, np.dstack([data, alpha])):
        settings = DisplaySettings.make("zscale", stretch="asinh", colormap=colormap)
        expected = renderer.render(frame, settings).rgba()
        direct = renderer.render(frame, settings, rgba=True)
        np.testing.assert_array_equal(direct.rgba(), expected)
        assert direct.rgba()[6, 11].tolist()[:3] == list(renderer.nan_color)
        # from cached codes (a stretch change) too
        renderer.render(frame, settings, key="k")
        changed = settings.replace(stretch="sqrt")
        np.testing.assert_array_equal(renderer.render(frame, changed, key="k", rgba=True).rgba(),
                                      renderer.render(frame, changed).rgba())
        renderer.forget()


def test_fixed_limits_skip_the_interval(registry, data):
    out = Renderer(registry).render(data, DisplaySettings.make("zscale"), limits=(900.0, 1300.0), rgba=True)
    assert (out.vmin, out.vmax) == (900.0, 1300.0)
    expected = _levels((data - 900.0) / 400.0)
    _close(out.rgba()[..., 0], expected)
