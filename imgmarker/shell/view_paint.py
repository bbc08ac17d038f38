"""Painting of the image view, mixed into :class:`~imgmarker.shell.view.ImageView`: the
background where no opaque picture covers it, the picture from the coarsest preview that
is still as fine as the screen (and a large frame's full-resolution detail over its
overview), the overlays, and the placeholder or error text."""

from __future__ import annotations

import math
from typing import Any

from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent

from imgmarker.shell.overlay_painter import OverlayLayer
from imgmarker.shell.shape_painter import paint_shapes


class ViewPainting:
    """``paintEvent`` and its parts; they read the view's state (picture, previews,
    detail, scale, centre, layers) and its mapping (``image_to_widget``)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._paint_background(painter)
        if self._state == "image" and self._image is not None:
            self._paint_image(painter)
            self._paint_overlays(painter)
        elif self._state in ("loading", "error"):
            self._paint_message(painter)
        painter.end()

    def _paint_background(self, painter: QPainter) -> None:
        """The background, but not under an opaque picture: on a screen-sized view that
        halves what a paint writes."""
        image = self._image if self._state == "image" else None
        if image is None or image.hasAlphaChannel() or self._size is None:
            painter.fillRect(self.rect(), self.background)
            return
        w, h = self._size
        top_left, bottom_right = self.image_to_widget(-0.5, -0.5), self.image_to_widget(w - 0.5, h - 0.5)
        # only the device pixels the picture covers whole are left to it
        dpr = self.devicePixelRatioF()
        x0, y0 = math.ceil(top_left.x() * dpr) / dpr, math.ceil(top_left.y() * dpr) / dpr
        x1, y1 = math.floor(bottom_right.x() * dpr) / dpr, math.floor(bottom_right.y() * dpr) / dpr
        covered = QRectF(x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0)).intersected(QRectF(self.rect()))
        if covered.isEmpty():
            painter.fillRect(self.rect(), self.background)
            return
        width, height = float(self.width()), float(self.height())
        for rect in (QRectF(0, 0, width, covered.top()), QRectF(0, covered.bottom(), width, height - covered.bottom()),
                     QRectF(0, covered.top(), covered.left(), covered.height()),
                     QRectF(covered.right(), covered.top(), width - covered.right(), covered.height())):
            if rect.width() > 0 and rect.height() > 0:
                painter.fillRect(rect, self.background)

    def _source(self) -> tuple[int, QImage]:
        """The image to sample: the coarsest preview whose blocks are no larger than a device pixel."""
        chosen = (self._base_factor, self._image)
        limit = 1.0 / (self._scale * self.devicePixelRatioF())
        for factor, preview in self._previews:
            if factor <= limit:
                chosen = (factor, preview)
        return chosen

    def _paint_image(self, painter: QPainter) -> None:
        f, source = self._source()
        self._draw(painter, source, f, 0, 0)
        if self._detail is not None:
            factor, x0, y0, detail = self._detail
            if factor < f:
                self._draw(painter, detail, factor, x0, y0)

    def _draw(self, painter: QPainter, source: QImage, f: int, ox: int, oy: int) -> None:
        """Draw the visible blocks of ``source``; block (p, q) covers image pixels
        [ox + q*f, ox + (q+1)*f) x [oy + p*f, oy + (p+1)*f), clipped to the image."""
        w, h = self._size
        x0, y0, x1, y1 = self.visible_image_rect()
        # Visible blocks (pixels when f == 1); block p spans image coords [o + p*f - 0.5, o + (p+1)*f - 0.5).
        i0, j0 = max(0, math.floor((x0 + 0.5 - ox) / f)), max(0, math.floor((y0 + 0.5 - oy) / f))
        i1 = min(source.width(), math.ceil((x1 + 0.5 - ox) / f))
        j1 = min(source.height(), math.ceil((y1 + 0.5 - oy) / f))
        if i1 <= i0 or j1 <= j0:
            return
        top_left = self.image_to_widget(ox + i0 * f - 0.5, oy + j0 * f - 0.5)
        target = QRectF(top_left.x(), top_left.y(), (i1 - i0) * f * self._scale, (j1 - j0) * f * self._scale)
        painter.save()
        if f > 1:  # a partial last block must not spill past the image edge
            corner = self.image_to_widget(-0.5, -0.5)
            painter.setClipRect(QRectF(corner.x(), corner.y(), w * self._scale, h * self._scale))
        if self._scale * f < 1.0:  # downsampling: interpolate; upsampling: show square pixels
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, source, QRectF(i0, j0, i1 - i0, j1 - j0))
        painter.restore()

    def _paint_overlays(self, painter: QPainter) -> None:
        layers = self._visible_layers()
        origin = self.image_to_widget(-0.5, -0.5)
        if layers:
            self.overlay_painter.paint(
                painter, layers, self._scale, (origin.x(), origin.y()), self.visible_image_rect(), self.devicePixelRatioF()
            )
        shapes = [s for name, items in self._shapes.items() if name not in self._hidden for s in items]
        if shapes:
            paint_shapes(painter, shapes, self.image_to_widget, self.font())
        if self._ghost is not None:
            item, gx, gy = self._ghost
            ghost = _Moved(item, gx, gy)
            self.overlay_painter.paint(
                painter, [OverlayLayer([ghost])], self._scale, (origin.x(), origin.y()), self.visible_image_rect(), self.devicePixelRatioF()
            )

    def _paint_message(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(14, min(22, self.height() // 20)))
        painter.setFont(font)
        painter.setPen(QColor("#ff8a65") if self._state == "error" else QColor("#d0d0d0"))
        box = QRectF(self.rect()).adjusted(20, 20, -20, -20)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.message)



class _Moved:
    """A primitive shown at a new position while it is dragged."""

    def __init__(self, item: Any, x: float, y: float):
        self.shape = getattr(item, "shape", "circle")
        self.size = item.size
        self.color = item.color
        self.label = getattr(item, "label", None)
        self.selected = True
        self.x, self.y = x, y
