"""Catalog sources: each catalog in its own colour (or the row's colour column),
shown or hidden per catalog. Built column-wise: thousands of sources per image."""

from __future__ import annotations

import imgmarker
from imgmarker.api import Marker, OverlayContext
from imgmarker.api import OverlaySpec


def draw_catalogs(context: OverlayContext) -> list[Marker]:
    out: list[Marker] = []
    for layer in context.catalogs:
        if not layer.visible:
            continue
        sources = layer.sources
        catalog = sources.catalog
        default = catalog.style.color
        rows = sources.rows.tolist()
        out.extend(
            Marker(shape=layer.shape, x=x, y=y, size_px=size,
                   color=layer.color if catalog.color[row] == default else catalog.color[row],
                   label=catalog.label[row], tooltip=tip, kind="catalog", key=(layer.name, row))
            for row, x, y, size, tip in zip(rows, sources.x.tolist(), sources.y.tolist(),
                                            sources.size_px.tolist(), sources.tooltips())
        )
    return out


@imgmarker.hookimpl
def imgmarker_overlays():
    return OverlaySpec(name="catalogs", draw=draw_catalogs, label="Catalogs", default_visible=True,
                       description="Sources of the experiment's catalogs that land on this image")
