"""Which sources land on which image, and at which pixel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.wcs import WCS, Sip

from imgmarker.kernel.catalogs.columns import build_catalog
from imgmarker.kernel.catalogs.matching import CatalogIndex, source_rows
from imgmarker.kernel.catalogs.model import CatalogStyle, load_catalog
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.imaging.pixel_scale import unit_vectors
from imgmarker.kernel.imaging.wcs import pixel_to_world, world_to_pixel


def tan_wcs(ra: float, dec: float, shape=(200, 300), scale=1.0, rotation=0.0, sip=False) -> WCS:
    """A TAN WCS centred on (ra, dec), ``scale`` arcsec/pixel, east left, north up."""
    height, width = shape
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN-SIP", "DEC--TAN-SIP"] if sip else ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [ra, dec]
    w.wcs.crpix = [(width + 1) / 2, (height + 1) / 2]
    s = scale / 3600
    t = np.radians(rotation)
    w.wcs.cd = [[-s * np.cos(t), s * np.sin(t)], [s * np.sin(t), s * np.cos(t)]]
    if sip:
        a = np.zeros((3, 3))
        b = np.zeros((3, 3))
        a[2, 0], a[1, 1], b[0, 2], b[1, 1] = 2e-5, -1e-5, 1.5e-5, 1e-5
        w.sip = Sip(a, b, None, None, w.wcs.crpix)
    w.wcs.set()
    return w


def catalog_of(columns: dict, style: CatalogStyle | None = None):
    n = len(next(iter(columns.values())))
    return build_catalog(Path("test.csv"), columns, np.arange(2, n + 2), style or CatalogStyle(name="test"))


def brute_force(ra, dec, wcs, shape):
    """Indices of the positions inside the image, by projecting every one of them
    (only those on the image's hemisphere, where the projection is one-to-one)."""
    h, w = shape
    centre = unit_vectors(*pixel_to_world(wcs, h, (w - 1) / 2, (h - 1) / 2))
    near = unit_vectors(ra, dec) @ centre > 0
    x, y = world_to_pixel(wcs, h, ra, dec)
    inside = near & (x >= -0.5) & (x < w - 0.5) & (y >= -0.5) & (y < h - 0.5)
    return np.flatnonzero(inside), x, y


def test_radec_and_xy_catalogs_give_the_same_pixels(tmp_path):
    registry = create_plugin_host(autoload=False).registry
    shape = (400, 500)
    wcs = tan_wcs(150.1, 2.2, shape, scale=0.4, rotation=23, sip=True)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 499, 60), rng.uniform(0, 399, 60)
    ra, dec = pixel_to_world(wcs, shape[0], x, y)
    sky = tmp_path / "sky.csv"
    sky.write_text("label,RA,Dec\n" + "".join(f"s{i},{r:.12f},{d:.12f}\n" for i, (r, d) in enumerate(zip(ra, dec))))
    pix = tmp_path / "pix.csv"
    pix.write_text("label,x,y\n" + "".join(f"s{i},{float(a)!r},{float(b)!r}\n" for i, (a, b) in enumerate(zip(x, y))))
    on_sky = CatalogIndex(load_catalog(sky, registry)).sources_for("img.fits", wcs, shape)
    on_pix = CatalogIndex(load_catalog(pix, registry)).sources_for("img.fits", wcs, shape)
    assert on_sky.labels == on_pix.labels and len(on_sky) == 60
    assert np.max(np.abs(on_sky.x - on_pix.x)) < 0.01
    assert np.max(np.abs(on_sky.y - on_pix.y)) < 0.01
    np.testing.assert_allclose(on_pix.x, x)


