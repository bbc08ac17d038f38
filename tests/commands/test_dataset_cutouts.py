"""Cutouts a scientist can trust: the original pixels, a WCS that puts every marked
source where the mark is, padding or skipping at the edges, and PNGs that look exactly
like the part of the window they came from."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from astropy.io import fits
from astropy.wcs import WCS
from datamakers import tan_header, write_fits
from PIL import Image

from imgmarker.cli import main

SIP = {"A_2_0": 2e-5, "A_0_2": -1.5e-5, "A_1_1": 1e-5, "B_2_0": -1e-5, "B_0_2": 2e-5, "B_1_1": 1.5e-5}
EXPERIMENT = """\
schema_version: 1
name: cutouts
images: {directory: images}
groups:
  - {name: galaxy, size: 12}
  - {name: star, size: 3, size_unit: arcsec}
categories:
  items: [{name: good}, {name: bad}]
display: {interval: zscale, stretch: asinh}
output: {directory: results}
"""
#: (image, group, x, y) in display pixels; some near the edges on purpose
MARKS = [("sip.fits", "galaxy", 100.25, 60.75), ("sip.fits", "star", 3.4, 140.6), ("sip.fits", "galaxy", 197.9, 2.1),
         ("sip.fits", "star", 50.5, 50.5), ("counts.fits", "galaxy", 30.0, 20.0), ("counts.fits", "star", 1.2, 1.7)]


@pytest.fixture
def campaign(tmp_path):
    root = tmp_path / "campaign"
    (root / "images").mkdir(parents=True)
    rng = np.random.default_rng(0)
    data = rng.normal(100, 10, (150, 200)).astype(np.float32)
    write_fits(root / "images" / "sip.fits", data, tan_header(200, 150, rotation_deg=25, sip=SIP))
    counts = rng.integers(0, 60000, (40, 50)).astype(np.uint16)
    write_fits(root / "images" / "counts.fits", counts, tan_header(50, 40))
    (root / "results").mkdir()
    with open(root / "results" / "ana_marks.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["image", "group", "label", "x", "y"])
        out.writerows([(image, group, group, x, y) for image, group, x, y in MARKS])
    (root / "experiment.yaml").write_text(EXPERIMENT)
    return root


def _table(folder):
    with open(folder / "examples.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _display(path):
    """Source data in display orientation and its WCS."""
    with fits.open(path) as hdul:
        return np.asarray(hdul[0].data)[::-1].copy(), WCS(hdul[0].header), hdul[0].header["NAXIS2"]


def test_fits_cutouts_keep_the_pixels_and_a_wcs_that_finds_the_marked_source(campaign, capsys):
    out = campaign / "set"
    assert main(["dataset", str(campaign / "experiment.yaml"), "-o", str(out), "--size", "15", "--workers", "1",
                 "--writer", "none"]) == 0
    rows = _table(out)
    assert sorted((r["source_image"], r["group"], float(r["source_x"]), float(r["source_y"])) for r in rows) == \
        sorted((i, g, x, y) for i, g, x, y in MARKS)
    for r in rows:
        source, source_wcs, height = _display(campaign / "images" / r["source_image"])
        with fits.open(out / r["file"]) as hdul:
            hdul.verify("exception")
            cut, header = hdul[0].data, hdul[0].header
        assert cut.shape == (15, 15) and r["width"] == r["height"] == "15"
        x, y, sx, sy = (float(r[k]) for k in ("x", "y", "source_x", "source_y"))
        x0, y0 = int(r["source_x0"]), int(r["source_y0"])
        assert (x, y) == (sx - x0, sy - y0) and abs(x - 7) <= 0.5 and abs(y - 7) <= 0.5
        # the same pixels as the source (stored bottom row first), NaN where padded
        shown = cut[::-1]
        ys, xs = np.mgrid[y0:y0 + 15, x0:x0 + 15]
        valid = (xs >= 0) & (ys >= 0) & (xs < source.shape[1]) & (ys < source.shape[0])
        assert np.array_equal(shown[valid], source[ys[valid], xs[valid]])
        assert np.isnan(shown[~valid]).all()
        assert float(r["padded"]) == pytest.approx(round(1 - valid.mean(), 4))
        if valid.all():
            assert shown.dtype == source.dtype  # integers stay integers
        # the sky position of the mark in the source is at the mark in the cutout
        ra, dec = source_wcs.all_pix2world(sx, height - 1 - sy, 0)
        px, py = WCS(header).all_world2pix(ra, dec, 0, tolerance=1e-10)
        assert abs(px - x) < 0.01 and abs(py - (14 - y)) < 0.01
        assert float(r["ra"]) == pytest.approx(float(ra), abs=1e-9)
        assert float(r["dec"]) == pytest.approx(float(dec), abs=1e-9)
        assert header["SRCIMAGE"] == r["source_image"] and header["MARKGRP"] == r["group"]
        assert (header["LTV1"], header["LTV2"]) == (-x0, -(height - y0 - 15))


def test_edge_skip_leaves_out_what_touches_the_edge_and_says_so(campaign, capsys):
    out = campaign / "set"
    assert main(["dataset", str(campaign / "experiment.yaml"), "-o", str(out), "--size", "15", "--workers", "1",
                 "--edge", "skip", "--writer", "none"]) == 0
    rows = _table(out)
    assert {(r["source_image"], float(r["source_x"])) for r in rows} == {("sip.fits", 100.25), ("sip.fits", 50.5),
                                                                         ("counts.fits", 30.0)}
    assert all(r["padded"] == "0.0000" for r in rows)
    assert "left out: 3 touching the edge (--edge skip)" in capsys.readouterr().out


def test_arcsec_sizes_use_the_local_pixel_scale(campaign):
    out = campaign / "set"
    assert main(["dataset", str(campaign / "experiment.yaml"), "-o", str(out), "--size", "5arcsec",
                 "--workers", "1", "--writer", "none", "--group", "galaxy"]) == 0
    rows = _table(out)
    assert {r["width"] for r in rows} == {"10"}  # 0.5 arcsec per pixel
    assert {r["group"] for r in rows} == {"galaxy"}


def test_png_cutouts_are_the_window_picture_of_that_place(campaign, registry):
    from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer
    from imgmarker.kernel.experiment.loader import load_experiment

    out = campaign / "set"
    assert main(["dataset", str(campaign / "experiment.yaml"), "-o", str(out), "--size", "16", "--format", "png",
                 "--workers", "1", "--writer", "none"]) == 0
    experiment = load_experiment(campaign / "experiment.yaml", registry)
    settings = DisplaySettings.from_display(experiment.display)
    assert settings.stretch == "asinh"
    for r in _table(out):
        source, _, _ = _display(campaign / "images" / r["source_image"])
        whole = Renderer(registry).render(source, settings).rgb()  # the full frame, as the window shows it
        picture = np.asarray(Image.open(out / r["file"]))
        assert picture.shape == (16, 16, 3) and r["file"].endswith(".png")
        x0, y0 = int(r["source_x0"]), int(r["source_y0"])
        ys, xs = np.mgrid[y0:y0 + 16, x0:x0 + 16]
        valid = (xs >= 0) & (ys >= 0) & (xs < source.shape[1]) & (ys < source.shape[0])
        assert np.array_equal(picture[valid], whole[ys[valid], xs[valid]])
        assert (picture[~valid] == 0).all()  # padding is black


def test_an_unreadable_image_is_one_line_and_the_others_are_still_cut(campaign, capsys):
    (campaign / "images" / "broken.fits").write_bytes(b"SIMPLE  = not really a FITS file")
    with open(campaign / "results" / "ana_marks.csv", "a", newline="") as handle:
        csv.writer(handle).writerow(["broken.fits", "galaxy", "galaxy", 5.0, 5.0])
    out = campaign / "set"
    assert main(["dataset", str(campaign / "experiment.yaml"), "-o", str(out), "--size", "15", "--workers", "1",
                 "--writer", "none"]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "broken.fits" in line]
    assert len(lines) == 1 and lines[0].startswith("error: broken.fits: not a readable FITS file")
    assert "Traceback" not in err
    assert len(_table(out)) == len(MARKS)


def test_a_frame_the_images_do_not_have(campaign, capsys):
    out = campaign / "set"
    assert main(["dataset", str(campaign / "experiment.yaml"), "-o", str(out), "--frame", "1", "--workers", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "error: counts.fits: no frame 1 (frames 0..0)" in err and "error: sip.fits: no frame 1 (frames 0..0)" in err
    assert err[-1] == "error: no examples could be cut (image unreadable or missing: 6)"
    assert not out.exists()
