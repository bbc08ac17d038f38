"""Pixel <-> sky for a displayed frame.

Display pixels have row 0 at the top; FITS pixel y increases upward. A display point
(x, y) is FITS 0-based (x, H - 1 - y), passed through ``all_pix2world(..., 0)`` so SIP
and other distortions are included; the inverse uses ``all_world2pix`` with a tight
tolerance so a round trip agrees to far better than 1e-6 px.
"""

from __future__ import annotations

from typing import Any

import numpy as np

INVERSE_TOLERANCE = 1e-10


def display_to_fits(x: Any, y: Any, height: int) -> tuple[Any, Any]:
    return x, (height - 1) - np.asarray(y, dtype=float)


def fits_to_display(x: Any, y: Any, height: int) -> tuple[Any, Any]:
    return x, (height - 1) - np.asarray(y, dtype=float)


def pixel_to_world(wcs: Any, height: int, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Display pixel(s) -> (ra, dec) in degrees; works on scalars and arrays."""
    fx, fy = display_to_fits(np.asarray(x, dtype=float), y, height)
    ra, dec = wcs.all_pix2world(fx, fy, 0)
    return np.asarray(ra, dtype=float), np.asarray(dec, dtype=float)


def world_to_pixel(wcs: Any, height: int, ra: Any, dec: Any) -> tuple[np.ndarray, np.ndarray]:
    """(ra, dec) in degrees -> display pixel(s), the exact inverse of :func:`pixel_to_world`."""
    ra = np.asarray(ra, dtype=float)
    dec = np.asarray(dec, dtype=float)
    if wcs.sip is not None or getattr(wcs, "cpdis1", None) is not None or getattr(wcs, "det2im1", None) is not None:
        fx, fy = wcs.all_world2pix(ra, dec, 0, tolerance=INVERSE_TOLERANCE, maxiter=50, quiet=True)
    else:
        fx, fy = wcs.wcs_world2pix(ra, dec, 0)
    x, y = fits_to_display(np.asarray(fx, dtype=float), fy, height)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
