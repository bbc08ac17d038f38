"""Edit > Settings: what the experiment lets an annotator change for themselves.

The dialog only collects; the window stores (per annotator, in their database) and
rebuilds. Group and category overrides are keyed by their names in the experiment
file, so a name changed twice still maps onto the same group.
"""

from __future__ import annotations

from typing import Any, Callable

from PyQt6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                             QGroupBox, QLineEdit, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from imgmarker.kernel.campaign.ordering import ORDER_MODES
from imgmarker.kernel.experiment.overrides import MIDDLE_CLICK
from imgmarker.shell.workspace import DEFAULT_CACHE_MB

MIDDLE_TEXT = {"center": "centre the view", "center-and-move-cursor": "centre the view and move the cursor along",
               "none": "nothing"}


class SettingsDialog(QDialog):
    def __init__(self, session: Any, parent: Any = None, *,
                 apply: Callable[[dict, dict], bool] | None = None):
        """``apply(overrides, preferences)`` stores them; False keeps the dialog open."""
        super().__init__(parent)
        self._apply = apply
        self.setWindowTitle("imgmarker: settings")
        self.session = session
        base, current = session.base_experiment, session.experiment
        self.base = base

        groups = QGroupBox("Mark groups")
        self.groups = QTableWidget(len(base.groups), 2)
        self.groups.setHorizontalHeaderLabels(["Name", "Limit per image"])
        self.limits: list[QSpinBox] = []
        for row, group in enumerate(current.groups):
            self.groups.setItem(row, 0, QTableWidgetItem(group.name))
            limit = QSpinBox()
            limit.setRange(0, 100000)
            limit.setSpecialValueText("no limit")
            limit.setValue(group.max or 0)
            self.groups.setCellWidget(row, 1, limit)
            self.limits.append(limit)
        self.groups.horizontalHeader().setStretchLastSection(True)
        self.groups.setColumnWidth(0, 220)
        self.groups.resizeRowsToContents()
        shown = min(len(base.groups), 9)
        rows_height = sum(self.groups.rowHeight(r) for r in range(shown))
        self.groups.setMinimumHeight(rows_height + self.groups.horizontalHeader().sizeHint().height() + 6)
        self.groups.itemChanged.connect(lambda _item: self._fill_left_click())
        box = QVBoxLayout(groups)
        box.addWidget(self.groups)

        categories = QGroupBox("Image categories")
        form = QFormLayout(categories)
        self.categories: list[QLineEdit] = []
        for base_cat, cat in zip(base.categories.items, current.categories.items):
            edit = QLineEdit(cat.name)
            form.addRow(f"{base_cat.name}:", edit)
            self.categories.append(edit)

        work = QGroupBox("Marking and order")
        form = QFormLayout(work)
        self.left_click = QComboBox()
        form.addRow("Left click places", self.left_click)
        self.middle_click = QComboBox()
        for value in MIDDLE_CLICK:
            self.middle_click.addItem(MIDDLE_TEXT[value], value)
        self.middle_click.setCurrentIndex(MIDDLE_CLICK.index(current.controls.middle_click))
        form.addRow("Middle click / Alt+click", self.middle_click)
        self.order_mode = QComboBox()
        self.order_mode.addItems(ORDER_MODES)
        self.order_mode.setCurrentText(current.order.mode)
        form.addRow("Order of images not seen yet", self.order_mode)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(current.order.seed)
        form.addRow("Order seed", self.seed)
        self.repeat = QDoubleSpinBox()
        self.repeat.setRange(0.0, 1.0)
        self.repeat.setSingleStep(0.05)
        self.repeat.setDecimals(2)
        self.repeat.setValue(current.consistency.fraction)
        form.addRow("Fraction of images shown again", self.repeat)

        display = QGroupBox("Display and memory")
        form = QFormLayout(display)
        self.sexagesimal = QCheckBox("RA/Dec as hh:mm:ss / dd:mm:ss")
        self.sexagesimal.setChecked(bool(session.get_setting("sexagesimal", True)))
        form.addRow("Sky coordinates", self.sexagesimal)
        self.show_galactic = QCheckBox("Also show galactic l, b")
        self.show_galactic.setChecked(bool(session.get_setting("show_galactic", False)))
        form.addRow("", self.show_galactic)
        self.cache = QSpinBox()
        self.cache.setRange(64, 65536)
        self.cache.setSuffix(" MB")
        self.cache.setValue(int(session.get_setting("cache_mb", DEFAULT_CACHE_MB)))
        self.cache.setToolTip("All the memory the window uses for images: pictures ready to show, "
                              "raw pixels for the readout, levels for quick stretch changes and renders in progress")
        form.addRow("Image cache", self.cache)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        for widget in (groups, categories, work, display, buttons):
            layout.addWidget(widget)
        self._left_default = session.get_setting("left_click_group", current.controls.left_click_group)
        self._fill_left_click()
        self.resize(560, 720)

    def group_names(self) -> list[str]:
        return [self.groups.item(row, 0).text().strip() for row in range(self.groups.rowCount())]

    def _fill_left_click(self) -> None:
        row = self.left_click.currentIndex()
        if row < 0:  # first fill: the group the workspace uses now
            names = self.session.experiment.group_names
            row = names.index(self._left_default) if self._left_default in names else 0
        self.left_click.blockSignals(True)
        self.left_click.clear()
        self.left_click.addItems(self.group_names())
        self.left_click.setCurrentIndex(row)
        self.left_click.blockSignals(False)

    def collect(self) -> tuple[dict, dict]:
        """(experiment overrides, plain preferences) as the dialog shows them."""
        base = self.base
        overrides = {k: v for k, v in self.session.overrides.items() if k == "catalogs"}
        groups = {}
        for group, name, limit in zip(base.groups, self.group_names(), self.limits):
            over = {}
            if name != group.name:
                over["name"] = name
            if (limit.value() or None) != group.max:
                over["max"] = limit.value()
            if over:
                groups[group.name] = over
        if groups:
            overrides["groups"] = groups
        categories = {c.name: e.text().strip() for c, e in zip(base.categories.items, self.categories)
                      if e.text().strip() != c.name}
        if categories:
            overrides["categories"] = categories
        if (self.order_mode.currentText(), self.seed.value()) != (base.order.mode, base.order.seed):
            overrides["order"] = {"mode": self.order_mode.currentText(), "seed": self.seed.value()}
        if abs(self.repeat.value() - base.consistency.fraction) > 1e-9:
            overrides["repeat_fraction"] = self.repeat.value()
        left = self.left_click.currentText()
        overrides["left_click_group"] = left
        if self.middle_click.currentData() != base.controls.middle_click:
            overrides["middle_click"] = self.middle_click.currentData()
        prefs = {"sexagesimal": self.sexagesimal.isChecked(), "cache_mb": self.cache.value(),
                 "left_click_group": left, "show_galactic": self.show_galactic.isChecked()}
        return overrides, prefs

    def apply(self) -> bool:
        return True if self._apply is None else bool(self._apply(*self.collect()))

    def accept(self) -> None:
        if self.apply():
            super().accept()
