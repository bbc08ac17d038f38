"""The image view: one frame, its overlay markers, zoom/pan, and exact coordinates.

A plain ``QWidget`` with its own ``paintEvent`` rather than ``QGraphicsView``:
  * one ``drawImage`` of only the visible source pixels per paint, so a 4096x4096
    frame costs what the viewport costs, at any zoom, with no huge target rectangles
    (the raster engine's fixed-point maths overflows beyond ~32k px);
  * markers are numpy arrays stamped by :class:`OverlayPainter` (culled, one call per
    style), where a scene would need 10,000 ``QGraphicsItem`` objects created on every
    image change and walked on every paint;
  * the widget <-> image mapping is one explicit affine formula we control and test.

Coordinates: image (x, y) floats, 0-based, origin at the centre of the top-left pixel,
y down; pixel (i, j) covers [i-0.5, i+0.5) x [j-0.5, j+0.5). Widget (painter)
coordinates are logical pixels in which screen pixel k covers [k, k+1). The view
stores its zoom ``scale`` (screen px per image px) and the image point at the widget
centre, so::

    widget = size/2 + scale * (image - centre)

A mouse event at position p is taken at the middle of the device pixel under the
hotspot, p + 0.5/dpr, so at 1:1 a click on a pixel yields its exact centre.

Mouse and keys: :mod:`imgmarker.shell.view_input`; painting: :mod:`imgmarker.shell.view_paint`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PyQt6.QtCore import QPointF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage
from PyQt6.QtWidgets import QWidget

from imgmarker.shell.overlay_painter import MarkerStyle, OverlayLayer, OverlayPainter
from imgmarker.shell.qimage import qimage_from_array
from imgmarker.shell.view_input import ZOOM_STEP, ViewInput
from imgmarker.shell.view_paint import ViewPainting

MAX_SCALE = 256.0


class ImageView(ViewInput, ViewPainting, QWidget):
    clicked = pyqtSignal(float, float, object, object)  # x, y, Qt.MouseButton, Qt.KeyboardModifier
    double_clicked = pyqtSignal(float, float, object, object)
    cursor_moved = pyqtSignal(object, object)  # x, y in image coords, or None, None outside the image
    view_changed = pyqtSignal()  # zoom or centre changed
    item_drag_started = pyqtSignal(object)  # the primitive
    item_dragged = pyqtSignal(object, float, float)  # primitive, new x, y
    item_drag_finished = pyqtSignal(object, float, float)

    def __init__(self, parent: QWidget | None = None, *, marker_style: MarkerStyle | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(64, 64)
        self.background = QColor("#262626")
        self.move_cursor_on_centre = True  # middle click also warps the pointer to the centre
        self.middle_click_centres = True  # the experiment may turn middle-click centring off
        self.drag_selected_items = True
        self.overlay_painter = OverlayPainter(marker_style)
        self._image: QImage | None = None
        self._base_factor = 1  # > 1 when the frame is shown through an overview
        self._previews: list[tuple[int, QImage]] = []
        self._detail: tuple[int, int, int, QImage] | None = None  # factor, x0, y0, image
        self._size: tuple[int, int] | None = None  # (width, height) of the last image shown
        self._state = "empty"  # empty | image | loading | error
        self._name = ""
        self._reason = ""
        self._scale = 1.0
        self._centre = (0.0, 0.0)
        self._fitted = True
        self._layers: dict[str, OverlayLayer] = {}
        self._shapes: dict[str, list[Any]] = {}
        self._hidden: set[str] = set()
        self._cursor: tuple[float, float] | None = None
        self._press: dict[str, Any] | None = None
        self._ghost: tuple[Any, float, float] | None = None

    # ------------------------------------------------------------------ content
    def set_image(
        self,
        image: QImage | np.ndarray,
        name: str = "",
        previews: Sequence[tuple[QImage | np.ndarray, int]] = (),
        *,
        factor: int = 1,
        size: tuple[int, int] | None = None,
        opaque: bool = False,
    ) -> None:
        """Show a frame; zoom and pan are kept when it has the size of the previous one.
        ``opaque``: the arrays' alpha is 255 everywhere (the view then paints less).

        ``previews`` are optional (reduced image, factor) pairs, e.g. from
        :func:`imgmarker.kernel.display.preview.pyramid`: block (p, q) of a preview with factor f
        covers image pixels [p*f, (p+1)*f) x [q*f, (q+1)*f). When zoomed out, the view
        draws the coarsest preview that is still at least as fine as the screen.

        A frame too large to hold is shown through an overview: ``image`` is then itself
        a reduction by ``factor`` of a frame of ``size`` (width, height) pixels, and
        :meth:`set_detail` draws full-resolution regions over it. Coordinates always
        refer to the full frame, whatever resolution is on screen.
        """
        image = qimage_from_array(image, opaque=opaque) if isinstance(image, np.ndarray) else image
        if image.isNull():
            raise ValueError(f"{name or 'image'}: empty image")
        factor = int(factor)
        if factor < 1:
            raise ValueError(f"{name or 'image'}: reduction factor must be >= 1, got {factor}")
        if size is None:
            if factor != 1:
                raise ValueError(f"{name or 'image'}: a reduced image needs the full size")
            size = (image.width(), image.height())
        size = (int(size[0]), int(size[1]))
        self._check_reduction(name, image, factor, size, "image")
        keep = self._size == size
        levels = [(factor, image)]
        for preview, pfactor in previews:
            preview = qimage_from_array(preview, opaque=opaque) if isinstance(preview, np.ndarray) else preview
            self._check_reduction(name, preview, int(pfactor), size, "preview")
            levels.append((int(pfactor), preview))
        levels.sort(key=lambda lv: lv[0])
        self._base_factor, self._image = levels[0]
        self._previews = levels[1:]
        self._detail = None
        self._size = size
        self._state = "image"
        self._name = name
        self._reason = ""
        if not keep:
            self._fit()
        self.update()
        self.view_changed.emit()

    @staticmethod
    def _check_reduction(name: str, image: QImage, factor: int, size: tuple[int, int], what: str) -> None:
        expected = (-(-size[0] // factor), -(-size[1] // factor))
        if (image.width(), image.height()) != expected:
            raise ValueError(f"{name or 'image'}: {what} for factor {factor} is {image.width()}x{image.height()}, "
                             f"expected {expected[0]}x{expected[1]}")

    def set_detail(self, image: QImage | np.ndarray | None, x0: int = 0, y0: int = 0, factor: int = 1) -> None:
        """Draw ``image`` over the frame, its top-left block at image pixel (x0, y0), each
        of its pixels covering ``factor`` x ``factor`` image pixels (None removes it).

        Used for large frames: the region in view rendered at the screen's resolution.
        It is drawn whenever it is finer than what the view would otherwise show."""
        if image is None:
            self._detail = None
        else:
            if isinstance(image, np.ndarray):
                image = qimage_from_array(image)
            self._detail = (int(factor), int(x0), int(y0), image)
        self.update()

    def detail(self) -> tuple[int, int, int, QImage] | None:
        """(factor, x0, y0, image) of the detail shown over the frame, if any."""
        return self._detail

    def wanted_detail(self) -> tuple[tuple[float, float, float, float], int] | None:
        """(visible part of the image as x0, y0, x1, y1; reduction factor) a detail should
        have to show the view at full screen resolution, or None when the frame itself
        is fine enough (or nothing of it is in view)."""
        if self.image_size() is None:
            return None
        factor = max(1, int(1.0 / (self._scale * self.devicePixelRatioF())))
        if factor >= self._base_factor:
            return None
        w, h = self._size
        x0, y0, x1, y1 = self.visible_image_rect()
        x0, y0 = max(x0, -0.5), max(y0, -0.5)
        x1, y1 = min(x1, w - 0.5), min(y1, h - 0.5)
        if x1 <= x0 or y1 <= y0:
            return None
        return (x0, y0, x1, y1), factor

    def add_preview(self, image: QImage | np.ndarray, factor: int) -> None:
        """Add a reduction of the frame shown (as in :meth:`set_image`), e.g. the level a zoom now wants."""
        opaque = self._image is not None and not self._image.hasAlphaChannel()
        image = qimage_from_array(image, opaque=opaque) if isinstance(image, np.ndarray) else image
        self._check_reduction(self._name, image, int(factor), self._size, "preview")
        kept = [lv for lv in self._previews if lv[0] != int(factor)]
        self._previews = sorted(kept + [(int(factor), image)], key=lambda lv: lv[0])
        self.update()

    def preview_factors(self) -> list[int]:
        """Reductions the view holds of the frame shown, the frame's own first."""
        return [self._base_factor] + [f for f, _ in self._previews]

    def show_placeholder(self, name: str, *, repaint: bool = True) -> None:
        """Shown while ``name`` is being read; the previous zoom is kept for it. Without
        ``repaint`` the screen keeps the last paint until the caller asks for one."""
        self._state, self._name, self._reason, self._image = "loading", name, "", None
        if repaint:
            self.update()

    def show_error(self, name: str, reason: str) -> None:
        """Shown in place of an image that could not be read or rendered."""
        self._state, self._name, self._reason = "error", name, reason
        self._image = None
        self.update()

    def clear(self) -> None:
        self._state, self._name, self._reason = "empty", "", ""
        self._image = None
        self._detail = None
        self._size = None
        self.update()

    @property
    def state(self) -> str:
        return self._state

    @property
    def name(self) -> str:
        """Name of the image shown, loading or failed."""
        return self._name

    @property
    def message(self) -> str:
        """The text a user sees in the loading or error state ("" otherwise)."""
        if self._state == "loading":
            return f"Loading {self._name}\u2026"
        if self._state == "error":
            return f"Cannot show {self._name}\n{self._reason}"
        return ""

    def image(self) -> QImage | None:
        return self._image

    def image_size(self) -> tuple[int, int] | None:
        """(width, height) of the current image, None when no image is shown."""
        return self._size if self._state == "image" else None

    # ------------------------------------------------------------------ overlays
    def set_layer(self, name: str, items: Sequence[Any] | OverlayLayer) -> None:
        """Replace the primitives of layer ``name`` (layers draw in creation order)."""
        self._layers[name] = items if isinstance(items, OverlayLayer) else OverlayLayer(items)
        self.update()

    def set_shapes(self, name: str, shapes: Sequence[Any]) -> None:
        """Line and text primitives of overlay ``name`` (compass, scale bar)."""
        if shapes:
            self._shapes[name] = list(shapes)
        else:
            self._shapes.pop(name, None)
        self.update()

    def shapes(self, name: str) -> list[Any]:
        return list(self._shapes.get(name, ()))

    def remove_layer(self, name: str) -> None:
        self._layers.pop(name, None)
        self._shapes.pop(name, None)
        self._hidden.discard(name)
        self.update()

    def layer(self, name: str) -> OverlayLayer | None:
        return self._layers.get(name)

    def layer_names(self) -> list[str]:
        return list(self._layers)

    def set_layer_visible(self, name: str, visible: bool) -> None:
        (self._hidden.discard if visible else self._hidden.add)(name)
        self.update()

    def layer_visible(self, name: str) -> bool:
        return name not in self._hidden

    def set_labels_visible(self, visible: bool) -> None:
        self.overlay_painter.show_labels = bool(visible)
        self.update()

    def labels_visible(self) -> bool:
        return self.overlay_painter.show_labels

    def _visible_layers(self) -> list[OverlayLayer]:
        return [layer for name, layer in self._layers.items() if name not in self._hidden]

    def item_at(self, x: float, y: float) -> Any | None:
        """The visible primitive drawn under image point (x, y), if any."""
        return self.overlay_painter.item_at(self._visible_layers(), x, y, self._scale)

    def label_item_at(self, position: QPointF) -> Any | None:
        """The visible primitive whose label is drawn under widget ``position``, if any."""
        origin = self.image_to_widget(-0.5, -0.5)
        return self.overlay_painter.label_at(self._visible_layers(), position.x(), position.y(), self._scale, (origin.x(), origin.y()))

    # ------------------------------------------------------------------ mapping
    @property
    def scale(self) -> float:
        """Screen (logical) pixels per image pixel."""
        return self._scale

    @property
    def centre(self) -> tuple[float, float]:
        """Image point at the centre of the widget."""
        return self._centre

    def image_to_widget(self, x: float, y: float) -> QPointF:
        return QPointF(self.width() / 2 + self._scale * (x - self._centre[0]), self.height() / 2 + self._scale * (y - self._centre[1]))

    def widget_to_image(self, point: QPointF) -> tuple[float, float]:
        return (
            self._centre[0] + (point.x() - self.width() / 2) / self._scale,
            self._centre[1] + (point.y() - self.height() / 2) / self._scale,
        )

    def event_to_image(self, position: QPointF) -> tuple[float, float]:
        """Image point under a mouse position (the middle of the hotspot's device pixel)."""
        half = 0.5 / self.devicePixelRatioF()
        return self.widget_to_image(QPointF(position.x() + half, position.y() + half))

    def contains_image_point(self, x: float, y: float) -> bool:
        if self.image_size() is None:
            return False
        w, h = self._size
        return -0.5 <= x < w - 0.5 and -0.5 <= y < h - 0.5

    def visible_image_rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) image coordinates of the widget's corners."""
        x0, y0 = self.widget_to_image(QPointF(0, 0))
        x1, y1 = self.widget_to_image(QPointF(self.width(), self.height()))
        return x0, y0, x1, y1

    def cursor_image_pos(self) -> tuple[float, float] | None:
        """Last pointer position over the image (for "mark at cursor" keys)."""
        return self._cursor

    # ------------------------------------------------------------------ zoom & pan
    def fit_scale(self) -> float:
        if self._size is None:
            return 1.0
        w, h = self._size
        return max(min(self.width() / w, self.height() / h), 1e-6)

    def _limits(self) -> tuple[float, float]:
        return min(self.fit_scale() / 2, 1.0), MAX_SCALE

    def _fit(self) -> None:
        if self._size is None:
            return
        w, h = self._size
        self._scale = self.fit_scale()
        self._centre = ((w - 1) / 2, (h - 1) / 2)
        self._fitted = True

    def zoom_fit(self) -> None:
        self._fit()
        self._changed()

    def zoom_actual(self) -> None:
        """1:1 — one image pixel per device pixel, snapped so pixels sit on the screen grid."""
        dpr = self.devicePixelRatioF()
        self.set_scale(1.0 / dpr)
        corner = self.image_to_widget(-0.5, -0.5)
        dx = (round(corner.x() * dpr) - corner.x() * dpr) / dpr
        dy = (round(corner.y() * dpr) - corner.y() * dpr) / dpr
        self.pan_by(dx, dy)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self.set_scale(self._scale * factor, anchor)

    def set_scale(self, scale: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``scale``, keeping the image point under ``anchor`` (widget coords) fixed."""
        lo, hi = self._limits()
        scale = min(max(scale, lo), hi)
        if anchor is None:
            anchor = QPointF(self.width() / 2, self.height() / 2)
        ax, ay = self.widget_to_image(anchor)
        self._scale = scale
        self._centre = (ax - (anchor.x() - self.width() / 2) / scale, ay - (anchor.y() - self.height() / 2) / scale)
        self._fitted = False
        self._changed()

    def centre_on(self, x: float, y: float) -> None:
        self._centre = (float(x), float(y))
        self._fitted = False
        self._changed()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) screen pixels (positive: content moves right/down)."""
        self.centre_on(self._centre[0] - dx / self._scale, self._centre[1] - dy / self._scale)

    def view_state(self) -> dict:
        """Zoom and centre as plain JSON-able values (to restore per campaign)."""
        return {"scale": self._scale, "centre": list(self._centre), "fitted": self._fitted}

    def set_view_state(self, state: dict) -> None:
        if state.get("fitted", False):
            self.zoom_fit()
            return
        self.set_scale(float(state["scale"]))
        self.centre_on(*(float(v) for v in state["centre"]))

    def _changed(self) -> None:
        self.update()
        self.view_changed.emit()

    # ------------------------------------------------------------------ painting
    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # ------------------------------------------------------------------ input
    def resizeEvent(self, event) -> None:
        if self._fitted:
            self._fit()
        super().resizeEvent(event)
        self.view_changed.emit()
