"""North and east arrows from the WCS, near the lower-left corner (off by default).

Directions are measured at the compass position by stepping a little north and east
on the sky and projecting back, so rotated, flipped and distorted images are right.
"""

from __future__ import annotations

import numpy as np

import imgmarker
from imgmarker.api import Line, OverlayContext, Text
from imgmarker.api import OverlaySpec
from imgmarker.api import arcsec_per_pixel
from imgmarker.api import pixel_to_world, world_to_pixel

COLOR = "#FFFFFF"


def compass_directions(wcs, height: int, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (display pixels, y down) pointing north and east at (x, y)."""
    ra, dec = (float(v) for v in pixel_to_world(wcs, height, x, y))
    step = 10 * float(arcsec_per_pixel(wcs, height, x, y)[0]) / 3600.0
    sign = 1.0 if dec + step < 90 else -1.0  # at the pole step south and turn round
    nx, ny = world_to_pixel(wcs, height, ra, dec + sign * step)
    north = sign * np.array([float(nx) - x, float(ny) - y])
    cos_dec = max(np.cos(np.radians(dec)), 1e-9)
    ex, ey = world_to_pixel(wcs, height, ra + step / cos_dec, dec)
    east = np.array([float(ex) - x, float(ey) - y])
    return north / np.linalg.norm(north), east / np.linalg.norm(east)


def draw_compass(context: OverlayContext) -> list:
    if context.wcs is None:
        return []
    h, w = context.height, context.width
    length = 0.12 * min(h, w)
    x0, y0 = 0.08 * w + length, 0.92 * h - length
    try:
        north, east = compass_directions(context.wcs, h, x0, y0)
    except (ValueError, ZeroDivisionError, FloatingPointError):
        return []
    if not (np.all(np.isfinite(north)) and np.all(np.isfinite(east))):
        return []
    out = []
    for name, direction in (("N", north), ("E", east)):
        tip = (x0 + direction[0] * length, y0 + direction[1] * length)
        out.append(Line(x0, y0, tip[0], tip[1], COLOR, arrow=True, kind="compass"))
        out.append(Text(x0 + direction[0] * length * 1.25, y0 + direction[1] * length * 1.25, name, COLOR,
                        kind="compass"))
    return out


@imgmarker.hookimpl
def imgmarker_overlays():
    return OverlaySpec(name="compass", draw=draw_compass, label="Compass", default_visible=False,
                       description="North and east arrows (images with a WCS)")
