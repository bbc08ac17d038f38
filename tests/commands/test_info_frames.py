"""``imgmarker info`` names the WCS's own frame and gives ICRS; galactic l, b are never
printed as RA, Dec."""

from __future__ import annotations

import json

import numpy as np
from astropy import units as u
from astropy.coordinates import FK4, Galactic, SkyCoord
from astropy.time import Time

from datamakers import sky_header, write_fits
from imgmarker.cli import main
from imgmarker.kernel.imaging.wcs import format_world

HEIGHT, WIDTH = 48, 64


def _image(tmp_path, name, **spec):
    return write_fits(tmp_path / name, np.zeros((HEIGHT, WIDTH), np.float32), sky_header(**spec))


def test_galactic_image_prints_l_b_as_l_b_and_the_centre_in_icrs(tmp_path, capsys):
    path = _image(tmp_path, "gal.fits", ctype=("GLON-TAN", "GLAT-TAN"), crval=(120.0, 5.0))
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    centre = SkyCoord(120.0 * u.deg, 5.0 * u.deg, frame=Galactic()).icrs
    assert ("WCS GLON-TAN/GLAT-TAN in galactic, galactic l, b 120.000000 +5.000000 deg at the centre, "
            f"centre RA, Dec (ICRS) {format_world(centre.ra.deg, centre.dec.deg)}, ") in out
    assert "RA, Dec 120" not in out and "RA, Dec (ICRS) 120" not in out


def test_pixel_and_world_conversion_on_an_fk4_image(tmp_path, capsys):
    path = _image(tmp_path, "b1950.fits", RADESYS="FK4", EQUINOX=1950.0)
    assert main(["info", str(path), "--pix", "10", "20"]) == 0
    out = capsys.readouterr().out
    assert "in FK4 B1950.0, FK4 B1950.0 RA, Dec 150.000000 +2.000000 deg at the centre" in out
    line = [x for x in out.splitlines() if x.startswith("  pixel (10.000000, 20.000000)")][0]
    from astropy.wcs import WCS

    lon, lat = WCS(sky_header(RADESYS="FK4", EQUINOX=1950.0)).all_pix2world(10.0, HEIGHT - 1 - 20.0, 0)
    icrs = SkyCoord(float(lon) * u.deg, float(lat) * u.deg, frame=FK4(equinox=Time("B1950"))).icrs
    assert f"= RA, Dec (ICRS) {format_world(icrs.ra.deg, icrs.dec.deg, 'degrees')} deg" in line
    assert line.endswith(f"= FK4 B1950.0 RA, Dec {float(lon):.6f} {float(lat):+.6f} deg")
    # and back: the ICRS position gives the pixel again
    assert main(["info", str(path), "--world", repr(float(icrs.ra.deg)), repr(float(icrs.dec.deg)), "--json"]) == 0
    point = json.loads(capsys.readouterr().out)["points"][0]
    assert abs(point["x"] - 10.0) < 1e-6 and abs(point["y"] - 20.0) < 1e-6
    assert point["native"]["frame"] == "FK4 B1950.0" and point["native"]["names"] == ["RA", "Dec"]


def test_json_report_names_the_frame(tmp_path, capsys):
    path = _image(tmp_path, "sgal.fits", ctype=("SLON-TAN", "SLAT-TAN"), crval=(100.0, -20.0))
    assert main(["info", str(path), "--json"]) == 0
    wcs = json.loads(capsys.readouterr().out)["frames"][0]["wcs"]
    assert wcs["frame"] == "supergalactic" and wcs["native_names"] == ["SGL", "SGB"]
    assert np.allclose(wcs["native_centre"], [100.0, -20.0], atol=1e-9)
