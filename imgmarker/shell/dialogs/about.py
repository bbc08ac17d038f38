"""Help > About: versions, loaded plugins (with their load errors) and where the
results go: what a bug report needs."""

from __future__ import annotations

import html
import platform
from typing import Any

from PyQt6.QtCore import PYQT_VERSION_STR, QT_VERSION_STR, QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QTextBrowser, QVBoxLayout

import imgmarker


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return "not installed"


def about_html(session: Any) -> str:
    parts = [f"<h2>imgmarker {imgmarker.__version__}</h2>",
             "<p>Marking and classifying scientific images.</p><table cellpadding='2'>"]
    for name, value in (("Python", platform.python_version()), ("Qt", QT_VERSION_STR), ("PyQt", PYQT_VERSION_STR),
                        ("astropy", _version("astropy")), ("numpy", _version("numpy")),
                        ("Experiment", str(session.base_experiment.path or "(none)")),
                        ("Annotator", session.user), ("Output folder", str(session.output_dir))):
        parts.append(f"<tr><td><b>{name}</b></td><td>{html.escape(value)}</td></tr>")
    parts.append("</table><h3>Plugins</h3><table cellpadding='2'>")
    for info in getattr(session.host, "infos", []):
        state = (f"<span style='color:#D55E00'><b>not loaded:</b> {html.escape(info.error)}</span>"
                 if info.error else html.escape(", ".join(h.removeprefix("imgmarker_") for h in info.hooks)))
        parts.append(f"<tr><td><b>{html.escape(info.name)}</b></td><td>{html.escape(info.version or '')}</td>"
                     f"<td>{html.escape(info.source)}: {html.escape(info.origin)}</td><td>{state}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


class AboutDialog(QDialog):
    def __init__(self, session: Any, parent: Any = None):
        super().__init__(parent)
        self.setWindowTitle("About imgmarker")
        self.html = about_html(session)
        browser = QTextBrowser()
        browser.setHtml(self.html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        folder = QPushButton("Open the output folder")
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(session.output_dir))))
        buttons.addButton(folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        self.resize(720, 520)
