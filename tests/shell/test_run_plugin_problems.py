"""``imgmarker run`` with a broken plugin: the window opens, and the problem is said
once on stderr and once in the campaign's log file. Run in a child process, as a user
starts it, so the window's event loop leaves no trace in the other tests."""

from __future__ import annotations

import os
import subprocess
import sys

from datamakers import gradient, write_fits
from plugin_maker import write_module

# Starts the command with a timer that closes the window once it shows an image.
DRIVER = """
import sys
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication
from imgmarker.cli import main

app = QApplication(sys.argv[:1])

def close_soon():
    window = next((w for w in app.topLevelWidgets() if hasattr(w, "session") and w.isVisible()), None)
    if window is None:
        QTimer.singleShot(50, close_soon)
        return
    print("shown:", window.session.current.name)
    window.close()
    app.quit()

QTimer.singleShot(50, close_soon)
sys.exit(main(sys.argv[1:]))
"""


def test_a_plugin_that_fails_to_load_is_reported_once_and_the_window_opens(tmp_path):
    folder = tmp_path / "camp"
    (folder / "images").mkdir(parents=True)
    write_fits(folder / "images" / "a.fits", gradient(8, 10))
    module = write_module(folder, "broken", "import nonexistent_dependency_run\n")
    path = folder / "experiment.yaml"
    path.write_text("schema_version: 1\nname: t\nimages: {directory: images}\nplugins: {modules: [broken.py]}\n",
                    encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IMGMARKER_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", DRIVER, "run", str(path), "--trust-modules", "--user", "ann"],
                            capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["shown: a.fits"]
    line = (f"plugin 'broken' (module {module}) not loaded: ModuleNotFoundError: "
            "No module named 'nonexistent_dependency_run' (broken.py:1)")
    qt_noise = "This plugin does not support propagateSizeHints()"  # the offscreen platform's own note
    problems = [text for text in result.stderr.splitlines() if text.strip() and text != qt_noise]
    assert problems == [f"error: {line}"]
    log = (folder / "results" / "imgmarker.log").read_text(encoding="utf-8")
    assert log.count("nonexistent_dependency_run") == 1 and f"ERROR imgmarker: {line}" in log
