"""Whether a WCS can be trusted for sky positions, and why not.

astropy (through wcslib) quietly repairs some broken headers: an all-zero CD matrix is
dropped and CDELT defaults to 1 degree per pixel, an unparsable CRVAL reads as 0. The
result looks like a sky position and is not one. These checks find such cases, and
matrices or distortions that cannot be inverted, so the image gets no RA/Dec and one
note naming the file instead of plausible, wrong numbers or a traceback.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any, Mapping

import numpy as np

from imgmarker.kernel.imaging.sky import UnusableWcs, sky_frame

#: A round trip pixel -> sky -> pixel must come back this close (display pixels).
ROUND_TRIP_PX = 1e-6
_MATRIX_KEY = re.compile(r"^(CD|PC)([0-9])_([0-9])$")
_VECTOR_KEY = re.compile(r"^(CRVAL|CRPIX|CDELT)([0-9])$")


def check_header(header: Mapping[str, Any] | None, axes: tuple[int, ...] = (1, 2)) -> None:
    """Raise :class:`UnusableWcs` for header cards that wcslib would silently replace:
    primary WCS numbers of the (1-based) ``axes`` that are unparsable or not finite, an
    all-zero CD matrix."""
    if header is None:
        return
    wanted = {str(a) for a in axes}
    cards = getattr(header, "cards", None)
    keys = [card.keyword for card in cards] if cards is not None else list(header.keys())
    cd: list[float] = []
    for key in keys:
        key = str(key).upper()
        matrix, vector = _MATRIX_KEY.match(key), _VECTOR_KEY.match(key)
        if not (matrix or vector):
            continue
        if not set(matrix.groups()[1:] if matrix else vector.groups()[1:]) <= wanted:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = header[key]
            number = float(value)
        except Exception:
            raise UnusableWcs(f"{key} is not a number") from None
        if isinstance(value, (bool, str)) or not math.isfinite(number):
            raise UnusableWcs(f"{key} = {value!r} is not a finite number")
        if matrix and matrix.group(1) == "CD":
            cd.append(number)
    if cd and not any(cd):
        raise UnusableWcs("the CD matrix is all zero (no pixel scale)")


def _linear_problem(wcs: Any) -> str | None:
    w = wcs.wcs
    for name, values in (("CRVAL", w.crval), ("CRPIX", w.crpix), ("CDELT", w.cdelt)):
        values = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(values)):
            return f"{name} is not finite"
    try:
        matrix = np.asarray(wcs.pixel_scale_matrix, dtype=float)
    except Exception as exc:
        return f"its pixel matrix cannot be formed ({exc})"
    if not np.all(np.isfinite(matrix)):
        return "its CD/PC matrix is not finite"
    if not np.any(matrix):
        return "its CD/PC matrix is all zero (no pixel scale)"
    scale = float(np.max(np.abs(matrix)))
    if abs(float(np.linalg.det(matrix))) <= (scale * scale) * 1e-12:
        return "its CD/PC matrix is singular (the two pixel axes point the same way on the sky)"
    return None


def _distorted(wcs: Any) -> bool:
    return (wcs.sip is not None or getattr(wcs, "cpdis1", None) is not None
            or getattr(wcs, "cpdis2", None) is not None or getattr(wcs, "det2im1", None) is not None
            or getattr(wcs, "det2im2", None) is not None)


def _sample(height: int, width: int, n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    xs = np.linspace(0.0, max(width - 1, 0), n)
    ys = np.linspace(0.0, max(height - 1, 0), n)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def check_wcs(wcs: Any, shape: tuple[int, int]) -> None:
    """Raise :class:`UnusableWcs` when ``wcs`` cannot give trustworthy ICRS positions on
    a frame of display ``shape`` (height, width): not finite, a singular or zero matrix,
    a sky frame that cannot be converted, no position at the centre, or a distortion
    (SIP, lookup tables) that does not invert over the image."""
    from imgmarker.kernel.imaging.wcs import pixel_to_world, world_to_pixel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem = _linear_problem(wcs)
    if problem:
        raise UnusableWcs(problem)
    sky_frame(wcs)  # raises for frames that cannot be converted
    height, width = int(shape[0]), int(shape[1])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ra, dec = pixel_to_world(wcs, height, (width - 1) / 2.0, (height - 1) / 2.0)
        except Exception as exc:
            raise UnusableWcs(f"the image centre has no sky position ({type(exc).__name__}: {exc})") from None
        if not (np.isfinite(ra) and np.isfinite(dec)):
            raise UnusableWcs("the image centre has no sky position")
        if not _distorted(wcs):
            return
        x, y = _sample(height, width)
        try:
            ra, dec = pixel_to_world(wcs, height, x, y)
            ok = np.isfinite(ra) & np.isfinite(dec)
            bx, by = world_to_pixel(wcs, height, ra[ok], dec[ok])
        except Exception as exc:
            raise UnusableWcs(f"its distortion cannot be inverted ({type(exc).__name__}: {exc})") from None
    error = np.hypot(bx - x[ok], by - y[ok])
    if not np.all(np.isfinite(error)) or (error.size and float(error.max()) > ROUND_TRIP_PX):
        worst = float(np.nanmax(error)) if np.any(np.isfinite(error)) else float("inf")
        raise UnusableWcs(f"its distortion (SIP) cannot be inverted over the image "
                          f"(sky -> pixel misses by up to {worst:.3g} px)")


def usable_wcs(wcs: Any, shape: tuple[int, int], header: Mapping[str, Any] | None = None) -> tuple[Any, str | None]:
    """``(wcs, None)`` when it can be trusted; ``(None, reason)`` when it cannot; and
    ``(None, None)`` for no WCS or one without celestial axes (nothing to say)."""
    if wcs is None:
        return None, None
    celestial = getattr(wcs, "has_celestial", True)
    if not celestial:
        return None, None
    try:
        check_header(header)
        check_wcs(wcs, shape)
    except UnusableWcs as exc:
        return None, str(exc)
    except Exception as exc:  # whatever a strange WCS object does, it is not trusted
        return None, f"it cannot be used ({type(exc).__name__}: {exc})"
    return wcs, None
