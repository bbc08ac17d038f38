"""Render the main window, the settings dialog and the controls window of the demo
campaign to docs/screenshots/ (offscreen), so the pictures in the README stay current;
also the main window under a dark palette, to check that both themes stay readable.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtGui import QColor, QPalette  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from imgmarker.kernel.experiment.demo import write_demo  # noqa: E402
from imgmarker.shell import commands  # noqa: E402
from imgmarker.shell.app import open_window  # noqa: E402


def wait(app: QApplication, condition, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not show the image in time")
        app.processEvents()
        time.sleep(0.01)


DARK = {"Window": "#2b2b2b", "WindowText": "#e0e0e0", "Base": "#1e1e1e", "AlternateBase": "#333333",
        "Text": "#e0e0e0", "Button": "#3a3a3a", "ButtonText": "#e0e0e0", "PlaceholderText": "#9a9a9a",
        "ToolTipBase": "#3a3a3a", "ToolTipText": "#e0e0e0"}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    return palette


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    shoot(app, out, "")
    app.setPalette(dark_palette())
    shoot(app, out, "-dark", main_only=True)
    print(f"screenshots written to {out}")


def shoot(app: QApplication, out: Path, suffix: str, *, main_only: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IMGMARKER_CONFIG_DIR"] = str(Path(tmp) / "config")
        window = open_window(write_demo(Path(tmp) / "demo"), user="demo")
        window.session.set_setting("instructions_seen", True)
        window.resize(1400, 900)
        window.overview_dock.show()
        window.show()
        window.start()
        wait(app, lambda: window.view.state == "image")
        ws = window.workspace
        for group, (x, y) in (("BCG", (300.0, 231.0)), ("Star", (120.0, 90.0)), ("Star", (410.0, 380.0))):
            ws.place(group, x, y)
        ws.toggle_category(window.experiment.categories.names()[0])
        window.overview.refresh_current()
        for _ in range(20):
            app.processEvents()
        window.grab().save(str(out / f"main-window{suffix}.png"))
        if main_only:
            window.close()
            window.session.close()
            return
        settings = commands.open_settings(window)
        settings.adjustSize()
        for _ in range(5):
            app.processEvents()
        settings.grab().save(str(out / "settings.png"))
        settings.close()
        controls = commands.show_controls(window)
        for _ in range(5):
            app.processEvents()
        controls.grab().save(str(out / "controls.png"))
        window.close()
        window.session.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "screenshots")
