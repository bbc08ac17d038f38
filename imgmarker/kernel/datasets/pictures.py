"""PNG cutouts through the campaign's display settings, as the annotators saw them.

The interval limits (zscale, percentiles, ...) are taken on the whole frame, once,
exactly as the marking window takes them, and every cutout of the frame is rendered
with those limits: a cutout looks like the part of the screen it came from, not like
an image of its own with its own contrast. Blur is applied with a margin around the
cutout, so its edge is blurred as in the full frame.

Pixels outside the source frame (padding) are black, (0, 0, 0); blank (NaN) pixels
inside it keep the campaign's NaN colour. PNGs are always 8-bit RGB.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

from imgmarker.kernel.datasets.geometry import extract


class Pictures:
    def __init__(self, registry: Any, settings: Any):
        from imgmarker.kernel.display.pipeline import Renderer

        self.registry = registry
        self.settings = settings
        self.renderer = Renderer(registry, threads=1)
        self.renderer.check(settings)

    def limits(self, data: np.ndarray) -> tuple[float, float]:
        """(vmin, vmax) of the whole frame, as the window computes them."""
        from imgmarker.kernel.display.pipeline import accepts, draw_sample

        settings = self.settings
        if settings.blur > 0 or (data.ndim == 3 and data.shape[2] >= 3):
            return self.renderer.limits(data, settings)
        band = data[..., 0] if data.ndim == 3 else data
        sample = draw_sample(band, self.renderer.sample_size)
        spec = self.registry.filters.get(settings.interval)
        params = dict(settings.interval_params)
        if accepts(spec.apply, "frame"):
            params["frame"] = band
        vmin, vmax = (float(v) for v in spec.apply(sample, **params))
        if not (math.isfinite(vmin) and math.isfinite(vmax)):
            vmin, vmax = 0.0, 1.0
        return vmin, vmax

    def render(self, data: np.ndarray, x0: int, y0: int, width: int, height: int,
               limits: tuple[float, float]) -> np.ndarray:
        """(height, width, 3) uint8 of the cutout at (x0, y0) of display-oriented ``data``."""
        margin = int(math.ceil(4 * self.settings.blur)) if self.settings.blur > 0 else 0
        cut, padded = extract(data, x0 - margin, y0 - margin, width + 2 * margin, height + 2 * margin)
        rgb = self.renderer.render(cut, self.settings, limits=limits).rgb()
        if margin:
            rgb = rgb[margin:margin + height, margin:margin + width]
            padded = padded[margin:margin + height, margin:margin + width] if padded is not None else None
        rgb = np.ascontiguousarray(rgb)
        if padded is not None:
            rgb[padded] = 0
        return rgb


def png_bytes(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG")
    return buffer.getvalue()
