"""Every celestial frame becomes ICRS in what a user reads: the marks and images CSV,
the DS9 regions, the VOTable; and the way back (sky -> pixel) is the exact inverse.

Headers are generated here in each frame; the expected values come from astropy's
SkyCoord with the frame the FITS standard gives for the header, written out by hand
(not taken from the code under test).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import (FK4, FK5, ICRS, TETE, BarycentricMeanEcliptic, FK4NoETerms, Galactic, SkyCoord,
                                 Supergalactic)
from astropy.time import Time
from astropy.wcs import WCS

from datamakers import sky_header, write_fits
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.imaging.wcs import pixel_to_world, world_to_pixel
from imgmarker.kernel.plugins.host import create_plugin_host

HEIGHT, WIDTH = 48, 64
EQ = ("RA---TAN", "DEC--TAN")

#: name -> (header, the frame the FITS standard says the header is in)
CASES = {
    "galactic": (dict(ctype=("GLON-TAN", "GLAT-TAN"), crval=(120.0, 5.0)), Galactic()),
    "fk4 B1950 (RADESYS)": (dict(ctype=EQ, RADESYS="FK4", EQUINOX=1950.0), FK4(equinox=Time("B1950"))),
    "fk4 B1950 (EQUINOX only)": (dict(ctype=EQ, EQUINOX=1950.0), FK4(equinox=Time("B1950"))),
    "fk4 (RADESYS only: B1950)": (dict(ctype=EQ, RADESYS="FK4"), FK4(equinox=Time("B1950"))),
    "fk4 observed 1990": (dict(ctype=EQ, RADESYS="FK4", EQUINOX=1950.0, DATE_OBS="1990-06-01T00:00:00"),
                          FK4(equinox=Time("B1950"), obstime=Time("1990-06-01T00:00:00"))),
    "fk4 without E-terms": (dict(ctype=EQ, RADESYS="FK4-NO-E", EQUINOX=1950.0), FK4NoETerms(equinox=Time("B1950"))),
    "fk5 J2000 (RADESYS)": (dict(ctype=EQ, RADESYS="FK5", EQUINOX=2000.0), FK5(equinox=Time("J2000"))),
    "fk5 J2000 (EQUINOX only)": (dict(ctype=EQ, EQUINOX=2000.0), FK5(equinox=Time("J2000"))),
    "fk5 (RADESYS only: J2000)": (dict(ctype=EQ, RADESYS="FK5"), FK5(equinox=Time("J2000"))),
    "fk5 J1975": (dict(ctype=EQ, RADESYS="FK5", EQUINOX=1975.0), FK5(equinox=Time("J1975"))),
    "equinox 1983.5 is FK4": (dict(ctype=EQ, EQUINOX=1983.5), FK4(equinox=Time(1983.5, format="byear"))),
    "equinox 1984 is FK5": (dict(ctype=EQ, EQUINOX=1984.0), FK5(equinox=Time(1984.0, format="jyear"))),
    "apparent place on a date": (dict(ctype=EQ, RADESYS="GAPPT", DATE_OBS="2020-01-01T00:00:00"),
                                 TETE(obstime=Time("2020-01-01T00:00:00"))),
    "ecliptic": (dict(ctype=("ELON-TAN", "ELAT-TAN"), crval=(151.0, -9.0)), BarycentricMeanEcliptic()),
    "supergalactic": (dict(ctype=("SLON-TAN", "SLAT-TAN"), crval=(100.0, -20.0)), Supergalactic()),
    "icrs (nothing said)": (dict(ctype=EQ), ICRS()),
    "icrs (RADESYS, EQUINOX ignored)": (dict(ctype=EQ, RADESYS="ICRS", EQUINOX=1950.0), ICRS()),
    "latitude first": (dict(ctype=("DEC--TAN", "RA---TAN"), crval=(2.0, 150.0)), ICRS()),
}
POINTS = [(10.25, 33.75), (0.0, 0.0), (63.0, 47.0)]


def expected_icrs(header, frame, x: float, y: float) -> tuple[float, float]:
    """ICRS of display pixel (x, y): FITS 0-based (x, H - 1 - y), then astropy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = WCS(header)
    a, b = w.all_pix2world(x, HEIGHT - 1 - y, 0)
    lon, lat = (b, a) if header["CTYPE1"].startswith("DEC") else (a, b)
    c = SkyCoord(float(lon) * u.deg, float(lat) * u.deg, frame=frame).icrs
    return c.ra.deg, c.dec.deg


