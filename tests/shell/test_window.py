"""The marking window driven like a user would: keys, clicks, and what ends up stored."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtTest import QTest

from imgmarker.kernel.experiment.demo import write_demo
from imgmarker.shell.app import open_window


@pytest.fixture
def window(qtbot, tmp_path):
    experiment = write_demo(tmp_path / "demo")
    win = open_window(experiment, user="tester")
    start(qtbot, win)
    wait_for_image(qtbot, win)
    yield win
    win.close()
    win.session.close()


def start(qtbot, win) -> None:
    """Show the window as a user gets it; dismiss the first-start instructions."""
    qtbot.addWidget(win)
    win.show()
    win.start()
    box = getattr(win, "instructions_box", None)
    assert box is not None and "Welcome to the imgmarker demo" in box.text()
    box.close()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def wait_for_image(qtbot, win, name: str | None = None) -> None:
    def ready():
        assert win.view.state == "image"
        if name is not None:
            assert win.session.current.name == name

    qtbot.waitUntil(ready, timeout=10000)


def widget_point(win, x: float, y: float) -> QPoint:
    p = win.view.image_to_widget(x, y)
    return QPoint(int(round(p.x())), int(round(p.y())))


def hover(win, x: float, y: float) -> tuple[float, float]:
    """Move the pointer over image point (x, y); return the image point it really hit."""
    point = widget_point(win, x, y)
    QTest.mouseMove(win.view, point + QPoint(3, 3))  # QTest drops a move to where it thinks the pointer is
    QTest.mouseMove(win.view, point)
    assert win.workspace.cursor is not None
    return win.workspace.cursor


def key(win, sequence: str) -> None:
    from PyQt6.QtGui import QKeySequence

    combo = QKeySequence(sequence)[0]
    QTest.keyClick(win.view, combo.key(), combo.keyboardModifiers())


def status(win) -> str:
    return win.statusBar().currentMessage()


def test_opens_on_the_first_image_with_title_and_readout(window):
    assert window.session.current.name == "cluster_field.fits"
    assert window.windowTitle().startswith("cluster_field.fits")
    assert "1 / 4" in window.windowTitle()
    x, y = hover(window, 300.0, 231.0)
    text = window.readout.text()
    assert text.startswith(f"x {x:.2f}  y {y:.2f}") and abs(x - 300) < 1.5 and "value" in text
    assert ":" in text.split("value")[1]  # sexagesimal RA/Dec of the FITS WCS


def test_group_key_places_a_mark_at_the_cursor(window):
    x, y = hover(window, 120.0, 200.0)
    key(window, "2")
    (mark,) = window.session.marks()
    assert mark.group == "Star"
    assert (mark.x, mark.y) == pytest.approx((x, y), abs=1e-9)
    assert abs(mark.x - 120.0) <= 1.0 / window.view.scale  # one screen pixel
    assert mark.ra is not None and mark.dec is not None


def test_left_click_places_the_left_click_group_and_limits_are_explained(window, qtbot):
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=widget_point(window, 100, 100))
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=widget_point(window, 200, 200))
    marks = window.session.marks()
    assert [m.group for m in marks] == ["BCG"]  # max 1: the second replaced the first
    assert marks[0].x == pytest.approx(200, abs=1)
    assert "replaced" in status(window)
    for i in range(5):
        hover(window, 50 + 20 * i, 50)
        key(window, "3")
    hover(window, 400, 400)
    key(window, "3")
    assert sum(m.group == "Artefact" for m in window.session.marks()) == 5
    assert "refused" in status(window) and "Artefact" in status(window)


def test_select_delete_and_multi_select(window, qtbot):
    for x in (100, 150, 200):
        hover(window, x, 300)
        key(window, "2")
    ids = [m.id for m in window.session.marks()]
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=widget_point(window, 100, 300))
    assert window.workspace.selected == {ids[0]}
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     pos=widget_point(window, 150, 300))
    assert window.workspace.selected == {ids[0], ids[1]}
    key(window, "Delete")
    assert [m.id for m in window.session.marks()] == [ids[2]]
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     pos=widget_point(window, 200, 300))
    assert window.session.marks() == []
    key(window, "Ctrl+Z")
    assert [m.id for m in window.session.marks()] == [ids[2]]
    key(window, "Ctrl+Shift+Z")
    assert window.session.marks() == []
    key(window, "Ctrl+Z")
    key(window, "Ctrl+Z")
    assert len(window.session.marks()) == 2
    key(window, "Ctrl+Y")
    assert len(window.session.marks()) == 1


def test_drag_moves_a_selected_mark(window, qtbot):
    hover(window, 100, 100)
    key(window, "2")
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=widget_point(window, 100, 100))
    start, end = widget_point(window, 100, 100), widget_point(window, 140, 160)
    QTest.mousePress(window.view, Qt.MouseButton.LeftButton, pos=start)
    for t in np.linspace(0, 1, 6)[1:]:
        QTest.mouseMove(window.view, QPoint(int(start.x() + t * (end.x() - start.x())),
                                            int(start.y() + t * (end.y() - start.y()))))
    QTest.mouseRelease(window.view, Qt.MouseButton.LeftButton, pos=end)
    (mark,) = window.session.marks()
    assert mark.x == pytest.approx(140, abs=1) and mark.y == pytest.approx(160, abs=1)


def test_double_click_edits_the_label(window, qtbot):
    hover(window, 250, 250)
    key(window, "2")
    QTest.mouseDClick(window.view, Qt.MouseButton.LeftButton, pos=widget_point(window, 250, 250))
    qtbot.waitUntil(lambda: window.label_editor is not None)
    editor = window.label_editor
    editor.selectAll()
    QTest.keyClicks(editor, "double star, \"west\"")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    (mark,) = window.session.marks()
    assert mark.label == "double star, \"west\""
    QTest.mouseDClick(window.view, Qt.MouseButton.LeftButton, pos=widget_point(window, 250, 250))
    qtbot.waitUntil(lambda: window.label_editor is not None)
    QTest.keyClicks(window.label_editor, "discarded")
    QTest.keyClick(window.label_editor, Qt.Key.Key_Escape)
    assert window.session.marks()[0].label == "double star, \"west\""


def test_copy_coordinates(window, qtbot):
    hover(window, 300, 300)
    key(window, "2")
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=widget_point(window, 300, 300))
    key(window, "Ctrl+C")
    text = QGuiApplication.clipboard().text()
    label, x, y, ra, dec = text.split("\t")
    assert label == "Star" and float(x) == pytest.approx(300, abs=1) and 150 < float(ra) < 150.2


def test_categories_comment_and_favourite(window, qtbot):
    key(window, "Ctrl+1")
    assert window.session.image_state().categories == ("Cluster",)
    key(window, "Ctrl+3")
    assert window.session.image_state().categories == ("Bad image",)  # exclusive
    assert window.panel.category_boxes["Bad image"].isChecked()
    assert not window.panel.category_boxes["Cluster"].isChecked()
    window.panel.category_boxes["Cluster"].click()
    assert window.session.image_state().categories == ("Cluster",)
    key(window, "F")
    assert window.session.image_state().favorite
    window.panel.favorite.click()
    assert not window.session.image_state().favorite
    window.panel.comment.setFocus()
    QTest.keyClicks(window.panel.comment, "faint arc, near ")
    window.panel.comment.insertPlainText("édge")  # QTest types ASCII only
    QTest.keyClick(window.panel.comment, Qt.Key.Key_Return)
    assert window.session.image_state().comment == "faint arc, near édge"
    assert window.view.hasFocus()  # Enter left the comment box for the image


def test_navigation_keys_and_buttons(window, qtbot):
    key(window, "Tab")
    wait_for_image(qtbot, window, "colour_field.png")
    assert "2 / 4" in window.windowTitle()
    key(window, "Shift+Tab")
    wait_for_image(qtbot, window, "cluster_field.fits")
    window.workspace.navigate("next_unseen")  # colour_field.png was seen when we left it
    wait_for_image(qtbot, window, "gray_field.jpg")
    window.workspace.navigate("next")
    wait_for_image(qtbot, window, "two_bands.tif")
    window.workspace.navigate("next")
    assert "last image" in status(window)
    assert [window.panel.frames.item(i).text() for i in range(window.panel.frames.count())] == ["page 1", "page 2"]
    window.workspace.navigate("previous")  # one frame again: the list follows the image
    wait_for_image(qtbot, window, "gray_field.jpg")
    assert window.panel.frames.count() == 1
    window.workspace.navigate("next")
    wait_for_image(qtbot, window, "two_bands.tif")
    assert window.panel.frames.count() == 2
    before = window.view.image().copy()
    key(window, "Space")
    qtbot.waitUntil(lambda: window.workspace.frame == 1 and window.view.image() is not None
                    and window.view.image() != before)
    key(window, "Shift+Space")
    assert window.workspace.frame == 0


def test_marks_are_per_frame(window, qtbot):
    window.workspace.go_to(3)
    wait_for_image(qtbot, window, "two_bands.tif")
    hover(window, 100, 100)
    key(window, "2")
    key(window, "Space")
    qtbot.waitUntil(lambda: window.workspace.frame == 1)
    assert window.workspace.frame_marks() == []
    assert window.session.marks()[0].frame == 0


def test_visibility_toggles(window, qtbot):
    hover(window, 100, 100)
    key(window, "2")
    key(window, "Alt+M")
    assert not window.view.layer_visible("marks")
    key(window, "Alt+M")
    assert window.view.layer_visible("marks")
    key(window, "Alt+L")
    assert not window.view.labels_visible()
    assert window.view.layer_visible("catalog:candidates")
    key(window, "Alt+1")
    assert not window.view.layer_visible("catalog:candidates")


def test_filter_changes_rerender_and_persist(window, qtbot):
    before = window.view.image().copy()
    window.workspace.set_display(stretch="log")
    qtbot.waitUntil(lambda: window.view.image() is not None and window.view.image() != before, timeout=10000)
    assert window.session.get_setting("display")["stretch"] == "log"
    window.workspace.set_display(blur=2.0)
    assert window.session.get_setting("display")["blur"] == 2.0


def test_accepting_a_catalog_source(window, qtbot):
    meta = window.workspace.current_meta()
    sources = window.workspace.catalogs.sources("candidates", "cluster_field.fits", meta.wcs, meta.shape)
    bcg = next(s for s in sources if s.label == "BCG")
    hover(window, bcg.x, bcg.y)
    key(window, "A")
    (mark,) = window.session.marks()
    assert mark.group == "BCG" and mark.label == "BCG"
    assert (mark.x, mark.y) == pytest.approx((bcg.x, bcg.y), abs=1e-9)


def test_broken_image_shows_a_message_and_can_be_categorised(qtbot, tmp_path):
    experiment = write_demo(tmp_path / "demo")
    (tmp_path / "demo" / "images" / "broken.fits").write_bytes(b"SIMPLE  =   T" + b" " * 100)
    win = open_window(experiment, user="tester")
    start(qtbot, win)
    win.workspace.go_to(0)  # broken.fits sorts first
    qtbot.waitUntil(lambda: win.view.state == "error", timeout=10000)
    assert "broken.fits" in win.view.message
    key(win, "Ctrl+3")
    assert win.session.image_state().categories == ("Bad image",)
    key(win, "Tab")
    wait_for_image(qtbot, win, "cluster_field.fits")
    win.close()
    win.session.close()


def test_outputs_after_closing(qtbot, tmp_path):
    experiment = write_demo(tmp_path / "demo")
    win = open_window(experiment, user="tester")
    start(qtbot, win)
    wait_for_image(qtbot, win)
    hover(win, 123.0, 77.0)
    key(win, "2")
    key(win, "Ctrl+1")
    win.close()
    win.session.close()
    with open(tmp_path / "demo" / "results" / "tester_marks.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["group"] == "Star" and rows[0]["image"] == "cluster_field.fits"
    assert float(rows[0]["x"]) == pytest.approx(123, abs=1)
    with open(tmp_path / "demo" / "results" / "tester_images.csv", newline="", encoding="utf-8") as handle:
        images = {row["image"]: row for row in csv.DictReader(handle)}
    assert images["cluster_field.fits"]["categories"] == "Cluster"
    assert (tmp_path / "demo" / "results" / "tester.reg").exists() or any(
        p.suffix == ".reg" for p in (tmp_path / "demo" / "results").rglob("*.reg"))


def test_window_picture_shows_the_image_and_the_mark(window, tmp_path):
    window.resize(1000, 700)
    hover(window, 256, 256)
    key(window, "3")  # a magenta square
    window.view.repaint()
    picture = window.grab().toImage()
    picture.save(str(tmp_path / "window.png"))
    view_pic = window.view.grab().toImage()
    centre = widget_point(window, 256, 256)
    colours = {view_pic.pixelColor(centre.x() + dx, centre.y() + dy).name()
               for dx in range(-12, 13) for dy in range(-12, 13)}
    assert "#cc79a7" in colours  # the Artefact group colour around the mark
    far = {view_pic.pixelColor(x, y).name() for x in range(0, view_pic.width(), 37)
           for y in range(0, view_pic.height(), 37)}
    assert len(far) > 20  # an image, not a blank widget


def test_compass_and_scale_bar_are_off_by_default_and_can_be_shown(window):
    assert window.view.shapes("compass") == []
    window.workspace.toggle_visible("compass")
    window.workspace.toggle_visible("scalebar")
    compass = window.view.shapes("compass")
    assert {getattr(p, "text", None) for p in compass} >= {"N", "E"}
    arrows = [p for p in compass if hasattr(p, "x0")]
    north = next(a for a, t in zip(arrows, [p for p in compass if hasattr(p, "text")]) if t.text == "N")
    assert north.y1 < north.y0  # north is up on this FITS (FITS y up, displayed flipped)
    assert window.view.shapes("scalebar")
    window.view.repaint()
    assert window.session.get_setting("visible")["compass"] is True


def test_unexpected_error_is_reported_and_the_window_stays_usable(window, qtbot, monkeypatch):
    hover(window, 100, 100)
    key(window, "2")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(window.session, "toggle_favorite", broken)
    key(window, "F")
    assert window.failures == ["RuntimeError: disk on fire"]
    assert window.failure_box.isVisible() and "Your work so far is stored" in window.failure_box.text()
    window.failure_box.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    hover(window, 200, 200)
    key(window, "2")
    assert len(window.session.marks()) == 2


def test_next_unseen_image_is_prefetched(window, qtbot):
    session, ws = window.session, window.workspace
    window.workspace.go_to(1)
    wait_for_image(qtbot, window, "colour_field.png")
    window.workspace.go_to(0)  # both images are now seen: each was left
    wait_for_image(qtbot, window, "cluster_field.fits")
    unseen = session.peek_next_unseen()
    assert unseen.name == "gray_field.jpg" and session.index == 0  # peeking does not move
    qtbot.waitUntil(lambda: ws._key(unseen, 0) in ws.bridge.cache, timeout=10000)


def test_compass_choice_survives_a_restart(qtbot, tmp_path):
    experiment = write_demo(tmp_path / "demo")
    win = open_window(experiment, user="tester")
    start(qtbot, win)
    wait_for_image(qtbot, win)
    win.workspace.toggle_visible("compass")
    win.close()
    win.session.close()
    again = open_window(experiment, user="tester")
    qtbot.addWidget(again)
    again.show()
    again.start()
    wait_for_image(qtbot, again)
    assert again.workspace.visible["compass"] is True and again.view.shapes("compass")
    again.close()
    again.session.close()


def test_hovering_a_catalog_source_shows_its_row(window):
    meta = window.workspace.current_meta()
    sources = window.workspace.catalogs.sources("candidates", "cluster_field.fits", meta.wcs, meta.shape)
    bcg = next(s for s in sources if s.label == "BCG")
    hover(window, bcg.x, bcg.y)
    tip = window.view.toolTip()
    assert "candidates: BCG" in tip and "kind: galaxy" in tip  # an unknown column, kept as an attribute
    x, y = hover(window, 30.0, 480.0)
    key(window, "2")
    hover(window, x, y)
    assert window.view.toolTip().startswith("Star")


def test_catalog_sources_keep_their_own_sizes(window):
    layer = window.view.layer("catalog:candidates")
    sizes = dict(zip(layer.labels, layer.sizes))
    assert sizes["BCG"] == pytest.approx(12.0)  # 6 arcsec at 0.5 arcsec/px
    assert sizes["star 1"] == pytest.approx(6.0)  # 3 arcsec
