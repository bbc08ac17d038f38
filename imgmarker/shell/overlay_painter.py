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
        self._items: list[Any] | None = list(items)
        xs, ys, sizes, keys = [], [], [], []
        colors: dict[str, str] = {}  # parse each colour spelling once
        for item in self._items:
            shape = getattr(item, "shape", "circle")
            _check_shape(shape)
            color = colors.get(item.color)
            if color is None:
                color = colors[item.color] = _color_name(item.color)
            size = float(item.size)
            xs.append(float(item.x))
            ys.append(float(item.y))
            sizes.append(size)
            keys.append((shape, color, bool(getattr(item, "selected", False)), size))
        labels = [getattr(item, "label", None) for item in self._items]
        self._setup(np.array(xs, np.float64), np.array(ys, np.float64), np.array(sizes, np.float64), keys, labels)

    @classmethod
    def from_arrays(
        cls,
        xs: np.ndarray,
        ys: np.ndarray,
        *,
        shape: str = "circle",
        size: float = 10.0,
        color: str = "#00ff00",
        labels: Sequence[str | None] | None = None,
    ) -> "OverlayLayer":
        """One-style layer straight from coordinate arrays (catalogs: no per-source objects)."""
        _check_shape(shape)
        xs = np.asarray(xs, np.float64).ravel()
        ys = np.asarray(ys, np.float64).ravel()
        if xs.shape != ys.shape:
            raise ValueError(f"x and y arrays differ in length ({xs.size} and {ys.size})")
        if labels is not None and len(labels) != xs.size:
            raise ValueError(f"{len(labels)} labels for {xs.size} positions")
        layer = cls.__new__(cls)
        layer._items = None
        n = xs.size
        key = (shape, _color_name(color), False, float(size))
        layer._setup(xs, ys, np.full(n, float(size)), None, list(labels) if labels is not None else [None] * n, key)
        return layer

    def _setup(self, xs, ys, sizes, keys, labels, single_key=None) -> None:
        n = xs.size
        self.xs, self.ys, self.sizes = xs.reshape(n), ys.reshape(n), sizes.reshape(n)
        self.labels = labels
        if single_key is not None:
            self.groups = [(single_key, np.arange(n, dtype=np.intp))] if n else []
            self.group_of = np.zeros(n, np.intp)
        else:
            groups: dict[tuple, list[int]] = {}
            for i, key in enumerate(keys):
                groups.setdefault(key, []).append(i)
            # Selected markers last, so they are drawn on top.
            self.groups = sorted(((k, np.asarray(v, np.intp)) for k, v in groups.items()), key=lambda g: g[0][2])
            self.group_of = np.empty(n, np.intp)
            for g, (_, members) in enumerate(self.groups):
                self.group_of[members] = g
        self.max_size = float(self.sizes.max()) if n else 0.0

    def item(self, index: int) -> Any:
        """The primitive at ``index`` (a light view for array-built layers)."""
        if self._items is not None:
            return self._items[index]
        shape, color, _, size = self.groups[0][0]
        return ArrayPrimitive(index, shape, float(self.xs[index]), float(self.ys[index]), size, color, self.labels[index])

    def __len__(self) -> int:
        return int(self.xs.size)

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


@dataclass(frozen=True)
class ArrayPrimitive:
    """A source of an array-built layer, as returned by hit-testing."""

    index: int
    shape: str
    x: float
    y: float
    size: float
    color: str
    label: str | None
    selected: bool = False


def _check_shape(shape: str) -> None:
    if shape not in SHAPES:
        raise ValueError(f"unknown marker shape {shape!r} (known: {', '.join(SHAPES)})")


def _color_name(color: str) -> str:
    parsed = QColor(color)
    if not parsed.isValid():
        raise ValueError(f"unknown marker colour {color!r}")
    return parsed.name()


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
                label_jobs.append((layer, vis, diameter, color))
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
        for layer, vis, diameter, color in jobs:
            labelled = [i for i in vis.tolist() if layer.labels[i]]
            if not labelled:
                continue
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
                return layer.item(int(hits[np.argmin(d2[hits])]))
        return None

    def label_at(self, layers: Sequence[OverlayLayer], wx: float, wy: float, scale: float, origin: tuple[float, float]) -> Any | None:
        """The primitive whose drawn label contains widget point (wx, wy) (to edit it on double-click)."""
        if not self.show_labels:
            return None
        font = QFont()
        font.setPixelSize(self.style.font_pixel_size)
        metrics = QFontMetricsF(font)
        height = metrics.height() + 2
        for layer in reversed(layers):
            if not len(layer):
                continue
            diameter = np.maximum(layer.sizes * scale, self.style.min_diameter)
            ax = origin[0] + scale * (layer.xs + 0.5) + diameter / 2 + 3
            ay = origin[1] + scale * (layer.ys + 0.5) - diameter / 2 - self.style.font_pixel_size
            near = np.flatnonzero((ax <= wx) & (wx <= ax + 1000) & (ay <= wy) & (wy <= ay + height))
            for i in near[::-1].tolist():
                text = layer.labels[i]
                if text and wx <= ax[i] + metrics.horizontalAdvance(str(text)) + 2:
                    return layer.item(i)
        return None
