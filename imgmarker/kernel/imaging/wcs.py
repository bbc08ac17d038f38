"""Pixel <-> sky for a displayed frame, always in ICRS.

Display pixels have row 0 at the top; FITS pixel y increases upward. A display point
(x, y) is FITS 0-based (x, H - 1 - y), passed through ``all_pix2world(..., 0)`` so SIP
and other distortions are included, then from the WCS's own celestial frame (FK5,
FK4, galactic, ecliptic, ...) to ICRS (:mod:`imgmarker.kernel.imaging.sky`); the
inverse takes ICRS to the native frame and uses ``all_world2pix`` with a tight
tolerance, so a round trip agrees to far better than 1e-6 px. A WCS whose frame
cannot be converted gives NaN, never numbers in the wrong frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from imgmarker.kernel.imaging.sky import SkyFrame, UnusableWcs, sky_frame

INVERSE_TOLERANCE = 1e-10


def display_to_fits(x: Any, y: Any, height: int) -> tuple[Any, Any]:
    return x, (height - 1) - np.asarray(y, dtype=float)


def fits_to_display(x: Any, y: Any, height: int) -> tuple[Any, Any]:
    return x, (height - 1) - np.asarray(y, dtype=float)


def _frame_or_none(wcs: Any) -> SkyFrame | None:
    try:
        return sky_frame(wcs)
    except UnusableWcs:
        return None


def pixel_to_native(wcs: Any, height: int, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Display pixel(s) -> (longitude, latitude) in the WCS's own frame, degrees."""
    frame = _frame_or_none(wcs)
    fx, fy = display_to_fits(np.asarray(x, dtype=float), y, height)
    a, b = wcs.all_pix2world(fx, fy, 0)
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (b, a) if frame is not None and frame.swapped else (a, b)


