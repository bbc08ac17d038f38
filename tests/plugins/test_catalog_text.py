"""Delimited text catalogs: delimiters, column names, encodings, bad rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from imgmarker.kernel.catalogs.model import CatalogError, load_catalog
from imgmarker.kernel.experiment.config import CatalogConfig
from imgmarker.kernel.plugins.host import create_plugin_host

SAMPLES = Path("/work/shared/data/catalogs")


@pytest.fixture(scope="module")
def registry():
    return create_plugin_host(autoload=False).registry


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*")), ids=lambda p: p.name)
def test_sample_catalogs_load(path, registry):
    lines = path.read_text().splitlines()
    header = [h.strip().lower() for h in lines[0].split(",")]
    first = lines[1].split(",")
    catalog = load_catalog(path, registry)
    assert len(catalog) == len(lines) - 1
    assert catalog.problems == ()
    assert catalog.label[0] == first[0]
    if "x" in header:
        assert (catalog.x[0], catalog.y[0]) == (float(first[header.index("x")]), float(first[header.index("y")]))
    else:
        assert catalog.ra[0] == pytest.approx(float(first[header.index("ra")]), abs=1e-12)
        assert catalog.dec[0] == pytest.approx(float(first[header.index("dec")]), abs=1e-12)
    if "size(arcsec)" in header:
        assert set(catalog.size_unit) == {"arcsec"}
        assert catalog.size[0] == float(first[header.index("size(arcsec)")])
    elif "size(px)" in header:
        assert set(catalog.size_unit) == {"px"}
        assert catalog.size[0] == float(first[header.index("size(px)")])


@pytest.mark.parametrize("delimiter", [",", "\t", "|", ";", " ", "   "],
                         ids=["comma", "tab", "pipe", "semicolon", "space", "spaces"])
def test_every_delimiter(tmp_path, registry, delimiter):
    rows = [("label", "ra", "dec", "size"), ("first", "10.5", "-20.25", "4"), ("second", "11.5", "-21.25", "5")]
    path = write(tmp_path, "cat.txt", "\n".join(delimiter.join(r) for r in rows) + "\n")
    catalog = load_catalog(path, registry)
    assert catalog.label == ("first", "second")
    np.testing.assert_allclose(catalog.ra, [10.5, 11.5])
    np.testing.assert_allclose(catalog.dec, [-20.25, -21.25])
    np.testing.assert_allclose(catalog.size, [4, 5])


def test_pipe_table_with_outer_pipes_and_quoted_comma_labels(tmp_path, registry):
    path = write(tmp_path, "cat.txt", "| label | x | y |\n| a, b | 1 | 2 |\n| c | 3 | 4 |\n")
    catalog = load_catalog(path, registry)
    assert catalog.label == ("a, b", "c")
    np.testing.assert_allclose(catalog.x, [1, 3])
    quoted = write(tmp_path, "q.csv", 'label,x,y\n"Star, bright",5,6\n')
    assert load_catalog(quoted, registry).label == ("Star, bright",)


@pytest.mark.parametrize("ra_name,dec_name", [
    ("ra", "dec"), ("RA", "DEC"), ("Ra", "Dec"), ("RAJ2000", "DEJ2000"), ("RAJ2000", "DECJ2000"),
    ("_RAJ2000", "_DEJ2000"), ("RA_J2000", "DEC_J2000"), (" RA ", " Dec "), ("ra_deg", "dec_deg"),
    ("ALPHA_J2000", "DELTA_J2000"), ("RA_ICRS", "DE_ICRS"),
])
def test_sky_column_names(tmp_path, registry, ra_name, dec_name):
    path = write(tmp_path, "cat.csv", f"label,{ra_name},{dec_name}\ns,150.25,2.5\n")
    catalog = load_catalog(path, registry)
    assert (catalog.ra[0], catalog.dec[0]) == (150.25, 2.5)
    assert catalog.attributes == {}


@pytest.mark.parametrize("x_name,y_name", [("x", "y"), ("X", "Y"), (" x ", " y "), ("X_IMAGE", "Y_IMAGE")])
def test_pixel_column_names(tmp_path, registry, x_name, y_name):
    path = write(tmp_path, "cat.csv", f"{x_name},{y_name}\n12.5,40.25\n")
    catalog = load_catalog(path, registry)
    assert (catalog.x[0], catalog.y[0]) == (12.5, 40.25)


@pytest.mark.parametrize("size_name,config_unit,unit", [
    ("size(px)", "arcsec", "px"), ("Size (px)", "arcsec", "px"), ("size_px", "arcsec", "px"),
    ("size(arcsec)", "px", "arcsec"), ("SIZE(ARCSEC)", "px", "arcsec"), ("size [arcsec]", "px", "arcsec"),
    ("size", "px", "px"), ("size", "arcsec", "arcsec"),
])
def test_size_columns(tmp_path, registry, size_name, config_unit, unit):
    path = write(tmp_path, "cat.csv", f"x,y,{size_name}\n1,2,7.5\n3,4,\n")
    config = CatalogConfig(path=path, name="c", color="#FF0000", shape="square", size=11.0,
                           size_unit=config_unit, label_column="label", visible=True)
    catalog = load_catalog(config, registry)
    assert catalog.size[0] == 7.5 and catalog.size_unit[0] == unit
    # a blank size falls back to the catalog's configured size and unit
    assert catalog.size[1] == 11.0 and catalog.size_unit[1] == config_unit


def test_other_recognised_and_unknown_columns(tmp_path, registry):
    path = write(tmp_path, "cat.csv",
                 "Image,Label,Group,x,y,Colour,Frame,z_phot,Comment\n"
                 "a.fits,gal,BCG,1,2,#FF00FF,1,0.31,nice\n"
                 "b.fits,star,,3,4,,,0.02,\n")
    catalog = load_catalog(path, registry)
    assert catalog.image == ("a.fits", "b.fits")
    assert catalog.label == ("gal", "star")
    assert catalog.group == ("BCG", "")
    assert catalog.color == ("#FF00FF", "#00FFFF")
    assert catalog.frame.tolist() == [1, -1]
    assert catalog.row_attributes(0) == {"z_phot": "0.31", "Comment": "nice"}
    assert catalog.row(1).frame is None and catalog.row(1).attributes["z_phot"] == "0.02"


def test_label_column_from_config_and_name_fallback(tmp_path, registry):
    path = write(tmp_path, "cat.csv", "objid,name,ra,dec\n17,M31,10.68,41.27\n")
    config = CatalogConfig(path=path, name="c", color="#FF0000", shape="circle", size=15.0,
                           size_unit="px", label_column="objid", visible=True)
    assert load_catalog(config, registry).label == ("17",)
    assert load_catalog(path, registry).label == ("M31",)


@pytest.mark.parametrize("ra_text,dec_text", [
    ("00:42:44.33", "+41:16:07.5"),
    ("00 42 44.33", "+41 16 07.5"),
    ("00h42m44.33s", "+41d16m07.5s"),
])
def test_sexagesimal_coordinates(tmp_path, registry, ra_text, dec_text):
    path = write(tmp_path, "cat.csv", f"label;ra;dec\nM31;{ra_text};{dec_text}\nsouth;23:59:59.9;-00:30:00\n")
    catalog = load_catalog(path, registry)
    expected = SkyCoord("00h42m44.33s", "+41d16m07.5s")
    assert catalog.ra[0] == pytest.approx(expected.ra.deg, abs=1e-9)
    assert catalog.dec[0] == pytest.approx(expected.dec.deg, abs=1e-9)
    south = SkyCoord("23h59m59.9s", "-0d30m00s")
    assert catalog.ra[1] == pytest.approx(south.ra.deg, abs=1e-9)
    assert catalog.dec[1] == pytest.approx(-0.5, abs=1e-12)


def test_sexagesimal_ra_given_in_degrees(tmp_path, registry):
    path = write(tmp_path, "cat.csv", "ra,dec\n10d41m,41d16m\n")
    catalog = load_catalog(path, registry)
    assert catalog.ra[0] == pytest.approx((10 + 41 / 60), abs=1e-9)


def test_utf8_with_and_without_bom(tmp_path, registry):
    text = "label,ra,dec\nÉtoile,1.5,2.5\n"
    with_bom = load_catalog(write(tmp_path, "bom.csv", text, "utf-8-sig"), registry)
    without = load_catalog(write(tmp_path, "plain.csv", text), registry)
    assert with_bom.label == without.label == ("Étoile",)
    assert with_bom.attributes == {}


def test_a_windows_1252_catalog_is_read_with_one_line_saying_so(tmp_path, registry):
    path = write(tmp_path, "windows.csv", "label,ra,dec\nÉtoile – Abell 2151,1.5,2.5\n", "cp1252")
    catalog = load_catalog(path, registry)
    assert list(catalog.label) == ["Étoile – Abell 2151"]
    assert catalog.problems[0] == "windows.csv: not UTF-8 (byte 0xc9 at offset 13); read as Windows-1252"


@pytest.mark.parametrize("raw", [b"label,ra,dec\n\x81bad,1.5,2.5\n", b"label,ra,dec\n\xff\x00\x00\x01,1,2\n"])
def test_a_catalog_neither_utf8_nor_windows_1252_is_one_error_naming_the_file(tmp_path, registry, raw):
    path = tmp_path / "binary.csv"
    path.write_bytes(raw)
    with pytest.raises(CatalogError, match="binary.csv.*not UTF-8 text"):
        load_catalog(path, registry)


def test_bad_rows_reported_with_file_and_line_and_skipped(tmp_path, registry):
    path = write(tmp_path, "bad.csv",
                 "label,x,y,ra,dec\n"
                 "# a comment line\n"
                 "good,1,2,,\n"
                 "nonnumeric,abc,2,,\n"
                 "\n"
                 "nothing,,,,\n"
                 "short,1\n"
                 "sky,,,10.5,-5\n"
                 "baddec,,,10.5,-95\n"
                 "badra,,,ten,-5\n")
    catalog = load_catalog(path, registry)
    assert catalog.label == ("good", "sky")
    assert catalog.lines.tolist() == [3, 8]
    text = "\n".join(catalog.problems)
    assert "bad.csv:4: x: 'abc' is not a number" in text
    assert "bad.csv:6: no position" in text
    assert "bad.csv:7: has 2 fields, the header has 5" in text
    assert "bad.csv:9: dec: -95 is outside -90..90" in text
    assert "bad.csv:10: ra: 'ten' is not a number" in text
    assert len(catalog.problems) == 5


def test_file_without_coordinate_columns_is_one_error(tmp_path, registry):
    path = write(tmp_path, "nocoords.csv", "label,magnitude\na,12\nb,13\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(path, registry)
    message = str(info.value)
    assert "nocoords.csv" in message and "no usable coordinate columns" in message and "'magnitude'" in message


def test_file_where_no_row_is_usable_is_one_error(tmp_path, registry):
    path = write(tmp_path, "allbad.csv", "x,y\na,b\nc,d\n")
    with pytest.raises(CatalogError, match=r"allbad.csv: no usable rows.*allbad.csv:2"):
        load_catalog(path, registry)


def test_unknown_suffix_and_missing_file(tmp_path, registry):
    with pytest.raises(CatalogError, match="cat.xyz.*no catalog reader"):
        load_catalog(tmp_path / "cat.xyz", registry)
    with pytest.raises(CatalogError, match="missing.csv: no such file"):
        load_catalog(tmp_path / "missing.csv", registry)


def test_large_catalog_loads(tmp_path, registry):
    rng = np.random.default_rng(1)
    ra, dec = rng.uniform(0, 360, 20000), rng.uniform(-80, 80, 20000)
    lines = ["ra,dec,label"] + [f"{r:.8f},{d:.8f},s{i}" for i, (r, d) in enumerate(zip(ra, dec))]
    catalog = load_catalog(write(tmp_path, "big.csv", "\n".join(lines)), registry)
    assert len(catalog) == 20000
    np.testing.assert_allclose(catalog.ra, ra, atol=1e-8)
    assert catalog.label[-1] == "s19999"