def test_footprint_matching_agrees_with_projecting_everything():
    rng = np.random.default_rng(5)
    ra, dec = rng.uniform(149, 151, 5000), rng.uniform(1, 3, 5000)
    index = CatalogIndex(catalog_of({"ra": ra, "dec": dec}))
    for i, (cra, cdec, rot) in enumerate([(150, 2, 0), (150.5, 1.5, 45), (149.2, 2.9, 130)]):
        shape = (300, 400)
        wcs = tan_wcs(cra, cdec, shape, scale=2.0, rotation=rot, sip=(i == 1))
        found = index.sources_for(f"im{i}.fits", wcs, shape)
        expected, x, y = brute_force(ra, dec, wcs, shape)
        assert len(expected) > 10
        assert found.rows.tolist() == expected.tolist()
        np.testing.assert_allclose(found.x, x[expected], atol=1e-9)
        np.testing.assert_allclose(found.y, y[expected], atol=1e-9)


def test_image_across_ra_zero():
    shape = (360, 360)
    wcs = tan_wcs(0.0, -30.0, shape, scale=1.0)  # 0.1 degree across
    ra = np.array([359.99, 0.01, 359.97, 0.03, 180.0, 359.5, 0.5])
    dec = np.array([-30.0, -30.01, -29.97, -30.03, -30.0, -30.0, -30.0])
    index = CatalogIndex(catalog_of({"label": list("abcdefg"), "ra": ra, "dec": dec}))
    found = index.sources_for("zero.fits", wcs, shape)
    assert found.labels == ("a", "b", "c", "d")
    x, y = world_to_pixel(wcs, shape[0], ra[:4], dec[:4])
    np.testing.assert_allclose(found.x, x)
    # east is to the left: the source at RA 0.01 lies left of the one at 359.99
    assert found.x[1] < found.x[0]


def test_image_at_the_pole():
    rng = np.random.default_rng(11)
    ra = rng.uniform(0, 360, 4000)
    dec = 90 - rng.uniform(0, 0.3, 4000)
    shape = (400, 400)
    wcs = tan_wcs(37.0, 89.95, shape, scale=1.0)  # the image contains the pole
    index = CatalogIndex(catalog_of({"ra": ra, "dec": dec}))
    found = index.sources_for("pole.fits", wcs, shape)
    expected, x, y = brute_force(ra, dec, wcs, shape)
    assert len(expected) > 100
    assert found.rows.tolist() == expected.tolist()
    # sources on every side of the pole are found
    assert np.ptp(ra[found.rows]) > 300


def test_image_column_attaches_rows_by_name_or_relative_path():
    shape = (100, 100)
    wcs_a = tan_wcs(10, 10, shape)
    columns = {
        "image": ["a.fits", "sub1/b.fits", "sub2/b.fits", "a.fits", ""],
        "label": ["on a", "on sub1 b", "on sub2 b", "a by sky", "free"],
        "x": [5.0, 6.0, 7.0, None, None],
        "y": [5.0, 6.0, 7.0, None, None],
        "ra": [None, None, None, 10.001, 10.0],
        "dec": [None, None, None, 10.002, 10.0],
    }
    index = CatalogIndex(catalog_of(columns))
    on_a = index.sources_for("a.fits", wcs_a, shape)
    assert set(on_a.labels) == {"on a", "a by sky", "free"}
    by_sky = on_a.source(on_a.labels.index("a by sky"))
    ex, ey = world_to_pixel(wcs_a, 100, 10.001, 10.002)
    assert (by_sky.x, by_sky.y) == pytest.approx((float(ex), float(ey)), abs=1e-9)
    # same file name in another folder: rows naming the bare file name attach there too
    assert set(index.sources_for("deeper/a.fits", None, shape).labels) == {"on a"}
    # names that repeat are told apart by their relative path
    assert index.sources_for("sub1/b.fits", None, shape).labels == ("on sub1 b",)
    assert index.sources_for("sub2/b.fits", None, shape).labels == ("on sub2 b",)
    # an image the catalog does not name gets only the free rows inside its footprint
    assert index.sources_for("c.fits", tan_wcs(10, 10, shape), shape).labels == ("free",)
    assert index.sources_for("c.fits", tan_wcs(50, 10, shape), shape).labels == ()


