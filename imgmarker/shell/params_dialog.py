"""A small dialog generated from a filter's parameter specs; every change previews live."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLineEdit, QSpinBox


class ParamsDialog(QDialog):
    changed = pyqtSignal(dict)

    def __init__(self, spec: Any, values: dict[str, Any], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"{spec.kind} {spec.label or spec.name}: parameters")
        self.values = {p.name: values.get(p.name, p.default) for p in spec.parameters}
        layout = QFormLayout(self)
        self.editors: dict[str, Any] = {}
        for param in spec.parameters:
            editor = self._editor(param, self.values[param.name])
            editor.setToolTip(param.description)
            layout.addRow(param.name, editor)
            self.editors[param.name] = editor
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addRow(buttons)

    def _editor(self, param: Any, value: Any):
        name = param.name
        if param.type == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda v: self._set(name, bool(v)))
            return box
        if param.type == "choice":
            box = QComboBox()
            for choice in param.choices:
                box.addItem(str(choice), choice)
            box.setCurrentIndex(max(0, box.findData(value)))
            box.currentIndexChanged.connect(lambda i: self._set(name, box.itemData(i)))
            return box
        if param.type == "int":
            box = QSpinBox()
            box.setRange(int(param.minimum if param.minimum is not None else -10**9),
                         int(param.maximum if param.maximum is not None else 10**9))
            box.setValue(int(value if value is not None else 0))
            box.valueChanged.connect(lambda v: self._set(name, int(v)))
            return box
        if param.type == "float":
            box = QDoubleSpinBox()
            box.setDecimals(4)
            box.setRange(float(param.minimum if param.minimum is not None else -1e12),
                         float(param.maximum if param.maximum is not None else 1e12))
            box.setSingleStep(0.1 if abs(float(value or 1)) < 10 else 1.0)
            box.setValue(float(value if value is not None else 0.0))
            box.valueChanged.connect(lambda v: self._set(name, float(v)))
            return box
        edit = QLineEdit(str(value or ""))
        edit.editingFinished.connect(lambda: self._set(name, edit.text()))
        return edit

    def _set(self, name: str, value: Any) -> None:
        self.values[name] = value
        self.changed.emit({k: v for k, v in self.values.items() if v is not None})