def same_angle(a: float, b: float, tol: float = 1e-9) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) <= tol


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """One campaign with an image per frame, a mark on each at several pixels, and the
    last image only looked at (no mark)."""
    folder = tmp_path_factory.mktemp("frames")
    images = folder / "images"
    images.mkdir()
    names = {}
    for i, (case, (spec, _)) in enumerate(CASES.items()):
        name = f"f{i:02d}.fits"
        write_fits(images / name, np.zeros((HEIGHT, WIDTH), np.float32), sky_header(**spec))
        names[case] = name
    write_fits(images / "zz_seen_only.fits", np.zeros((HEIGHT, WIDTH), np.float32),
               sky_header(ctype=("GLON-TAN", "GLAT-TAN"), crval=(30.0, -2.0)))
    (folder / "experiment.yaml").write_text(
        "schema_version: 1\nimages: {directory: images}\ngroups: [{name: galaxy}]\n"
        "output: {writers: [csv, votable, ds9]}\n", encoding="utf-8")
    host = create_plugin_host(autoload=False)
    with Session.open(folder / "experiment.yaml", user="ana", host=host, export_delay=None) as s:
        position = {e.name: e.position for e in s.entries}
        for case, name in names.items():
            s.go_to(position[name])
            for x, y in POINTS:
                s.add_mark(x, y, "galaxy", label=f"{case} {x} {y}")
        s.go_to(position["zz_seen_only.fits"])
        s.next()  # the last image: stays, and counts as seen
        notes = list(s.notes)
    return folder, names, notes


@pytest.mark.parametrize("case", list(CASES))
def test_marks_csv_holds_icrs_of_every_frame(exported, case):
    import pandas as pd

    folder, names, _ = exported
    spec, frame = CASES[case]
    header = sky_header(**spec)
    marks = pd.read_csv(folder / "results" / "ana_marks.csv", keep_default_na=False,
                        na_values={"RA": [""], "DEC": [""]}, dtype={"label": str, "image": str, "group": str})
    rows = marks[marks.image == names[case]]
    assert len(rows) == len(POINTS)
    for row in rows.itertuples():
        ra, dec = expected_icrs(header, frame, row.x, row.y)
        assert same_angle(row.RA, ra) and abs(row.DEC - dec) <= 1e-9, (case, row.RA, ra, row.DEC, dec)


def test_every_seen_image_has_its_icrs_centre_in_the_images_csv(exported):
    import pandas as pd

    folder, names, _ = exported
    images = pd.read_csv(folder / "results" / "ana_images.csv", keep_default_na=False,
                         na_values={"RA": [""], "DEC": [""]}, dtype={"image": str, "categories": str})
    by_name = {row.image: row for row in images.itertuples()}
    centre = ((WIDTH - 1) / 2, (HEIGHT - 1) / 2)
    for case, name in names.items():
        spec, frame = CASES[case]
        ra, dec = expected_icrs(sky_header(**spec), frame, *centre)
        assert same_angle(by_name[name].RA, ra) and abs(by_name[name].DEC - dec) <= 1e-9, case
    # seen, never marked
    ra, dec = expected_icrs(sky_header(ctype=("GLON-TAN", "GLAT-TAN"), crval=(30.0, -2.0)), Galactic(), *centre)
    seen = by_name["zz_seen_only.fits"]
    assert same_angle(seen.RA, ra) and abs(seen.DEC - dec) <= 1e-9


def test_ds9_regions_are_icrs_with_the_csv_values(exported):
    import pandas as pd
    from regions import PointSkyRegion, Regions

    folder, _, _ = exported
    text = (folder / "results" / "ana_regions.reg").read_text(encoding="utf-8")
    systems = [line for line in text.splitlines() if line and not line.startswith(("#", "point("))]
    assert systems == ["icrs"]  # one coordinate system for every mark, whatever the image's frame
    regions = Regions.read(str(folder / "results" / "ana_regions.reg"), format="ds9")
    marks = pd.read_csv(folder / "results" / "ana_marks.csv", keep_default_na=False, dtype={"label": str})
    by_label = {row.label: row for row in marks.itertuples()}
    assert len(regions) == len(marks)
    for region in regions:
        assert isinstance(region, PointSkyRegion) and region.center.frame.name == "icrs"
        row = by_label[region.meta["text"]]
        assert (region.center.ra.deg, region.center.dec.deg) == (row.RA, row.DEC)


