"""The files of this campaign that could not be read: name and reason, with Retry
(after fixing the file, or a plugin) and a jump to the image."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (QHBoxLayout, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                             QWidget)

from imgmarker.kernel.imaging.images import ImageReadError
from imgmarker.kernel.annotations.names import readable_name


class ErrorsPanel(QWidget):
    retry = pyqtSignal(list)  # render keys whose errors to forget
    jump = pyqtSignal(str)  # image name
    found = pyqtSignal()  # a new unreadable file

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._keys: dict[str, list[Any]] = {}
        self._items: dict[str, QTreeWidgetItem] = {}
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["File", "Reason"])
        self.table.setRootIsDecorated(False)
        self.table.itemDoubleClicked.connect(lambda item, _c: self.jump.emit(item.text(0)))
        retry = QPushButton("Retry")
        retry.setToolTip("Forget the error and read the file again")
        retry.clicked.connect(self._retry)
        self.retry_button = retry
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(retry)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def outcome(self, outcome: Any) -> None:
        """A render finished (prefetched or shown): list it if it failed, drop it if not."""
        name = outcome.key[0]
        if outcome.ok:
            if name in self._items and not self._keys.get(name):
                self._remove(name)
            return
        error = outcome.error
        reason = error.reason if isinstance(error, ImageReadError) else f"{type(error).__name__}: {error}"
        keys = self._keys.setdefault(name, [])
        if outcome.key not in keys:
            keys.append(outcome.key)
        item = self._items.get(name)
        if item is None:
            item = QTreeWidgetItem([readable_name(name), reason])
            item.setToolTip(1, reason)
            self._items[name] = item
            self.table.addTopLevelItem(item)
            self.found.emit()
        else:
            item.setText(1, reason)

    def names(self) -> list[str]:
        return [self.table.topLevelItem(i).text(0) for i in range(self.table.topLevelItemCount())]

    def reason(self, name: str) -> str:
        return self._items[name].text(1)

    def _remove(self, name: str) -> None:
        item = self._items.pop(name)
        self._keys.pop(name, None)
        self.table.takeTopLevelItem(self.table.indexOfTopLevelItem(item))

    def _retry(self) -> None:
        selected = [i.text(0) for i in self.table.selectedItems()] or list(self._items)
        keys = [k for name in selected for k in self._keys.get(name, [])]
        for name in selected:
            self._remove(name)
        self.retry.emit(keys)
