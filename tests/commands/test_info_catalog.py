"""``imgmarker info IMAGE --catalog CAT``: the sources that land on an image, in pixels."""

from __future__ import annotations

import json

import pytest
from astropy.io import fits
from astropy.wcs import WCS

from imgmarker.cli import main
from imgmarker.kernel.experiment.demo import write_demo


def test_lists_catalog_sources_with_display_pixels(tmp_path, capsys):
    write_demo(tmp_path)
    image = tmp_path / "images" / "cluster_field.fits"
    catalog = tmp_path / "catalogs" / "candidates.csv"
    assert main(["info", str(image), "--catalog", str(catalog), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {row["label"]: row for row in report["sources"]}
    bcg = rows["BCG"]
    wcs = WCS(fits.getheader(image))
    fx, fy = wcs.all_world2pix(bcg["ra"], bcg["dec"], 0)
    assert bcg["x"] == pytest.approx(float(fx), abs=1e-6)
    assert bcg["y"] == pytest.approx(511 - float(fy), abs=1e-6)  # display y runs down
    assert bcg["size_px"] == pytest.approx(12.0)  # 6 arcsec at 0.5 arcsec/px


def test_stiff_tiff_gives_the_same_positions_as_the_fits(tmp_path, capsys):
    write_demo(tmp_path)
    catalog = str(tmp_path / "catalogs" / "candidates.csv")
    positions = []
    for name in ("cluster_field.fits", "two_bands.tif"):
        assert main(["info", str(tmp_path / "images" / name), "--catalog", catalog, "--json"]) == 0
        positions.append({r["label"]: (r["x"], r["y"]) for r in json.loads(capsys.readouterr().out)["sources"]})
    assert positions[0].keys() == positions[1].keys()
    for label, (x, y) in positions[0].items():
        assert positions[1][label] == pytest.approx((x, y), abs=1e-6)


def test_text_output_and_missing_catalog(tmp_path, capsys):
    write_demo(tmp_path)
    image = str(tmp_path / "images" / "cluster_field.fits")
    assert main(["info", image, "--catalog", str(tmp_path / "catalogs" / "candidates.csv")]) == 0
    out = capsys.readouterr().out
    assert "catalog sources on frame 0" in out and "candidates:2 BCG: x 300.300" in out
    assert main(["info", image, "--catalog", str(tmp_path / "nope.csv")]) == 0
    captured = capsys.readouterr()
    assert "nope.csv" in captured.err and "0 catalog sources" in captured.out
