"""A catalog's sources on the shown frame as one layer of the view."""

from __future__ import annotations

from typing import Any

import numpy as np

from imgmarker.kernel.display.overlay import Marker
from imgmarker.shell.overlay_painter import OverlayLayer


def catalog_layer(sources: Any, catalog: Any) -> OverlayLayer:
    """One catalog's sources as a view layer: straight from arrays when every source looks
    the same (fast for 100,000 rows), per source when a size or colour column varies."""
    colors = sources.colors
    if len(sources) and (len(set(colors)) > 1 or np.ptp(sources.size_px) > 1e-9):
        labels = sources.labels
        return OverlayLayer([
            Marker(catalog.shape, float(x), float(y), float(size), color, label, kind="catalog")
            for x, y, size, color, label in zip(sources.x, sources.y, sources.size_px, colors, labels)])
    size = float(sources.size_px[0]) if len(sources) else catalog.size
    color = colors[0] if len(sources) else catalog.color
    return OverlayLayer.from_arrays(sources.x, sources.y, shape=catalog.shape, size=size, color=color,
                                    labels=list(sources.labels))