def test_pixel_rows_appear_on_every_image_they_fall_inside():
    index = CatalogIndex(catalog_of({"label": ["near", "far", "edge"], "x": [10.0, 700.0, -0.5],
                                     "y": [20.0, 600.0, 99.4]}))
    assert index.sources_for("small.png", None, (100, 100)).labels == ("near", "edge")
    assert index.sources_for("big.png", None, (1000, 1000)).labels == ("near", "far", "edge")
    assert index.sources_for("sky.fits", tan_wcs(1, 1, (100, 100)), (100, 100)).labels == ("near", "edge")
    assert index.sources_for("tiny.png", None, (10, 10)).labels == ()


def test_frame_column_limits_rows_to_their_frame():
    index = CatalogIndex(catalog_of({"label": ["any", "first", "second"], "x": [1.0, 2.0, 3.0],
                                     "y": [1.0, 2.0, 3.0], "frame": ["", "0", "1"]}))
    assert index.sources_for("cube.fits", None, (10, 10), frame=0).labels == ("any", "first")
    assert index.sources_for("cube.fits", None, (10, 10), frame=1).labels == ("any", "second")


def test_arcsecond_sizes_use_the_local_pixel_scale():
    shape = (200, 200)
    columns = {"x": [50.0, 60.0], "y": [50.0, 60.0], "size(arcsec)": [3.0, None], "size(px)": [None, 9.0]}
    index = CatalogIndex(catalog_of(columns))
    half = index.sources_for("half.fits", tan_wcs(20, 40, shape, scale=0.5), shape)
    np.testing.assert_allclose(half.size_px, [6.0, 9.0], rtol=1e-4)
    coarse = index.sources_for("coarse.fits", tan_wcs(20, 40, shape, scale=1.5, rotation=30), shape)
    np.testing.assert_allclose(coarse.size_px, [2.0, 9.0], rtol=1e-4)
    # without a WCS an arcsecond size is taken as pixels
    np.testing.assert_allclose(index.sources_for("plain.png", None, shape).size_px, [3.0, 9.0])


def test_results_are_cached_per_image_and_the_cache_is_bounded():
    shape = (50, 50)
    index = CatalogIndex(catalog_of({"x": [1.0], "y": [1.0]}), cache_size=2)
    first = index.sources_for("a.png", None, shape)
    assert index.sources_for("a.png", None, shape) is first
    index.sources_for("b.png", None, shape)
    index.sources_for("c.png", None, shape)
    assert len(index) == 2
    assert index.sources_for("a.png", None, shape) is not first
    # a different WCS for the same name is not served from the cache
    wcs1, wcs2 = tan_wcs(1, 1, shape), tan_wcs(1, 1.001, shape)
    sky = CatalogIndex(catalog_of({"ra": [1.0], "dec": [1.0]}))
    assert sky.sources_for("s.fits", wcs1, shape).y[0] != sky.sources_for("s.fits", wcs2, shape).y[0]


def test_source_rows_for_listing():
    shape = (100, 100)
    wcs = tan_wcs(200, -10, shape)
    index = CatalogIndex(catalog_of({"label": ["pix", "sky"], "x": [10.0, None], "y": [20.0, None],
                                     "ra": [None, 200.0], "dec": [None, -10.0], "mag": ["17", "18"]}))
    rows = source_rows(index.sources_for("i.fits", wcs, shape), wcs, shape[0])
    assert [r["label"] for r in rows] == ["pix", "sky"]
    ra, dec = pixel_to_world(wcs, shape[0], 10.0, 20.0)
    assert (rows[0]["ra"], rows[0]["dec"]) == pytest.approx((float(ra), float(dec)))
    assert rows[1]["x"] == pytest.approx(49.5) and rows[1]["y"] == pytest.approx(49.5)
    assert rows[0]["line"] == 2 and rows[1]["attributes"] == {"mag": "18"}
