"""Built-in overlays: what is drawn, where, in which colour and size."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from astropy.wcs import WCS

from imgmarker.kernel.catalogs.columns import build_catalog
from imgmarker.kernel.catalogs.matching import CatalogIndex
from imgmarker.kernel.catalogs.model import CatalogStyle
from imgmarker.kernel.experiment.config import Group
from imgmarker.kernel.display.overlay import CatalogLayer, Line, Marker, OverlayContext, Text, draw_overlays
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.plugins.records import OverlaySpec

import imgmarker


def tan_wcs(shape, scale=1.0, rotation=0.0, ra=30.0, dec=20.0) -> WCS:
    h, w = shape
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [(w + 1) / 2, (h + 1) / 2]
    s, t = scale / 3600, np.radians(rotation)
    wcs.wcs.cd = [[-s * np.cos(t), s * np.sin(t)], [s * np.sin(t), s * np.cos(t)]]
    wcs.wcs.set()
    return wcs


@dataclass(frozen=True)
class FakeMark:  # the fields of imgmarker.kernel.campaign.session.Mark that overlays read
    id: int
    group: str
    label: str
    x: float
    y: float
    frame: int = 0
    ra: float | None = None
    dec: float | None = None


GROUPS = (
    Group(name="galaxy", key="1", color="#E69F00", shape="circle", size=20.0, size_unit="px", max=None),
    Group(name="star", key="2", color="#56B4E9", shape="cross", size=4.0, size_unit="arcsec", max=None),
)


@pytest.fixture(scope="module")
def registry():
    return create_plugin_host(autoload=False).registry


def draw(registry, name, context):
    return list(registry.overlays[name].draw(context))


def test_marks_take_shape_colour_and_size_from_their_group(registry):
    shape = (100, 120)
    marks = [FakeMark(1, "galaxy", "g1", 10.5, 20.25), FakeMark(2, "star", "s1", 50, 60),
             FakeMark(3, "gone", "old", 5, 5)]
    context = OverlayContext("a.fits", 0, shape, wcs=tan_wcs(shape, scale=0.5), marks=marks,
                             groups=GROUPS, selected=frozenset({2}))
    galaxy, star, orphan = draw(registry, "marks", context)
    assert (galaxy.shape, galaxy.color, galaxy.x, galaxy.y, galaxy.size_px) == ("circle", "#E69F00", 10.5, 20.25, 20.0)
    assert (star.shape, star.color) == ("cross", "#56B4E9")
    assert star.size_px == pytest.approx(8.0, rel=1e-4)  # 4 arcsec at 0.5 arcsec/px
    assert star.selected and not galaxy.selected
    assert galaxy.key == 1 and galaxy.label == "g1" and "galaxy: g1" in galaxy.tooltip
    assert orphan.color == "#999999"


def test_arcsec_mark_size_without_wcs_is_pixels(registry):
    context = OverlayContext("a.png", 0, (50, 50), marks=[FakeMark(1, "star", "s", 1, 1)], groups=GROUPS)
    assert draw(registry, "marks", context)[0].size_px == 4.0


def layer(name, columns, color, shape, wcs, image_shape, visible=True):
    n = len(next(iter(columns.values())))
    catalog = build_catalog(Path(f"{name}.csv"), columns, np.arange(2, n + 2),
                            CatalogStyle(name=name, color=color, shape=shape))
    sources = CatalogIndex(catalog).sources_for("a.fits", wcs, image_shape)
    return CatalogLayer(name=name, sources=sources, color=color, shape=shape, visible=visible)


def test_catalogs_each_in_their_colour_with_a_visibility_toggle(registry):
    shape = (100, 100)
    wcs = tan_wcs(shape)
    red = layer("red", {"label": ["r1", "r2"], "x": [1.0, 2.0], "y": [3.0, 4.0],
                        "color": ["", "#00FF00"], "z": ["0.1", "0.2"]}, "#FF0000", "square", wcs, shape)
    blue = layer("blue", {"ra": [30.0], "dec": [20.0]}, "#0000FF", "diamond", wcs, shape)
    drawn = draw(registry, "catalogs", OverlayContext("a.fits", 0, shape, wcs=wcs, catalogs=[red, blue]))
    assert [(m.color, m.shape, m.kind) for m in drawn] == [
        ("#FF0000", "square", "catalog"), ("#00FF00", "square", "catalog"), ("#0000FF", "diamond", "catalog")]
    assert (drawn[0].x, drawn[0].y, drawn[0].label) == (1.0, 3.0, "r1")
    assert "z: 0.1" in drawn[0].tooltip and drawn[0].key == ("red", 0)
    assert (drawn[2].x, drawn[2].y) == pytest.approx((49.5, 49.5))
    hidden = CatalogLayer(red.name, red.sources, red.color, red.shape, visible=False)
    drawn = draw(registry, "catalogs", OverlayContext("a.fits", 0, shape, wcs=wcs, catalogs=[hidden, blue]))
    assert [m.color for m in drawn] == ["#0000FF"]


@pytest.mark.parametrize("rotation", [0.0, 90.0, 30.0])
def test_compass_points_north_and_east(registry, rotation):
    shape = (200, 200)
    drawn = draw(registry, "compass", OverlayContext("a.fits", 0, shape, wcs=tan_wcs(shape, rotation=rotation)))
    arrows = [p for p in drawn if isinstance(p, Line)]
    labels = [p.text for p in drawn if isinstance(p, Text)]
    assert labels == ["N", "E"] and all(a.arrow for a in arrows)
    north, east = [np.array([a.x1 - a.x0, a.y1 - a.y0]) for a in arrows]
    t = np.radians(rotation)
    # unrotated: north is up the screen (y decreasing), east to the left
    expected_north = np.array([np.sin(t), -np.cos(t)])
    expected_east = np.array([-np.cos(t), -np.sin(t)])
    assert north / np.linalg.norm(north) == pytest.approx(expected_north, abs=1e-3)
    assert east / np.linalg.norm(east) == pytest.approx(expected_east, abs=1e-3)


def test_compass_at_the_pole_and_without_wcs(registry):
    shape = (200, 200)
    polar = tan_wcs(shape, scale=10.0, ra=0.0, dec=89.99)
    assert len(draw(registry, "compass", OverlayContext("p.fits", 0, shape, wcs=polar))) == 4
    assert draw(registry, "compass", OverlayContext("a.png", 0, shape)) == []


def test_scalebar_length_matches_its_label(registry):
    shape = (400, 600)
    drawn = draw(registry, "scalebar", OverlayContext("a.fits", 0, shape, wcs=tan_wcs(shape, scale=0.25)))
    bar = next(p for p in drawn if isinstance(p, Line))
    text = next(p for p in drawn if isinstance(p, Text))
    # a quarter of 600 px at 0.25"/px is 37.5": the largest round length below is 30"
    assert text.text == '30"'
    assert bar.x1 - bar.x0 == pytest.approx(120.0, rel=1e-4)
    wide = draw(registry, "scalebar", OverlayContext("w.fits", 0, shape, wcs=tan_wcs(shape, scale=30.0)))
    assert next(p for p in wide if isinstance(p, Text)).text == "1°"


def test_compass_and_scalebar_are_off_by_default(registry):
    shape = (100, 100)
    context = OverlayContext("a.fits", 0, shape, wcs=tan_wcs(shape), marks=[FakeMark(1, "galaxy", "", 5, 5)],
                             groups=GROUPS)
    drawn, problems = draw_overlays(registry, context)
    assert problems == [] and {type(p) for p in drawn} == {Marker}
    on = OverlayContext("a.fits", 0, shape, wcs=tan_wcs(shape), visible={"compass": True, "scalebar": True,
                                                                          "marks": False})
    drawn, _ = draw_overlays(registry, on)
    assert {p.kind for p in drawn} == {"compass", "scalebar"}


class BrokenOverlay:
    @imgmarker.hookimpl
    def imgmarker_overlays(self):
        def draw(context):
            raise RuntimeError("boom")
        return OverlaySpec(name="broken", draw=draw)


def test_a_failing_overlay_is_reported_and_the_others_still_draw():
    registry = create_plugin_host(autoload=False, extra=[("broken", BrokenOverlay())]).registry
    context = OverlayContext("a.fits", 0, (50, 50), marks=[FakeMark(1, "galaxy", "", 5, 5)], groups=GROUPS)
    drawn, problems = draw_overlays(registry, context)
    assert len(drawn) == 1 and problems == ["overlay 'broken' of plugin 'broken' (registered) failed: RuntimeError: boom"]
