"""Every experiment the documentation shows, and the starter ``imgmarker init`` writes,
is validated and then marked in the real window: the first image is painted, a group's
key over the image places a mark, closing writes the outputs."""

from __future__ import annotations

import csv
import json

import pytest
import yaml
from PyQt6.QtCore import QPoint
from PyQt6.QtGui import QKeySequence
from PyQt6.QtTest import QTest

from docexamples import HEIGHT, WIDTH, documented_yaml, experiment_text, prepare
from imgmarker.cli import main
from imgmarker.shell.app import open_window

# A team campaign needs its PostgreSQL server: tests/team/test_team_doc.py runs those
# examples as written (in the window too) against a throwaway server of its own.
EXAMPLES = [e for e in documented_yaml() if "campaign" not in (yaml.safe_load(e.text) or {})]


def test_the_documentation_shows_experiments():
    assert any(not e.is_fragment for e in EXAMPLES)  # the README's, at least


def _luminance(image, point: QPoint) -> float:
    colour = image.pixelColor(point)
    return 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()


def mark_in_the_window(qtbot, experiment_path, capsys) -> None:
    assert main(["validate", str(experiment_path)]) == 0, capsys.readouterr()
    assert "images:     1 found" in capsys.readouterr().out
    win = open_window(experiment_path, user="tester")
    session = win.session
    try:
        qtbot.addWidget(win)
        win.resize(900, 650)
        win.show()
        win.start()
        box = getattr(win, "instructions_box", None)
        if box is not None:
            box.close()
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        qtbot.waitUntil(lambda: win.view.state == "image", timeout=10000)

        def widget_point(x: float, y: float) -> QPoint:
            p = win.view.image_to_widget(x, y)
            return QPoint(int(round(p.x())), int(round(p.y())))

        # painted: the dark left and the bright right of the image differ on screen
        win.view.repaint()
        shown = win.view.grab().toImage()
        dark, bright = widget_point(WIDTH * 0.15, HEIGHT / 2), widget_point(WIDTH * 0.85, HEIGHT / 2)
        assert abs(_luminance(shown, bright) - _luminance(shown, dark)) > 60

        group = next(g for g in session.experiment.groups if g.key)
        target = widget_point(WIDTH * 0.3, HEIGHT * 0.4)
        QTest.mouseMove(win.view, target + QPoint(3, 3))
        QTest.mouseMove(win.view, target)
        x, y = win.workspace.cursor
        combo = QKeySequence(group.key)[0]
        QTest.keyClick(win.view, combo.key(), combo.keyboardModifiers())
        (mark,) = session.marks()
        assert (mark.group, mark.x, mark.y) == (group.name, x, y)
    finally:
        win.close()
        session.close()
    out = session.output_dir
    for name in session.experiment.output.writers:
        spec = session.registry.writers.get(name)
        for pattern in spec.outputs:
            assert (out / pattern.format(user="tester")).exists(), f"writer {name!r} wrote no {pattern}"
    assert "csv" in session.experiment.output.writers, "a documented experiment should show the CSV results"
    with open(out / "tester_marks.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["image"] == session.current.name and rows[0]["group"] == group.name
    assert (float(rows[0]["x"]), float(rows[0]["y"])) == pytest.approx((x, y), abs=1e-6)
    assert abs(float(rows[0]["x"]) - WIDTH * 0.3) < 2 and abs(float(rows[0]["y"]) - HEIGHT * 0.4) < 2


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_documented_experiment_runs(example, qtbot, tmp_path, capsys):
    mark_in_the_window(qtbot, prepare(tmp_path / "campaign", experiment_text(example)), capsys)


def test_init_starter_runs(qtbot, tmp_path, capsys):
    folder = tmp_path / "campaign"
    assert main(["init", str(folder)]) == 0
    capsys.readouterr()
    text = (folder / "experiment.yaml").read_text(encoding="utf-8")
    mark_in_the_window(qtbot, prepare(folder, text), capsys)


def test_init_writes_the_schema_beside_the_experiment(tmp_path):
    from imgmarker.kernel.experiment.schema import compose_schema
    from imgmarker.kernel.plugins.host import create_plugin_host

    folder = tmp_path / "campaign"
    assert main(["init", str(folder)]) == 0
    first_line = (folder / "experiment.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./experiment.schema.json"
    schema = json.loads((folder / "experiment.schema.json").read_text(encoding="utf-8"))
    assert schema == compose_schema(create_plugin_host().registry.config_schemas)
    # moved elsewhere, the folder still finds its schema: nothing points into the installation
    moved = tmp_path / "elsewhere"
    folder.rename(moved)
    assert (moved / first_line.split("$schema=")[1]).is_file()
