"""The annotator's own marks, styled by their group (shape, colour, size)."""

from __future__ import annotations

import numpy as np

import imgmarker
from imgmarker.api import Marker, OverlayContext
from imgmarker.api import OverlaySpec
from imgmarker.api import sizes_in_pixels

FALLBACK = ("circle", "#999999", 20.0, "px")  # a mark of a group the experiment no longer has


def _tooltip(mark) -> str:
    text = f"{mark.group}: {mark.label}" if mark.label and mark.label != mark.group else mark.group
    text += f"\nx {mark.x:.2f}  y {mark.y:.2f}"
    ra, dec = getattr(mark, "ra", None), getattr(mark, "dec", None)
    if ra is not None and dec is not None:
        text += f"\nRA {ra:.6f}  Dec {dec:+.6f}"
    return text


def draw_marks(context: OverlayContext) -> list[Marker]:
    marks = list(context.marks)
    if not marks:
        return []
    groups = context.group_styles()
    styles = []
    for mark in marks:
        g = groups.get(mark.group)
        styles.append((g.shape, g.color, float(g.size), g.size_unit) if g is not None else FALLBACK)
    x = np.array([m.x for m in marks], dtype=float)
    y = np.array([m.y for m in marks], dtype=float)
    size = np.array([s[2] for s in styles])
    arcsec = np.array([s[3] == "arcsec" for s in styles])
    size_px = sizes_in_pixels(size, arcsec, context.wcs, context.height, x, y)
    return [
        Marker(shape=style[0], x=float(x[i]), y=float(y[i]), size_px=float(size_px[i]), color=style[1],
               label=mark.label or "", tooltip=_tooltip(mark), selected=mark.id in context.selected,
               kind="mark", key=mark.id)
        for i, (mark, style) in enumerate(zip(marks, styles))
    ]


@imgmarker.hookimpl
def imgmarker_overlays():
    return OverlaySpec(name="marks", draw=draw_marks, label="Marks", default_visible=True,
                       description="The marks placed on this image, in their group's style")
