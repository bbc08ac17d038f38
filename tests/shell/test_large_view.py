"""A 20,000 x 20,000 FITS opens through an overview, zoomed-in regions are drawn at
full resolution in the right place, and clicks give exact image coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import QPointF, Qt

from datamakers import write_sparse_fits
from imgmarker.kernel.imaging.images import open_image
from imgmarker.kernel.display.large import render_overview, render_region
from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer

from .conftest import mouse, render

SIZE = 20_000
STAR = (12_347, 6_789)  # FITS x, y (0-based); not on the overview's sampling grid


def _rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


@pytest.fixture
def large(tmp_path: Path, registry):
    path = write_sparse_fits(tmp_path / "huge.fits", SIZE, SIZE, {STAR: 1000.0})
    with open_image(path, registry) as image:
        yield image.frames[0]


def test_a_huge_frame_opens_zooms_and_clicks_exactly(view, qtbot, large, registry):
    settings = DisplaySettings.make("minmax", stretch="linear")
    renderer = Renderer(registry)
    data = large.data()
    assert data.shape == (SIZE, SIZE)
    before = _rss_bytes()
    overview = render_overview(data, settings, renderer)
    assert _rss_bytes() - before < 200 * 2**20  # far from the frame's 1.6 GB
    assert overview.factor == 10 and overview.rgba.shape == (2000, 2000, 4)
    view.set_image(overview.rgba, "huge.fits", factor=overview.factor, size=(SIZE, SIZE))
    assert view.image_size() == (SIZE, SIZE)
    assert view.wanted_detail() is None or view.wanted_detail()[1] < 10

    # zoom in on the star (display row = H - 1 - FITS y)
    sx, sy = STAR[0], SIZE - 1 - STAR[1]
    view.set_scale(8.0)
    view.centre_on(sx, sy)
    spot = view.image_to_widget(sx, sy)
    assert render(view)[int(spot.y()), int(spot.x()), 0] == 0  # the overview missed the one-pixel star
    region, factor = view.wanted_detail()
    assert factor == 1
    detail = render_region(data, settings, renderer, region, overview.limits, factor, margin=16)
    view.set_detail(detail.rgba, detail.x0, detail.y0, detail.factor)
    pixels = render(view)
    assert pixels[int(spot.y()), int(spot.x()), 0] == 255  # the full-resolution star, where the mapping says
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        p = view.image_to_widget(sx + dx, sy + dy)
        assert pixels[int(p.y()), int(p.x()), 0] == 0

    # a click at a known widget point records the exact image position at this zoom
    with qtbot.waitSignal(view.clicked) as blocker:
        mouse(view, "press", QPointF(216, 150))
        mouse(view, "release", QPointF(216, 150))
    x, y, button, _ = blocker.args
    half = 0.5 / view.devicePixelRatioF()
    assert (x, y) == (sx + (216 + half - view.width() / 2) / 8.0, sy + (150 + half - view.height() / 2) / 8.0)
    assert x == sx + 2.0625 and button == Qt.MouseButton.LeftButton


def test_detail_is_drawn_only_where_it_belongs_and_dropped_with_the_image(view, large, registry):
    settings = DisplaySettings.make("minmax", stretch="linear")
    overview = render_overview(large.data(), settings, Renderer(registry))
    view.set_image(overview.rgba, "huge.fits", factor=overview.factor, size=(SIZE, SIZE))
    view.set_detail(np.full((50, 50, 4), 255, np.uint8), 1000, 1000, 1)
    view.set_scale(2.0)
    view.centre_on(1000, 1000)
    pixels = render(view)
    inside, outside = view.image_to_widget(1010, 1010), view.image_to_widget(990, 1010)
    assert pixels[int(inside.y()), int(inside.x()), 0] == 255
    assert pixels[int(outside.y()), int(outside.x()), 0] == 0
    view.set_image(overview.rgba, "huge.fits", factor=overview.factor, size=(SIZE, SIZE))
    assert view.detail() is None
    assert render(view)[int(inside.y()), int(inside.x()), 0] == 0


def test_zooming_in_loads_the_full_resolution_region_in_the_background(view, qtbot, large, registry, tmp_path):
    from types import SimpleNamespace

    from imgmarker.kernel.display.frame_jobs import FrameStore, RenderedFrame, region_job, render_job
    from imgmarker.shell.detail_loader import DetailLoader

    settings = DisplaySettings.make("minmax", stretch="linear")
    renderer = Renderer(registry)
    entry = SimpleNamespace(path=tmp_path / "huge.fits", name="huge.fits")
    rendered = render_job(entry, 0, settings, registry=registry, renderer=renderer, store=FrameStore(1 << 20),
                          max_pixels=None)()
    assert isinstance(rendered, RenderedFrame) and rendered.factor == 10 and rendered.full_size == (SIZE, SIZE)
    assert [f for _, f in rendered.previews] == [20, 40]  # 1000 and 500 pixels a side
    view.set_image(rendered.rgba, entry.name, previews=rendered.previews, factor=rendered.factor,
                   size=rendered.full_size)
    loader = DetailLoader(view, debounce_ms=1)
    calls = []

    def make_job(region, factor):
        calls.append((region, factor))
        return region_job(entry, 0, settings, region, factor, rendered.limits, registry=registry,
                          renderer=renderer, max_pixels=None)

    loader.set_source("huge", make_job)
    qtbot.wait(20)
    assert calls == []  # at fit the overview is fine enough
    sx, sy = STAR[0], SIZE - 1 - STAR[1]
    view.set_scale(4.0)
    view.centre_on(sx + 0.2, sy - 0.3)
    qtbot.waitUntil(lambda: view.detail() is not None, timeout=5000)
    spot = view.image_to_widget(sx, sy)
    assert render(view)[int(spot.y()), int(spot.x()), 0] == 255
    qtbot.wait(30)
    assert len(calls) == 1 and calls[0][1] == 1  # one request, nothing repeated for a covered view
    loader.close()
