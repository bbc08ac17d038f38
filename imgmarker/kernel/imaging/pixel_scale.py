"""How many arcseconds one displayed pixel covers, where it is.

Arcsecond sizes (of catalog sources, of mark groups) and the scale bar need the local
scale: with distortion (SIP) or wide fields it varies across the image. It is taken
from the Jacobian of the full pixel -> sky transform, by central differences on unit
vectors so RA = 0/360 and the poles need no special case.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from imgmarker.kernel.imaging.wcs import pixel_to_world

ARCSEC_PER_RADIAN = 180.0 / np.pi * 3600.0
_STEP = 0.5


def unit_vectors(ra: Any, dec: Any) -> np.ndarray:
    """(..., 3) unit vectors for RA/Dec in degrees."""
    ra_r = np.radians(np.asarray(ra, dtype=float))
    dec_r = np.radians(np.asarray(dec, dtype=float))
    cos_dec = np.cos(dec_r)
    return np.stack([cos_dec * np.cos(ra_r), cos_dec * np.sin(ra_r), np.sin(dec_r)], axis=-1)


def arcsec_per_pixel(wcs: Any, height: int, x: Any, y: Any) -> np.ndarray:
    """Local scale (arcsec per display pixel, the square root of the pixel's area on the
    sky) at display positions ``x, y``; NaN where the WCS is undefined."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    y = np.atleast_1d(np.asarray(y, dtype=float))
    xs = np.concatenate([x - _STEP, x + _STEP, x, x])
    ys = np.concatenate([y, y, y - _STEP, y + _STEP])
    ra, dec = pixel_to_world(wcs, height, xs, ys)
    v = unit_vectors(ra, dec).reshape(4, len(x), 3)
    dx = (v[1] - v[0]) / (2 * _STEP)
    dy = (v[3] - v[2]) / (2 * _STEP)
    area = np.linalg.norm(np.cross(dx, dy), axis=-1)
    return np.sqrt(area) * ARCSEC_PER_RADIAN


def centre_arcsec_per_pixel(wcs: Any, shape: tuple[int, int]) -> float:
    """The local scale at the centre of an image of display ``shape`` (height, width)."""
    height, width = shape[:2]
    return float(arcsec_per_pixel(wcs, height, (width - 1) / 2, (height - 1) / 2)[0])


def sizes_in_pixels(size: np.ndarray, is_arcsec: np.ndarray, wcs: Any, height: int,
                    x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sizes in display pixels: arcsecond sizes go through the local scale at each
    position; without a WCS they are taken as pixels."""
    size = np.asarray(size, dtype=float).copy()
    is_arcsec = np.asarray(is_arcsec, dtype=bool)
    if wcs is None or not is_arcsec.any():
        return size
    scale = arcsec_per_pixel(wcs, height, np.asarray(x)[is_arcsec], np.asarray(y)[is_arcsec])
    converted = size[is_arcsec] / scale
    size[is_arcsec] = np.where(np.isfinite(converted) & (converted > 0), converted, size[is_arcsec])
    return size
