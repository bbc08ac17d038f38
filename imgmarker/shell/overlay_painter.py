"""Draws and hit-tests overlay markers (marks, catalog sources) over the image view.

Primitives are duck-typed, Qt-free objects with ``shape``, ``x``, ``y`` (image
coordinates), ``size`` (diameter in image pixels), ``color``, ``label`` and
``selected``. A layer turns them once into numpy arrays grouped by style, so a paint
is: cull to the visible rectangle (vectorised), then per style one
``drawPixmapFragments`` call that stamps a pre-rendered sprite at every visible
position. The per-marker work stays in C++, which is what keeps 10,000 markers
interactive; sprites are drawn with a dark halo so they read on bright and dark data,
and their line width is fixed in screen pixels whatever the zoom.

Sprites are centred on the screen pixel that contains the marker's exact position
(an error of at most half a screen pixel); markers too large for a sprite (deep
zoom) are drawn as vectors at their exact position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from PyQt6 import sip
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap

SHAPES = ("circle", "square", "diamond", "cross", "plus", "triangle")


@dataclass(frozen=True)
class MarkerStyle:
    """How markers look on screen (all sizes in logical screen pixels)."""

    line_width: float = 1.5
    halo_width: float = 1.5  # dark outline on each side of the line
    halo_color: str = "#000000"
    halo_alpha: int = 170
    selected_color: str = "#ffffff"
    min_diameter: float = 7.0  # markers never shrink below this when zoomed out
    max_sprite: int = 401  # larger markers are drawn as vectors
    label_limit: int = 2000  # skip labels when more markers than this are visible
    font_pixel_size: int = 12


class OverlayLayer:
    """A fixed set of primitives as arrays, grouped by drawing style."""

    def __init__(self, items: Sequence[Any]):
        self.items = list(items)
        n = len(self.items)
        xs, ys, sizes, keys = [], [], [], []
        colors: dict[str, str] = {}  # parse each colour spelling once
        for item in self.items:
            shape = getattr(item, "shape", "circle")
            if shape not in SHAPES:
                raise ValueError(f"unknown marker shape {shape!r} (known: {', '.join(SHAPES)})")
            color = colors.get(item.color)
            if color is None:
                parsed = QColor(item.color)
                if not parsed.isValid():
                    raise ValueError(f"unknown marker colour {item.color!r}")
                color = colors[item.color] = parsed.name()
            size = float(item.size)
            xs.append(float(item.x))
            ys.append(float(item.y))
            sizes.append(size)
            keys.append((shape, color, bool(getattr(item, "selected", False)), size))
        self.xs = np.array(xs, np.float64).reshape(n)
        self.ys = np.array(ys, np.float64).reshape(n)
        self.sizes = np.array(sizes, np.float64).reshape(n)
        groups: dict[tuple, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(key, []).append(i)
        # Selected markers last, so they are drawn on top.
        self.groups = sorted(((k, np.asarray(v, np.intp)) for k, v in groups.items()), key=lambda g: g[0][2])
        self.group_of = np.empty(n, np.intp)
        for g, (_, members) in enumerate(self.groups):
            self.group_of[members] = g
        self.labels = [getattr(item, "label", None) for item in self.items]
        self.max_size = float(self.sizes.max()) if n else 0.0

    def __len__(self) -> int:
        return len(self.items)

    def visible_by_group(self, rect: tuple[float, float, float, float], margin: float) -> list[tuple[int, np.ndarray]]:
        """(group number, indices) of markers that may touch the image rectangle (x0, y0, x1, y1).

        One vectorised test for the whole layer, so the cost follows what is on
        screen, not how many styles exist."""
        x0, y0, x1, y1 = rect
        xs, ys = self.xs, self.ys
        vis = np.flatnonzero((xs >= x0 - margin) & (xs <= x1 + margin) & (ys >= y0 - margin) & (ys <= y1 + margin))
        if not vis.size:
            return []
        gids = self.group_of[vis]
        order = np.argsort(gids, kind="stable")
        vis, gids = vis[order], gids[order]
        starts = np.flatnonzero(np.r_[True, gids[1:] != gids[:-1]])
        ends = np.r_[starts[1:], vis.size]
        return [(int(gids[a]), vis[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]


def shape_path(shape: str, cx: float, cy: float, r: float) -> QPainterPath:
    """The outline of ``shape`` of radius ``r`` centred on (cx, cy), in the painter's units."""
    path = QPainterPath()
    if shape == "circle":
        path.addEllipse(QPointF(cx, cy), r, r)
    elif shape == "square":
        s = r * 0.85
        path.addRect(QRectF(cx - s, cy - s, 2 * s, 2 * s))
    elif shape == "diamond":
        path.moveTo(cx, cy - r)
        path.lineTo(cx + r, cy)
        path.lineTo(cx, cy + r)
        path.lineTo(cx - r, cy)
        path.closeSubpath()
    elif shape == "triangle":
        pts = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
        path.moveTo(*pts[0])
        path.lineTo(*pts[1])
        path.lineTo(*pts[2])
        path.closeSubpath()
    elif shape == "plus":
        path.moveTo(cx - r, cy)
        path.lineTo(cx + r, cy)
        path.moveTo(cx, cy - r)
        path.lineTo(cx, cy + r)
    elif shape == "cross":
        d = r * 0.8
        path.moveTo(cx - d, cy - d)
        path.lineTo(cx + d, cy + d)
        path.moveTo(cx - d, cy + d)
        path.lineTo(cx + d, cy - d)
    else:
        raise ValueError(f"unknown marker shape {shape!r}")
    return path


