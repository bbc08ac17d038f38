"""Display pixel <-> sky against hand-computed projections, and readout formatting."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from astropy.wcs import WCS

from datamakers import tan_header
from imgmarker.kernel.imaging.wcs import (
    format_dec_dms,
    format_ra_hms,
    format_world,
    orientation,
    pixel_scale,
    pixel_to_world,
    world_to_pixel,
)

HEIGHT, WIDTH = 48, 64


def _wcs(header):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return WCS(header)


def _gnomonic(header, x, y, sip=None):
    """Sky position of display pixel (x, y), computed from the FITS paper formulas."""
    px, py = x + 1.0, (HEIGHT - 1 - y) + 1.0  # 1-based FITS pixel, y up
    u, v = px - header["CRPIX1"], py - header["CRPIX2"]
    if sip:
        du = sum(c * u ** int(k[2]) * v ** int(k[4]) for k, c in sip.items() if k[0] == "A")
        dv = sum(c * u ** int(k[2]) * v ** int(k[4]) for k, c in sip.items() if k[0] == "B")
        u, v = u + du, v + dv
    xi = math.radians(header["CD1_1"] * u + header["CD1_2"] * v)
    eta = math.radians(header["CD2_1"] * u + header["CD2_2"] * v)
    ra0, dec0 = math.radians(header["CRVAL1"]), math.radians(header["CRVAL2"])
    denom = math.cos(dec0) - eta * math.sin(dec0)
    ra = ra0 + math.atan2(xi, denom)
    dec = math.atan2(eta * math.cos(dec0) + math.sin(dec0), math.hypot(xi, denom))
    return math.degrees(ra) % 360.0, math.degrees(dec)


POINTS = [(0.0, 0.0), (63.0, 47.0), (10.25, 33.75), (-5.5, 60.0), (31.5, 23.5)]


@pytest.mark.parametrize("x, y", POINTS)
@pytest.mark.parametrize("dec0, rotation", [(2.0, 0.0), (-45.0, 30.0), (80.0, -120.0)])
def test_tan_matches_hand_computation(x, y, dec0, rotation):
    header = tan_header(WIDTH, HEIGHT, ra=150.0, dec=dec0, scale_arcsec=1.5, rotation_deg=rotation,
                        crpix=(20.5, 30.25))
    ra, dec = pixel_to_world(_wcs(header), HEIGHT, x, y)
    expected = _gnomonic(header, x, y)
    assert float(ra) == pytest.approx(expected[0], abs=1e-9)
    assert float(dec) == pytest.approx(expected[1], abs=1e-9)


SIP = {"A_2_0": 2e-4, "A_1_1": -1e-4, "B_0_2": 1.5e-4, "B_2_0": 5e-5}


@pytest.mark.parametrize("x, y", POINTS)
def test_sip_matches_hand_computation(x, y):
    header = tan_header(WIDTH, HEIGHT, ra=10.0, dec=-20.0, scale_arcsec=2.0, sip=SIP)
    wcs = _wcs(header)
    assert wcs.sip is not None
    ra, dec = pixel_to_world(wcs, HEIGHT, x, y)
    expected = _gnomonic(header, x, y, SIP)
    assert float(ra) == pytest.approx(expected[0], abs=1e-9)
    assert float(dec) == pytest.approx(expected[1], abs=1e-9)


@pytest.mark.parametrize("sip", [None, SIP])
def test_round_trip_is_within_a_millionth_of_a_pixel(sip):
    header = tan_header(WIDTH, HEIGHT, ra=359.99, dec=-0.01, scale_arcsec=2.0, rotation_deg=17.0, sip=sip)
    wcs = _wcs(header)
    xs, ys = np.meshgrid(np.linspace(-10, WIDTH + 10, 9), np.linspace(-10, HEIGHT + 10, 7))
    ra, dec = pixel_to_world(wcs, HEIGHT, xs, ys)
    bx, by = world_to_pixel(wcs, HEIGHT, ra, dec)
    assert np.abs(bx - xs).max() < 1e-6
    assert np.abs(by - ys).max() < 1e-6


def test_display_row_zero_is_the_top_fits_row():
    header = tan_header(WIDTH, HEIGHT, ra=150.0, dec=2.0)
    # north up: the top row of the screen is further north than the bottom row
    _, dec_top = pixel_to_world(_wcs(header), HEIGHT, 10.0, 0.0)
    _, dec_bottom = pixel_to_world(_wcs(header), HEIGHT, 10.0, HEIGHT - 1.0)
    assert dec_top > dec_bottom


@pytest.mark.parametrize("value, text", [
    (0.0, "00:00:00.00"), (359.99999999, "00:00:00.00"), (15 * 1.9999999999, "02:00:00.00"),
    (187.70592, "12:30:49.42"), (15 * (59 / 60 + 59.996 / 3600), "01:00:00.00"),
])
def test_ra_sexagesimal_never_shows_sixty_seconds(value, text):
    assert format_ra_hms(value) == text


@pytest.mark.parametrize("value, text", [
    (-0.5, "-00:30:00.0"), (-0.0001, "-00:00:00.4"), (-1e-9, "+00:00:00.0"), (0.0, "+00:00:00.0"),
    (12.391111, "+12:23:28.0"), (-29.99999999, "-30:00:00.0"), (89.999999, "+90:00:00.0"),
    (-(10 + 59 / 60 + 59.97 / 3600), "-11:00:00.0"),
])
def test_dec_sign_and_rounding(value, text):
    assert format_dec_dms(value) == text


def test_degree_readout():
    assert format_world(187.7059167, -0.0000001, "degrees") == "187.705917 +0.000000"
    assert format_world(-10.0, -5.25, "degrees") == "350.000000 -5.250000"
    assert format_world(187.70592, 12.391111) == "12:30:49.42 +12:23:28.0"


@pytest.mark.parametrize("dec0", [0.0, 60.0, -75.0])
def test_pixel_scale_in_arcsec(dec0):
    header = tan_header(WIDTH, HEIGHT, ra=40.0, dec=dec0, scale_arcsec=0.396, rotation_deg=25.0)
    assert pixel_scale(_wcs(header), HEIGHT) == pytest.approx(0.396, rel=1e-6)


@pytest.mark.parametrize("rotation", [0.0, 30.0, -75.0])
def test_north_and_east_angles(rotation):
    # CROTA-style rotation turns north by the same angle counter-clockwise on screen
    header = tan_header(WIDTH, HEIGHT, ra=40.0, dec=10.0, rotation_deg=rotation)
    o = orientation(_wcs(header), HEIGHT)
    assert o.north_angle == pytest.approx((90.0 + rotation) % 360.0, abs=1e-4)
    assert o.east_angle == pytest.approx((180.0 + rotation) % 360.0, abs=1e-4)
    assert not o.mirrored


def test_unrotated_north_points_up_on_screen_and_mirror_is_detected():
    header = tan_header(WIDTH, HEIGHT, ra=40.0, dec=10.0)
    o = orientation(_wcs(header), HEIGHT)
    assert o.north == pytest.approx((0.0, -1.0), abs=1e-6)  # y down on screen
    assert o.east == pytest.approx((-1.0, 0.0), abs=1e-6)
    header["CD1_1"] = -header["CD1_1"]  # east to the right: a mirrored sky
    assert orientation(_wcs(header), HEIGHT).mirrored
