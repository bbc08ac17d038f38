"""Starting the application from the command line."""

from __future__ import annotations

import os
import subprocess
import sys

from imgmarker.cli import main


def test_demo_no_run_writes_a_campaign_that_validates(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "demo"), "--no-run"]) == 0
    assert "imgmarker run" in capsys.readouterr().out
    assert main(["validate", str(tmp_path / "demo" / "experiment.yaml")]) == 0
    assert "images:     4 found" in capsys.readouterr().out


def test_run_with_a_broken_experiment_reports_and_exits_1(tmp_path):
    (tmp_path / "experiment.yaml").write_text("schema_version: 1\nimages: {directory: nowhere}\n")
    result = subprocess.run([sys.executable, "-m", "imgmarker", "run", str(tmp_path / "experiment.yaml")],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 1
    assert f"{tmp_path / 'experiment.yaml'}:2: images.directory" in result.stderr


def test_local_plugin_files_are_imported_only_when_confirmed(tmp_path, monkeypatch):
    from PyQt6.QtWidgets import QMessageBox

    import imgmarker.shell.app as app

    (tmp_path / "images").mkdir()
    (tmp_path / "extra.py").write_text("import imgmarker\n")
    path = tmp_path / "experiment.yaml"
    path.write_text("schema_version: 1\nimages: {directory: images}\nplugins: {modules: [extra.py, json]}\n")
    assert app.local_modules(path) == [tmp_path / "extra.py"]  # installed modules need no question
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.No))
    assert app.confirm_modules(app.local_modules(path)) is False
    assert str(tmp_path / "extra.py") in asked[0]
