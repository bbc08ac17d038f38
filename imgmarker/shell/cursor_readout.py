"""What the status line and tooltips say about the point under the cursor.

Sky positions are ICRS whatever frame the image's WCS uses, and the readout says so;
galactic l, b follow when the annotator asked for them (Settings).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from imgmarker.kernel.imaging.sky import galactic_of_icrs
from imgmarker.kernel.imaging.wcs import format_world, pixel_to_world


class CursorReadout:
    """Mixed into :class:`~imgmarker.shell.workspace.Workspace`."""

    def _cursor_moved(self, x: Any, y: Any) -> None:
        self.cursor = None if x is None else (float(x), float(y))
        self.readout.emit(self.readout_text())
        self.view.setToolTip(self.hover_text())

    def hover_text(self) -> str:
        """What hovering shows: a mark's group, label and position, or a catalog
        source with every column of its row (unknown columns included)."""
        if self.cursor is None:
            return ""
        item = self._mark_under(*self.cursor) if self.visible.get("marks", True) else None
        if item is not None and getattr(item, "tooltip", ""):
            return item.tooltip
        try:
            source = self.source_under_cursor()
        except Exception:  # hovering must never fail loudly
            return ""
        return source.tooltip if source is not None else ""

    def readout_text(self) -> str:
        if self.cursor is None:
            return ""
        x, y = self.cursor
        parts = [f"x {x:.2f}  y {y:.2f}"]
        entry = self.session.current
        data = self.frames.data(entry.name, self.frame)
        ix, iy = int(np.floor(x + 0.5)), int(np.floor(y + 0.5))
        if data is not None and 0 <= iy < data.shape[0] and 0 <= ix < data.shape[1]:
            value = data[iy, ix]
            if np.ndim(value):
                parts.append("value (" + ", ".join(_number(v) for v in np.ravel(value)) + ")")
            else:
                parts.append(f"value {_number(value)}")
        meta = self.current_meta()
        if meta is not None and meta.wcs is not None:
            try:
                ra, dec = pixel_to_world(meta.wcs, meta.shape[0], x, y)
                if np.isfinite(ra) and np.isfinite(dec):
                    style = "sexagesimal" if self.sexagesimal else "degrees"
                    parts.append("ICRS " + format_world(float(ra), float(dec), style))
                    if getattr(self, "show_galactic", False):
                        lon, lat = galactic_of_icrs(ra, dec)
                        parts.append(f"l {float(lon):.5f}  b {float(lat):+.5f}")
            except Exception:  # outside the projection's domain
                pass
        return "   ".join(parts)


def _number(value: Any) -> str:
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float):
        return "NaN" if value != value else f"{value:.6g}"
    return str(value)