class OverlayPainter:
    """Paints :class:`OverlayLayer` objects; owns a sprite cache (one per view, no globals)."""

    def __init__(self, style: MarkerStyle | None = None):
        self.style = style or MarkerStyle()
        self.show_labels = True
        self._sprites: dict[tuple, QPixmap] = {}
        self._texts: dict[tuple, QPixmap] = {}

    # -- geometry ------------------------------------------------------------------
    def screen_diameter(self, size: float, scale: float) -> float:
        return max(size * scale, self.style.min_diameter)

    def _pad(self, selected: bool) -> float:
        st = self.style
        return st.line_width / 2 + st.halo_width + (1.5 if selected else 0.0) + 1.0

    # -- painting ------------------------------------------------------------------
    def paint(
        self,
        painter: QPainter,
        layers: Sequence[OverlayLayer],
        scale: float,
        origin: tuple[float, float],
        visible_rect: tuple[float, float, float, float],
        dpr: float = 1.0,
    ) -> int:
        """Draw ``layers`` for a view where image (x, y) is at screen ``origin + scale*(x+0.5, y+0.5)``.

        ``visible_rect`` is the image-coordinate rectangle on screen. Returns how many
        markers were drawn.
        """
        drawn = 0
        label_jobs: list[tuple[OverlayLayer, np.ndarray, float]] = []
        for layer in layers:
            if not len(layer):
                continue
            margin = (self.screen_diameter(layer.max_size, scale) / 2 + self._pad(True)) / scale
            for g, vis in layer.visible_by_group(visible_rect, margin):
                shape, color, selected, size = layer.groups[g][0]
                diameter = self.screen_diameter(size, scale)
                drawn += vis.size
                sx = origin[0] + scale * (layer.xs[vis] + 0.5)
                sy = origin[1] + scale * (layer.ys[vis] + 0.5)
                if diameter * dpr <= self.style.max_sprite:
                    self._stamp(painter, shape, color, selected, diameter, sx, sy, dpr)
                else:
                    self._vectors(painter, shape, color, selected, diameter, sx, sy)
                label_jobs.append((layer, vis, diameter))
        if self.show_labels and 0 < drawn <= self.style.label_limit:
            self._labels(painter, label_jobs, scale, origin, dpr)
        return drawn

    def _sprite(self, shape: str, color: str, selected: bool, diameter: float, dpr: float) -> QPixmap:
        d_dev = int(round(diameter * dpr)) | 1  # odd: the centre is a whole device pixel
        key = (shape, color, selected, d_dev, dpr)
        sprite = self._sprites.get(key)
        if sprite is not None:
            return sprite
        if len(self._sprites) > 512:
            self._sprites.clear()
        pad = int(math.ceil(self._pad(selected) * dpr))
        side = d_dev + 2 * pad
        sprite = QPixmap(side, side)
        sprite.fill(Qt.GlobalColor.transparent)
        p = QPainter(sprite)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(dpr, dpr)
        c = side / 2 / dpr
        self._draw_one(p, shape, color, selected, c, c, d_dev / dpr / 2)
        p.end()
        self._sprites[key] = sprite
        return sprite

    def _draw_one(self, p: QPainter, shape: str, color: str, selected: bool, cx: float, cy: float, r: float) -> None:
        st = self.style
        path = shape_path(shape, cx, cy, r)
        cap = Qt.PenCapStyle.RoundCap
        join = Qt.PenJoinStyle.RoundJoin
        if selected:
            p.setPen(QPen(QColor(st.selected_color), st.line_width + 2 * st.halo_width + 3.0, Qt.PenStyle.SolidLine, cap, join))
            p.drawPath(path)
        halo = QColor(st.halo_color)
        halo.setAlpha(st.halo_alpha)
        p.setPen(QPen(halo, st.line_width + 2 * st.halo_width, Qt.PenStyle.SolidLine, cap, join))
        p.drawPath(path)
        p.setPen(QPen(QColor(color), st.line_width * (1.5 if selected else 1.0), Qt.PenStyle.SolidLine, cap, join))
        p.drawPath(path)

    def _stamp(self, painter, shape, color, selected, diameter, sx, sy, dpr) -> None:
        sprite = self._sprite(shape, color, selected, diameter, dpr)
        side = sprite.width()
        n = sx.size
        fragments = sip.array(QPainter.PixmapFragment, n)
        fields = np.frombuffer(sip.voidptr(fragments, n * 10 * 8), np.float64).reshape(n, 10)
        # Centre on the middle of the device pixel holding the exact position.
        fields[:, 0] = (np.floor(sx * dpr) + 0.5) / dpr
        fields[:, 1] = (np.floor(sy * dpr) + 0.5) / dpr
        fields[:, 2] = 0.0
        fields[:, 3] = 0.0
        fields[:, 4] = side
        fields[:, 5] = side
        fields[:, 6] = 1.0 / dpr
        fields[:, 7] = 1.0 / dpr
        fields[:, 8] = 0.0
        fields[:, 9] = 1.0
        painter.drawPixmapFragments(fragments, sprite)

    def _vectors(self, painter, shape, color, selected, diameter, sx, sy) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for x, y in zip(sx.tolist(), sy.tolist()):
            self._draw_one(painter, shape, color, selected, x, y, diameter / 2)
        painter.restore()

    def _label_sprite(self, text: str, color: str, dpr: float) -> QPixmap:
        """A label with its dark shadow, rendered once and then only blitted."""
        key = (text, color, dpr)
        sprite = self._texts.get(key)
        if sprite is not None:
            return sprite
        if len(self._texts) > 5000:
            self._texts.clear()
        font = QFont()
        font.setPixelSize(self.style.font_pixel_size)
        metrics = QFontMetricsF(font)
        w = math.ceil(metrics.horizontalAdvance(text)) + 2
        h = math.ceil(metrics.height()) + 2
        sprite = QPixmap(max(1, round(w * dpr)), max(1, round(h * dpr)))
        sprite.setDevicePixelRatio(dpr)
        sprite.fill(Qt.GlobalColor.transparent)
        p = QPainter(sprite)
        p.setFont(font)
        baseline = metrics.ascent()
        p.setPen(QColor(self.style.halo_color))
        p.drawText(QPointF(1, baseline + 1), text)
        p.setPen(QColor(color))
        p.drawText(QPointF(0, baseline), text)
        p.end()
        self._texts[key] = sprite
        return sprite

    def _labels(self, painter: QPainter, jobs, scale: float, origin: tuple[float, float], dpr: float) -> None:
        """Labels up and to the right of their marker."""
        top = self.style.font_pixel_size
        for layer, vis, diameter in jobs:
            labelled = [i for i in vis.tolist() if layer.labels[i]]
            if not labelled:
                continue
            color = layer.items[labelled[0]].color  # one style group: one colour
            xs = (origin[0] + scale * (layer.xs[labelled] + 0.5) + diameter / 2 + 3).tolist()
            ys = (origin[1] + scale * (layer.ys[labelled] + 0.5) - diameter / 2 - top).tolist()
            for i, x, y in zip(labelled, xs, ys):
                painter.drawPixmap(QPointF(x, y), self._label_sprite(str(layer.labels[i]), color, dpr))

    # -- hit-testing ---------------------------------------------------------------
    def item_at(self, layers: Sequence[OverlayLayer], x: float, y: float, scale: float, tolerance: float = 3.0) -> Any | None:
        """The primitive drawn under image point (x, y), topmost layer first, nearest centre wins.

        A marker is hit inside its on-screen radius plus ``tolerance`` screen pixels.
        """
        for layer in reversed(layers):
            if not len(layer):
                continue
            radius = (np.maximum(layer.sizes * scale, self.style.min_diameter) / 2 + tolerance) / scale
            d2 = (layer.xs - x) ** 2 + (layer.ys - y) ** 2
            hits = np.flatnonzero(d2 <= radius**2)
            if hits.size:
                return layer.items[int(hits[np.argmin(d2[hits])])]
        return None
