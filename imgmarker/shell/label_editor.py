"""The inline editor for a mark's label."""

from __future__ import annotations

from typing import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLineEdit


class LabelEditor(QLineEdit):
    """Inline label editor: Enter keeps the text, Esc (or leaving) cancels."""

    def __init__(self, parent, mark, on_done: Callable[[int, str], None]):
        super().__init__(mark.label, parent)
        self.mark = mark
        self._on_done = on_done
        self._finished = False
        self.selectAll()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish(True)
        elif event.key() == Qt.Key.Key_Escape:
            self._finish(False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self._finish(False)

    def _finish(self, keep: bool) -> None:
        if self._finished:
            return
        self._finished = True
        if keep and self.text() != self.mark.label:
            self._on_done(self.mark.id, self.text())
        self.parent().setFocus()
        self.deleteLater()
