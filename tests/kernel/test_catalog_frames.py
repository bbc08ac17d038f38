"""Catalog RA/Dec are ICRS unless the file or the experiment entry names another frame;
then they are converted on loading, and land on the pixels they came from."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import FK4, FK5, Galactic, SkyCoord
from astropy.time import Time
from astropy.wcs import WCS

from datamakers import sky_header
from imgmarker.kernel.catalogs.matching import CatalogIndex
from imgmarker.kernel.catalogs.model import CatalogError, CatalogStyle, load_catalog

HEIGHT, WIDTH = 48, 64


def _pixels(n=25, seed=5):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, WIDTH - 1, n), rng.uniform(0, HEIGHT - 1, n)


def _native_of_pixels(header, x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = WCS(header)
    return w.all_pix2world(x, HEIGHT - 1 - y, 0), w


def _write_csv(path, lon, lat):
    lines = ["label,ra,dec"] + [f"s{i},{float(a)!r},{float(b)!r}" for i, (a, b) in enumerate(zip(lon, lat))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_galactic_catalog_named_by_the_experiment_lands_on_its_pixels(tmp_path, registry):
    header = sky_header(ctype=("GLON-TAN", "GLAT-TAN"), crval=(120.0, 5.0))
    x, y = _pixels()
    (lon, lat), wcs = _native_of_pixels(header, x, y)
    path = _write_csv(tmp_path / "gal.csv", lon, lat)
    style = CatalogStyle(name="gal", sky_frame="galactic")
    catalog = registry.catalog_reader_for(path.name).read(path, style=style)
    icrs = SkyCoord(lon * u.deg, lat * u.deg, frame=Galactic()).icrs
    assert np.max(np.abs((catalog.ra - icrs.ra.deg + 180) % 360 - 180)) < 1e-9
    assert np.max(np.abs(catalog.dec - icrs.dec.deg)) < 1e-9
    assert catalog.sky_frame == "galactic"
    found = CatalogIndex(catalog).sources_for("img.fits", wcs, (HEIGHT, WIDTH))
    assert len(found) == len(x)
    order = np.argsort(found.rows)
    assert np.max(np.hypot(found.x[order] - x, found.y[order] - y)) < 1e-6


def test_a_csv_catalog_without_a_frame_is_icrs(tmp_path, registry):
    path = _write_csv(tmp_path / "plain.csv", [150.0, 150.01], [2.0, 2.01])
    catalog = load_catalog(path, registry)
    assert catalog.sky_frame == "ICRS" and catalog.ra.tolist() == [150.0, 150.01]


def _votable(path, ra, dec, system, equinox=None):
    from astropy.io.votable import from_table
    from astropy.io.votable.tree import CooSys
    from astropy.table import Table

    votable = from_table(Table({"name": [f"s{i}" for i in range(len(ra))], "RAJ2000": ra, "DEJ2000": dec}))
    votable.resources[0].coordinate_systems.append(CooSys(ID="sys", system=system, equinox=equinox))
    for field in votable.get_first_table().fields:
        if field.name in ("RAJ2000", "DEJ2000"):
            field.ref = "sys"
            field.ucd = "pos.eq.ra;meta.main" if field.name == "RAJ2000" else "pos.eq.dec;meta.main"
    votable.to_xml(str(path))
    return path


def test_votable_coosys_fk4_b1950_is_converted(tmp_path, registry):
    ra, dec = np.array([10.0, 200.5]), np.array([41.0, -30.25])
    path = _votable(tmp_path / "old.vot", ra, dec, "eq_FK4", "B1950")
    catalog = load_catalog(path, registry)
    want = SkyCoord(ra * u.deg, dec * u.deg, frame=FK4(equinox=Time("B1950"))).icrs
    assert catalog.sky_frame == "FK4 B1950.0"
    assert np.allclose(catalog.ra, want.ra.deg, atol=1e-9, rtol=0) and np.allclose(catalog.dec, want.dec.deg,
                                                                                      atol=1e-9, rtol=0)


def test_the_experiment_entry_wins_over_the_file(tmp_path, registry):
    ra, dec = np.array([10.0]), np.array([41.0])
    path = _votable(tmp_path / "says_fk4.vot", ra, dec, "eq_FK4", "B1950")
    catalog = registry.catalog_reader_for(path.name).read(path, style=CatalogStyle(name="c", sky_frame="icrs"))
    assert catalog.ra.tolist() == [10.0] and catalog.dec.tolist() == [41.0]


def test_fits_and_ecsv_metadata_name_the_frame(tmp_path, registry):
    from astropy.table import Table

    ra, dec = np.array([33.0, 34.0]), np.array([-5.0, -6.0])
    table = Table({"label": ["a", "b"], "ra": ra, "dec": dec})
    table.meta["RADESYS"] = "FK5"
    table.meta["EQUINOX"] = 1975.0
    table.write(tmp_path / "fk5.fits")
    catalog = load_catalog(tmp_path / "fk5.fits", registry)
    want = SkyCoord(ra * u.deg, dec * u.deg, frame=FK5(equinox=Time("J1975"))).icrs
    assert catalog.sky_frame == "FK5 J1975.0"
    assert np.allclose(catalog.ra, want.ra.deg, atol=1e-9, rtol=0)
    table.meta = {"frame": "galactic"}
    table.write(tmp_path / "gal.ecsv")
    catalog = load_catalog(tmp_path / "gal.ecsv", registry)
    want = SkyCoord(ra * u.deg, dec * u.deg, frame=Galactic()).icrs
    assert catalog.sky_frame == "galactic" and np.allclose(catalog.dec, want.dec.deg, atol=1e-9, rtol=0)


def test_an_unknown_frame_is_one_clear_error(tmp_path, registry):
    path = _write_csv(tmp_path / "c.csv", [1.0], [2.0])
    with pytest.raises(CatalogError) as caught:
        registry.catalog_reader_for(path.name).read(path, style=CatalogStyle(name="c", sky_frame="galactic J2000"))
    assert str(caught.value).startswith(f"{path}: sky frame: 'galactic J2000' is not a sky frame")


def test_experiment_catalog_entries_take_a_frame(tmp_path, registry):
    from imgmarker.kernel.experiment.loader import load_experiment
    from imgmarker.kernel.experiment.problems import ExperimentError

    (tmp_path / "images").mkdir()
    _write_csv(tmp_path / "b1950.csv", [10.0], [41.0])
    exp = tmp_path / "experiment.yaml"
    exp.write_text("schema_version: 1\nimages: {directory: images}\ngroups: [{name: g}]\n"
                   "catalogs:\n  - {path: b1950.csv, frame: fk4 B1950}\n", encoding="utf-8")
    experiment = load_experiment(exp, registry)
    assert experiment.catalogs[0].frame == "fk4 B1950"
    catalog = load_catalog(experiment.catalogs[0], registry)
    want = SkyCoord(10.0 * u.deg, 41.0 * u.deg, frame=FK4(equinox=Time("B1950"))).icrs
    assert abs(catalog.ra[0] - want.ra.deg) < 1e-9 and abs(catalog.dec[0] - want.dec.deg) < 1e-9
    exp.write_text("schema_version: 1\nimages: {directory: images}\ngroups: [{name: g}]\n"
                   "catalogs:\n  - {path: b1950.csv, frame: banana}\n", encoding="utf-8")
    with pytest.raises(ExperimentError) as caught:
        load_experiment(exp, registry)
    assert any("experiment.yaml:5: catalogs[0].frame: 'banana' does not match" in str(p)
               for p in caught.value.problems)
