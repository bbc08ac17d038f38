"""Catalogs in FITS binary tables, VOTables and ECSV."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits
from astropy.table import MaskedColumn, Table

from imgmarker.kernel.catalogs.model import CatalogError, load_catalog
from imgmarker.kernel.plugins.host import create_plugin_host


@pytest.fixture(scope="module")
def registry():
    return create_plugin_host(autoload=False).registry


def sample_table() -> Table:
    table = Table()
    table["NAME"] = ["alpha", "beta", "gamma"]
    table["RAJ2000"] = [10.0, 10.01, 10.02] * u.deg
    table["DEJ2000"] = [-5.0, -5.01, -5.02] * u.deg
    table["SIZE"] = [2.0, 3.0, 4.0] * u.arcsec
    table["MAG"] = [18.5, 19.25, 20.0]
    return table


@pytest.mark.parametrize("name,fmt", [("cat.fits", "fits"), ("cat.fit", "fits"), ("cat.vot", "votable"),
                                      ("cat.xml", "votable"), ("cat.ecsv", "ascii.ecsv")])
def test_astropy_table_formats(tmp_path, registry, name, fmt):
    path = tmp_path / name
    sample_table().write(path, format=fmt)
    catalog = load_catalog(path, registry)
    assert catalog.label == ("alpha", "beta", "gamma")
    np.testing.assert_allclose(catalog.ra, [10.0, 10.01, 10.02])
    np.testing.assert_allclose(catalog.dec, [-5.0, -5.01, -5.02])
    # the unit of a bare SIZE column says these are arcseconds
    assert catalog.size_unit == ("arcsec",) * 3
    np.testing.assert_allclose(catalog.size, [2, 3, 4])
    assert [round(v, 2) for v in catalog.attributes["MAG"]] == [18.5, 19.25, 20.0]
    assert catalog.lines.tolist() == [1, 2, 3]


def test_ra_in_hours_is_converted(tmp_path, registry):
    table = Table({"ra": [1.5] * u.hourangle, "dec": [20.0] * u.deg})
    path = tmp_path / "hours.ecsv"
    table.write(path)
    assert load_catalog(path, registry).ra[0] == pytest.approx(22.5)


def test_masked_coordinate_row_reported_and_skipped(tmp_path, registry):
    table = Table()
    table["label"] = ["a", "b", "c"]
    table["ra"] = MaskedColumn([1.0, 2.0, 3.0], mask=[False, True, False])
    table["dec"] = MaskedColumn([1.0, 2.0, 3.0], mask=[False, True, False])
    path = tmp_path / "masked.vot"
    table.write(path, format="votable")
    catalog = load_catalog(path, registry)
    assert catalog.label == ("a", "c")
    assert catalog.problems == ("masked.vot: row 2: no position (needs ra/dec)",)


def test_fits_without_table_is_one_error(tmp_path, registry):
    path = tmp_path / "image.fits"
    fits.PrimaryHDU(np.zeros((4, 4))).writeto(path)
    with pytest.raises(CatalogError, match="image.fits.*no table extension"):
        load_catalog(path, registry)


def test_table_without_coordinates_is_one_error(tmp_path, registry):
    path = tmp_path / "mags.fits"
    Table({"id": [1, 2], "mag": [1.0, 2.0]}).write(path)
    with pytest.raises(CatalogError, match="mags.fits: no usable coordinate columns"):
        load_catalog(path, registry)


def test_garbage_table_file_is_one_error(tmp_path, registry):
    path = tmp_path / "broken.vot"
    path.write_text("this is not xml")
    with pytest.raises(CatalogError, match="broken.vot"):
        load_catalog(path, registry)
