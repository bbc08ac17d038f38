"""Draws the line and text primitives of overlays (compass, scale bar) over the view.

There are only a handful of them, so plain vector drawing is fine; like markers they
get a dark halo so they read on bright and dark images, and keep a constant width
on screen whatever the zoom.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

HALO = QColor(0, 0, 0, 170)
ARROW_PX = 9.0


def _arrow_head(x0: float, y0: float, x1: float, y1: float) -> QPainterPath:
    angle = math.atan2(y1 - y0, x1 - x0)
    path = QPainterPath(QPointF(x1, y1))
    for side in (-1, 1):
        a = angle + math.pi + side * math.radians(25)
        path.lineTo(QPointF(x1 + ARROW_PX * math.cos(a), y1 + ARROW_PX * math.sin(a)))
        path.moveTo(QPointF(x1, y1))
    return path


def paint_shapes(painter: QPainter, shapes: Sequence[Any], to_widget: Callable[[float, float], QPointF],
                 font: QFont) -> None:
    """``shapes`` are Qt-free ``Line``/``Text`` primitives in image coordinates."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    font = QFont(font)
    font.setPixelSize(14)
    font.setBold(True)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    for shape in shapes:
        color = QColor(shape.color)
        if hasattr(shape, "x0"):
            a, b = to_widget(shape.x0, shape.y0), to_widget(shape.x1, shape.y1)
            path = QPainterPath(a)
            path.lineTo(b)
            if getattr(shape, "arrow", False):
                path.addPath(_arrow_head(a.x(), a.y(), b.x(), b.y()))
            width = float(getattr(shape, "width", 1.5))
            painter.setPen(QPen(HALO, width + 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPath(path)
            painter.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPath(path)
        elif hasattr(shape, "text"):
            p = to_widget(shape.x, shape.y)
            w, h = metrics.horizontalAdvance(shape.text), metrics.height()
            anchor = getattr(shape, "anchor", "center")
            left = p.x() - (w / 2 if anchor == "center" else (w if anchor == "right" else 0))
            rect = QRectF(left, p.y() - h / 2, w, h)
            painter.setPen(HALO)
            for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                painter.drawText(rect.translated(dx, dy), Qt.AlignmentFlag.AlignCenter, shape.text)
            painter.setPen(color)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, shape.text)
    painter.restore()
