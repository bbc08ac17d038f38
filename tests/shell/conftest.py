from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent, QWheelEvent
from PyQt6.QtWidgets import QApplication

from imgmarker.shell.qimage import array_from_qimage
from imgmarker.shell.view import ImageView


@dataclass
class Marker:
    x: float
    y: float
    shape: str = "plus"
    size: float = 8.0
    color: str = "#ff00ff"
    label: str | None = None
    selected: bool = False


@pytest.fixture
def view(qtbot):
    v = ImageView()
    v.move_cursor_on_centre = False
    qtbot.addWidget(v)
    v.resize(400, 300)
    v.show()
    qtbot.waitExposed(v)
    return v


def gray_image(w=200, h=100, value=60):
    return np.full((h, w, 3), value, np.uint8)


def render(view) -> np.ndarray:
    """What the user sees: the widget's pixels as (H, W, 4) RGBA."""
    return array_from_qimage(view.grab().toImage())


def mouse(view, kind, pos, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier):
    types = {
        "press": QMouseEvent.Type.MouseButtonPress,
        "move": QMouseEvent.Type.MouseMove,
        "release": QMouseEvent.Type.MouseButtonRelease,
        "double": QMouseEvent.Type.MouseButtonDblClick,
    }
    local = QPointF(pos)
    held = Qt.MouseButton.NoButton if kind == "release" else button
    event = QMouseEvent(types[kind], local, QPointF(view.mapToGlobal(local)), button if kind != "move" else Qt.MouseButton.NoButton, held, modifiers)
    QApplication.sendEvent(view, event)


def wheel(view, pos, steps=1):
    local = QPointF(pos)
    event = QWheelEvent(
        local,
        QPointF(view.mapToGlobal(local)),
        QPoint(0, 0),
        QPoint(0, int(120 * steps)),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view, event)


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    """Recent-campaign lists and similar go to a temporary folder, never the user's."""
    monkeypatch.setenv("IMGMARKER_CONFIG_DIR", str(tmp_path / "config"))
