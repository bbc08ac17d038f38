"""A scale bar of a round angular length, lower right (off by default)."""

from __future__ import annotations

import imgmarker
from imgmarker.api import Line, OverlayContext, Text
from imgmarker.api import OverlaySpec
from imgmarker.api import centre_arcsec_per_pixel

COLOR = "#FFFFFF"
#: Round lengths in arcseconds a scale bar may show.
LENGTHS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800,
           3600, 7200, 18000, 36000, 72000, 180000, 324000)


def format_arcsec(value: float) -> str:
    if value < 60:
        return f'{value:g}"'
    if value < 3600:
        return f"{value / 60:g}'"
    return f"{value / 3600:g}°"


def choose_length(arcsec_per_px: float, width: int) -> float:
    """The largest round length no longer than a quarter of the image width."""
    budget = 0.25 * width * arcsec_per_px
    fitting = [v for v in LENGTHS if v <= budget]
    return fitting[-1] if fitting else LENGTHS[0]


def draw_scalebar(context: OverlayContext) -> list:
    if context.wcs is None:
        return []
    h, w = context.height, context.width
    scale = centre_arcsec_per_pixel(context.wcs, (h, w))
    if not (scale > 0):
        return []
    arcsec = choose_length(scale, w)
    length = arcsec / scale
    x1, y = 0.95 * (w - 1), 0.94 * (h - 1)
    x0 = x1 - length
    return [
        Line(x0, y, x1, y, COLOR, width=2.0, kind="scalebar"),
        Text((x0 + x1) / 2, y - 0.03 * h, format_arcsec(arcsec), COLOR, kind="scalebar"),
    ]


@imgmarker.hookimpl
def imgmarker_overlays():
    return OverlaySpec(name="scalebar", draw=draw_scalebar, label="Scale bar", default_visible=False,
                       description="A bar of a round angular length (images with a WCS)")