def test_votable_says_icrs_and_holds_the_csv_values(exported):
    import pandas as pd
    from astropy.io.votable import parse

    folder, _, _ = exported
    vot = parse(str(folder / "results" / "ana_marks.xml"))
    (system,) = list(vot.iter_coosys())
    assert system.system == "ICRS"
    fields = {f.name: f for f in vot.get_first_table().fields}
    assert fields["RA"].ref == system.ID and fields["DEC"].ref == system.ID
    table = vot.get_first_table().to_table()
    marks = pd.read_csv(folder / "results" / "ana_marks.csv", keep_default_na=False, dtype={"label": str})
    by_label = {row.label: row for row in marks.itertuples()}
    for row in table:
        csv_row = by_label[str(row["label"])]
        assert (float(row["RA"]), float(row["DEC"])) == (csv_row.RA, csv_row.DEC)


def test_a_frame_that_converts_needs_no_note(exported):
    _, _, notes = exported
    assert notes == []


@pytest.mark.parametrize("case", list(CASES))
def test_sky_to_pixel_is_the_exact_inverse_in_every_frame(case):
    spec, frame = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wcs = WCS(sky_header(**spec))
    rng = np.random.default_rng(3)
    x = rng.uniform(-5, WIDTH + 5, 200)
    y = rng.uniform(-5, HEIGHT + 5, 200)
    ra, dec = pixel_to_world(wcs, HEIGHT, x, y)
    bx, by = world_to_pixel(wcs, HEIGHT, ra, dec)
    assert np.max(np.hypot(bx - x, by - y)) < 1e-6
    # and the forward values are astropy's, point by point
    for i in range(0, 200, 40):
        want = expected_icrs(sky_header(**spec), frame, x[i], y[i])
        assert same_angle(ra[i], want[0]) and abs(dec[i] - want[1]) <= 1e-9


def test_helioecliptic_and_unknown_systems_give_no_numbers():
    from imgmarker.kernel.imaging.sky import UnusableWcs, sky_frame

    for spec in (dict(ctype=("HLON-TAN", "HLAT-TAN")), dict(ctype=EQ, RADESYS="GAPPT")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wcs = WCS(sky_header(**spec))
        with pytest.raises(UnusableWcs):
            sky_frame(wcs)
        ra, dec = pixel_to_world(wcs, HEIGHT, 3.0, 4.0)
        assert np.isnan(ra) and np.isnan(dec)


def test_background_export_fills_the_centres_of_images_only_looked_at(tmp_path, host):
    import pandas as pd
    from session_fakes import CRVAL, load, make_campaign

    exp = load(make_campaign(tmp_path, "groups: [{name: g}]\noutput: {writers: [csv]}\n", n=4, wcs=True), host)
    with Session.open(exp, user="ana", host=host, export_delay=0.05) as s:
        for _ in range(3):
            s.next()  # looked at, never marked: no image was opened by the session
        assert s.wait_for_export(10)
        images = pd.read_csv(tmp_path / "results" / "ana_images.csv", keep_default_na=False,
                             na_values={"RA": [""], "DEC": [""]})
        assert len(images) == 3
        assert np.allclose(images.RA, CRVAL[0], atol=0.01) and np.allclose(images.DEC, CRVAL[1], atol=0.01)


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][0]["ctype"][0][:4] in ("RA--", "DEC-", "GLON")
                                  and "DATE_OBS" not in CASES[c][0] and "GAPPT" not in str(CASES[c][0])])
def test_equatorial_and_galactic_frames_are_astropys_own_choice(case):
    """For the frames astropy's wcs_to_celestial_frame handles, imgmarker picks the same."""
    from astropy.wcs.utils import wcs_to_celestial_frame

    from imgmarker.kernel.imaging.sky import sky_frame

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wcs = WCS(sky_header(**CASES[case][0]))
    assert sky_frame(wcs).astropy_frame.is_equivalent_frame(wcs_to_celestial_frame(wcs))
