"""Help > Controls: generated from the campaign's live key bindings, so the page names
this campaign's groups and categories and the keys it really uses."""

from __future__ import annotations

import html
from typing import Any

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from imgmarker.kernel.experiment.bindings import MOUSE_CONTROLS, key_bindings

SECTIONS = ("Marks", "Categories", "Navigation", "Edit", "View")


def controls_html(experiment: Any) -> str:
    rows: dict[str, list[tuple[str, str]]] = {}
    for binding in key_bindings(experiment):
        rows.setdefault(binding.section, []).append((binding.key, binding.description))
    left = experiment.controls.left_click_group
    parts = [f"<h2>{html.escape(experiment.name)}: controls</h2>",
             f"<p>Left click places a <b>{html.escape(left)}</b> mark (change it in the side panel or in "
             "Edit &gt; Settings).</p>"]
    for section in list(SECTIONS) + sorted(set(rows) - set(SECTIONS)):
        if section not in rows:
            continue
        parts.append(f"<h3>{section}</h3><table cellspacing='0' cellpadding='3'>")
        keys: dict[str, list[str]] = {}
        for key, description in rows[section]:
            keys.setdefault(description, []).append(key)
        for description, names in keys.items():
            shown = " or ".join(f"<b>{html.escape(k)}</b>" for k in names)
            parts.append(f"<tr><td width='160'>{shown}</td><td>{html.escape(description)}</td></tr>")
        parts.append("</table>")
    parts.append("<h3>Mouse</h3><table cellspacing='0' cellpadding='3'>")
    for what, does in MOUSE_CONTROLS:
        parts.append(f"<tr><td width='160'><b>{html.escape(what)}</b></td><td>{html.escape(does)}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


class ControlsDialog(QDialog):
    def __init__(self, experiment: Any, parent: Any = None):
        super().__init__(parent)
        self.setWindowTitle("imgmarker: controls")
        self.html = controls_html(experiment)
        self.browser = QTextBrowser()
        self.browser.setHtml(self.html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(620, 680)
