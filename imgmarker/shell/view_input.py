"""Mouse and keyboard gestures of the image view, kept apart from its painting and
content so each reads on its own.

A left click that does not move emits ``clicked``; a left drag on empty space (or on an
unselected marker) pans; a left drag that starts on a selected marker moves it
(``item_drag_*``). Middle click or Alt+left click centres the view on the cursor; a
middle drag pans. Wheel up zooms in toward the cursor. Arrow keys pan.
"""

from __future__ import annotations

from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QCursor
from PyQt6.QtWidgets import QApplication

ZOOM_STEP = 1.25


class ViewInput:
    """Event handlers mixed into :class:`~imgmarker.shell.view.ImageView`; they use its
    mapping (``event_to_image``, ``pan_by``, ``zoom_by``, ...) and emit its signals."""

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if not steps or self.image_size() is None:
            event.ignore()
            return
        self.zoom_by(ZOOM_STEP**steps, QPointF(event.position().x() + 0.5 / self.devicePixelRatioF(), event.position().y() + 0.5 / self.devicePixelRatioF()))
        event.accept()

    def mousePressEvent(self, event) -> None:
        pos = event.position()
        item = None
        if event.button() == Qt.MouseButton.LeftButton and self.image_size() is not None:
            hit = self.item_at(*self.event_to_image(pos))
            if self.drag_selected_items and hit is not None and getattr(hit, "selected", False):
                item = hit
        self._press = {
            "button": event.button(),
            "modifiers": event.modifiers(),
            "pos": QPointF(pos),
            "last": QPointF(pos),
            "moved": False,
            "item": item,
        }
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        self._track(pos)
        press = self._press
        if press is None:
            return
        if not press["moved"]:
            delta = pos - press["pos"]
            if abs(delta.x()) + abs(delta.y()) < QApplication.startDragDistance():
                return
            press["moved"] = True
            if press["item"] is not None:
                self.item_drag_started.emit(press["item"])
            elif press["button"] in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
        if press["item"] is not None:
            x, y = self.event_to_image(pos)
            self._ghost = (press["item"], x, y)
            self.item_dragged.emit(press["item"], x, y)
            self.update()
        elif press["button"] in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            delta = pos - press["last"]
            self.pan_by(delta.x(), delta.y())
        press["last"] = QPointF(pos)

    def mouseReleaseEvent(self, event) -> None:
        press, self._press = self._press, None
        self.unsetCursor()
        if press is None or event.button() != press["button"]:
            return
        if press["moved"]:
            if press["item"] is not None:
                self._ghost = None
                x, y = self.event_to_image(event.position())
                self.update()
                self.item_drag_finished.emit(press["item"], x, y)
            return
        if self.image_size() is None:
            return
        x, y = self.event_to_image(press["pos"])
        alt = bool(press["modifiers"] & Qt.KeyboardModifier.AltModifier)
        if press["button"] == Qt.MouseButton.MiddleButton or (press["button"] == Qt.MouseButton.LeftButton and alt):
            if self.middle_click_centres:
                self.centre_on_point(press["pos"])
            return
        self.clicked.emit(x, y, press["button"], press["modifiers"])

    def mouseDoubleClickEvent(self, event) -> None:
        if self.image_size() is not None:
            x, y = self.event_to_image(event.position())
            self.double_clicked.emit(x, y, event.button(), event.modifiers())
        event.accept()

    def centre_on_point(self, position: QPointF) -> None:
        """Centre the view on the image point under widget ``position`` (and warp the pointer there)."""
        self.centre_on(*self.event_to_image(position))
        if self.move_cursor_on_centre and self.isVisible():
            QCursor.setPos(self.mapToGlobal(QPoint(self.width() // 2, self.height() // 2)))

    def leaveEvent(self, event) -> None:
        self._cursor = None
        self.cursor_moved.emit(None, None)
        super().leaveEvent(event)

    def _track(self, pos: QPointF) -> None:
        x, y = self.event_to_image(pos)
        if self.contains_image_point(x, y):
            self._cursor = (x, y)
            self.cursor_moved.emit(x, y)
        elif self._cursor is not None:
            self._cursor = None
            self.cursor_moved.emit(None, None)

    def keyPressEvent(self, event) -> None:
        step = max(self.width(), self.height()) * (0.5 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 0.1)
        moves = {
            Qt.Key.Key_Left: (step, 0),
            Qt.Key.Key_Right: (-step, 0),
            Qt.Key.Key_Up: (0, step),
            Qt.Key.Key_Down: (0, -step),
        }
        move = moves.get(Qt.Key(event.key()))
        if move is None or self.image_size() is None:
            super().keyPressEvent(event)
            return
        self.pan_by(*move)
        event.accept()