def pixel_to_world(wcs: Any, height: int, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Display pixel(s) -> ICRS (ra, dec) in degrees; works on scalars and arrays."""
    frame = _frame_or_none(wcs)
    fx, fy = display_to_fits(np.asarray(x, dtype=float), y, height)
    if frame is None:
        nan = np.full(np.broadcast(fx, fy).shape, np.nan)
        return nan, nan.copy()
    a, b = wcs.all_pix2world(fx, fy, 0)
    lon, lat = (b, a) if frame.swapped else (a, b)
    return frame.to_icrs(lon, lat)


def world_to_pixel(wcs: Any, height: int, ra: Any, dec: Any) -> tuple[np.ndarray, np.ndarray]:
    """ICRS (ra, dec) in degrees -> display pixel(s), the exact inverse of :func:`pixel_to_world`."""
    frame = _frame_or_none(wcs)
    ra = np.asarray(ra, dtype=float)
    dec = np.asarray(dec, dtype=float)
    if frame is None:
        nan = np.full(np.broadcast(ra, dec).shape, np.nan)
        return nan, nan.copy()
    lon, lat = frame.from_icrs(ra, dec)
    a, b = (lat, lon) if frame.swapped else (lon, lat)
    if wcs.sip is not None or getattr(wcs, "cpdis1", None) is not None or getattr(wcs, "det2im1", None) is not None:
        fx, fy = wcs.all_world2pix(a, b, 0, tolerance=INVERSE_TOLERANCE, maxiter=50, quiet=True)
    else:
        fx, fy = wcs.wcs_world2pix(a, b, 0)
    x, y = fits_to_display(np.asarray(fx, dtype=float), fy, height)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


# -- readouts and geometry for overlays --------------------------------------------


def _split(value: float, decimals: int, base_units: int) -> tuple[int, int, float]:
    """Whole units, minutes and seconds of a non-negative value, rounded once at the
    shown precision so seconds never read 60."""
    ticks = round(value * base_units * 10 ** decimals)  # in units of the last digit shown
    per_minute = 60 * 10 ** decimals
    per_unit = 60 * per_minute
    whole, rest = divmod(ticks, per_unit)
    minutes, seconds = divmod(rest, per_minute)
    return int(whole), int(minutes), seconds / 10 ** decimals


def format_ra_hms(ra: float, decimals: int = 2) -> str:
    hours, minutes, seconds = _split((float(ra) % 360.0) / 15.0, decimals, 3600)
    hours %= 24
    width = 3 + decimals if decimals else 2
    return f"{hours:02d}:{minutes:02d}:{seconds:0{width}.{decimals}f}"


def format_dec_dms(dec: float, decimals: int = 1) -> str:
    degrees, minutes, seconds = _split(abs(float(dec)), decimals, 3600)
    shown_zero = degrees == 0 and minutes == 0 and seconds == 0
    sign = "-" if float(dec) < 0 and not shown_zero else "+"
    width = 3 + decimals if decimals else 2
    return f"{sign}{degrees:02d}:{minutes:02d}:{seconds:0{width}.{decimals}f}"


def format_world(ra: float, dec: float, style: str = "sexagesimal", decimals: int | None = None) -> str:
    """Cursor readout: ``"12:30:49.42 +12:23:28.0"`` or ``"187.705917 +12.391111"``."""
    if style == "degrees":
        places = 6 if decimals is None else decimals
        dec_text = f"{float(dec):+.{places}f}"
        if float(dec_text) == 0:
            dec_text = "+" + dec_text[1:]
        ra_text = f"{float(ra) % 360.0:.{places}f}"
        if float(ra_text) >= 360.0:
            ra_text = f"{0.0:.{places}f}"
        return f"{ra_text} {dec_text}"
    if style != "sexagesimal":
        raise ValueError(f"unknown coordinate style {style!r} (degrees, sexagesimal)")
    places = 2 if decimals is None else decimals
    return f"{format_ra_hms(ra, places)} {format_dec_dms(dec, max(places - 1, 0))}"


def _local_offsets(wcs: Any, height: int, x: float, y: float, step: float = 0.5):
    """Sky offsets (east, north) in arcsec for one display pixel along +x and +y."""
    xs = np.array([x - step, x + step, x, x])
    ys = np.array([y, y, y - step, y + step])
    ra, dec = pixel_to_world(wcs, height, xs, ys)
    ra0, dec0 = pixel_to_world(wcs, height, x, y)
    cosd = np.cos(np.radians(float(dec0)))
    dra = (ra - float(ra0) + 180.0) % 360.0 - 180.0
    east = dra * cosd * 3600.0
    north = (dec - float(dec0)) * 3600.0
    along_x = np.array([east[1] - east[0], north[1] - north[0]]) / (2 * step)
    along_y = np.array([east[3] - east[2], north[3] - north[2]]) / (2 * step)
    return along_x, along_y


def pixel_scale(wcs: Any, height: int, x: float | None = None, y: float | None = None) -> float:
    """Local pixel scale in arcsec per display pixel (square root of the pixel's sky
    area), at (x, y) or the reference pixel."""
    if x is None or y is None:
        x, y = reference_display_pixel(wcs, height)
    along_x, along_y = _local_offsets(wcs, height, x, y)
    return float(np.sqrt(abs(along_x[0] * along_y[1] - along_x[1] * along_y[0])))


def reference_display_pixel(wcs: Any, height: int) -> tuple[float, float]:
    crpix = wcs.wcs.crpix
    return float(crpix[0] - 1.0), float((height - 1) - (crpix[1] - 1.0))


@dataclass(frozen=True)
class Orientation:
    """Where north and east point on screen at one pixel: unit vectors in display
    pixels (y down) and angles in degrees counter-clockwise from the screen's +x axis
    as the viewer sees it. ``mirrored`` is True when east is clockwise from north."""

    north: tuple[float, float]
    east: tuple[float, float]
    north_angle: float
    east_angle: float
    mirrored: bool


def orientation(wcs: Any, height: int, x: float | None = None, y: float | None = None) -> Orientation:
    if x is None or y is None:
        x, y = reference_display_pixel(wcs, height)
    along_x, along_y = _local_offsets(wcs, height, x, y)
    # columns: sky (east, north) per display pixel; invert to display per sky direction
    jac = np.column_stack([along_x, along_y])
    inv = np.linalg.inv(jac)
    east = inv[:, 0] / np.hypot(*inv[:, 0])
    north = inv[:, 1] / np.hypot(*inv[:, 1])

    def angle(v: np.ndarray) -> float:
        return float(np.degrees(np.arctan2(-v[1], v[0])) % 360.0)

    north_angle, east_angle = angle(north), angle(east)
    mirrored = ((east_angle - north_angle) % 360.0) > 180.0
    return Orientation((float(north[0]), float(north[1])), (float(east[0]), float(east[1])),
                       north_angle, east_angle, mirrored)


def describe(wcs: Any, height: int, width: int) -> dict[str, Any]:
    """Summary for ``imgmarker info``: projection, native frame, ICRS centre, scale and
    orientation (north and east of ICRS)."""
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    frame = sky_frame(wcs)
    ra, dec = pixel_to_world(wcs, height, cx, cy)
    lon, lat = pixel_to_native(wcs, height, cx, cy)
    orient = orientation(wcs, height, cx, cy)
    ctype = [str(t) for t in wcs.wcs.ctype]
    return {
        "ctype": ctype,
        "sip": wcs.sip is not None,
        "frame": frame.name,
        "native_names": [frame.lon_name, frame.lat_name],
        "native_centre": [float(lon), float(lat)],
        "centre_ra": float(ra),
        "centre_dec": float(dec),
        "centre": format_world(float(ra), float(dec)),
        "pixel_scale_arcsec": pixel_scale(wcs, height, cx, cy),
        "north_angle_deg": orient.north_angle,
        "east_angle_deg": orient.east_angle,
        "mirrored": orient.mirrored,
    }
