"""Catalog sources: each catalog in its own colour (or the row's colour column),
shown or hidden per catalog."""

from __future__ import annotations

import imgmarker
from imgmarker.kernel.overlay import Marker, OverlayContext
from imgmarker.kernel.records import OverlaySpec


def draw_catalogs(context: OverlayContext) -> list[Marker]:
    out: list[Marker] = []
    for layer in context.catalogs:
        if not layer.visible:
            continue
        sources = layer.sources
        catalog = sources.catalog
        default = catalog.style.color
        for i, row in enumerate(sources.rows.tolist()):
            row_color = catalog.color[row]
            source = sources.source(i)
            out.append(Marker(
                shape=layer.shape, x=source.x, y=source.y, size_px=source.size_px,
                color=layer.color if row_color == default else row_color,
                label=source.label, tooltip=source.tooltip, kind="catalog", key=(layer.name, row),
            ))
    return out


@imgmarker.hookimpl
def imgmarker_overlays():
    return OverlaySpec(name="catalogs", draw=draw_catalogs, label="Catalogs", default_visible=True,
                       description="Sources of the experiment's catalogs that land on this image")
