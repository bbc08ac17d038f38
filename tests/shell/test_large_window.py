"""A 20,000 x 20,000 FITS in the real window: opens without reading every pixel, zooms,
and a mark placed at high zoom is recorded at exactly the pixel under the pointer."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest

from datamakers import write_sparse_fits
from imgmarker.shell.app import open_window

SIZE = 20_000
STAR = (12_345, 6_789)  # FITS 0-based (x, y)


@pytest.fixture
def huge_window(qtbot, tmp_path):
    (tmp_path / "images").mkdir()
    write_sparse_fits(tmp_path / "images" / "huge.fits", SIZE, SIZE, {STAR: 1000.0})
    (tmp_path / "experiment.yaml").write_text("schema_version: 1\nimages: {directory: images}\n")
    win = open_window(tmp_path / "experiment.yaml", user="tester")
    qtbot.addWidget(win)
    win.resize(900, 700)
    win.show()
    win.start()
    win.activateWindow()
    qtbot.waitUntil(lambda: win.view.state == "image", timeout=20000)
    yield win
    win.close()
    win.session.close()


def test_huge_image_mark_is_recorded_exactly(huge_window, qtbot):
    win = huge_window
    view = win.view
    assert view.image_size() == (SIZE, SIZE)  # the full frame's geometry, shown from an overview
    star_x, star_y = STAR[0], SIZE - 1 - STAR[1]  # display y runs down
    view.centre_on(star_x, star_y)
    view.set_scale(8.0)
    point = view.image_to_widget(star_x + 0.25, star_y - 0.25)
    widget_point = QPoint(int(point.x()), int(point.y()))
    expected = view.event_to_image(widget_point.toPointF())
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=widget_point)
    (mark,) = win.session.marks()
    assert (mark.x, mark.y) == expected  # exactly what the mapping says, no rounding on the way in
    assert abs(mark.x - star_x) < 0.5 and abs(mark.y - star_y) < 0.5
    qtbot.waitUntil(lambda: view.detail() is not None, timeout=20000)  # full resolution where zoomed in
    over_star = view.image_to_widget(star_x, star_y)
    QTest.mouseMove(view, QPoint(int(over_star.x()) + 3, int(over_star.y()) + 3))
    QTest.mouseMove(view, QPoint(int(over_star.x()), int(over_star.y())))
    assert "value 1000" in win.readout.text()  # read from the memory-mapped file, one page
