"""Menus, dialogs, settings and their persistence, the overview, the errors panel,
view export and the window layout, driven like a user would."""

from __future__ import annotations

import csv
import shutil

import pytest
from PyQt6.QtCore import QPoint
from PyQt6.QtGui import QImage, QKeySequence
from PyQt6.QtTest import QTest

from imgmarker.kernel.experiment.bindings import key_bindings
from imgmarker.kernel.experiment.demo import write_demo
from imgmarker.kernel.experiment.loader import load_experiment
from imgmarker.shell import commands
from imgmarker.shell.app import open_window
from imgmarker.shell.overview import CHUNK, OverviewModel


def launch(qtbot, experiment, *, first: bool = True):
    win = open_window(experiment, user="tester")
    qtbot.addWidget(win)
    win.show()
    win.start()
    if first:
        box = getattr(win, "instructions_box", None)
        if box is not None:
            box.close()
    win.activateWindow()
    qtbot.waitUntil(lambda: win.view.state in ("image", "error"), timeout=10000)
    return win


def shut(win) -> None:
    win.close()
    win.session.close()


@pytest.fixture
def demo(tmp_path):
    return write_demo(tmp_path / "demo")


@pytest.fixture
def window(qtbot, demo):
    win = launch(qtbot, demo)
    yield win
    shut(win)


def hover(win, x, y):
    p = win.view.image_to_widget(x, y)
    point = QPoint(int(round(p.x())), int(round(p.y())))
    QTest.mouseMove(win.view, point + QPoint(3, 3))
    QTest.mouseMove(win.view, point)
    return win.workspace.cursor


def key(win, sequence):
    combo = QKeySequence(sequence)[0]
    QTest.keyClick(win.view, combo.key(), combo.keyboardModifiers())


def menu_texts(win) -> dict[str, list[str]]:
    out = {}
    for menu_action in win.menuBar().actions():
        menu = menu_action.menu()
        texts, todo = [], [menu]
        while todo:
            current = todo.pop()
            for action in current.actions():
                if action.menu() is not None:
                    todo.append(action.menu())
                texts.append(action.text())
        out[menu_action.text().replace("&", "")] = texts
    return out


def test_menus_hold_every_key_binding_with_its_keys(window):
    menus = menu_texts(window)
    assert list(menus) == ["File", "Edit", "Navigate", "View", "Filter", "Help"]
    everything = [t for texts in menus.values() for t in texts]
    for binding in key_bindings(window.experiment):
        shown = QKeySequence(binding.key).toString(QKeySequence.SequenceFormat.NativeText)
        assert any("\t" in t and shown in t.split("\t")[1] for t in everything), binding
    for wanted in ("Open experiment…", "Open image folder…", "Import catalog…", "Export outputs now",
                   "Export view as image…", "Quit"):
        assert any(t.startswith(wanted) for t in menus["File"]), wanted
    assert any(t.startswith("Settings…") for t in menus["Edit"])
    for wanted in ("Zoom 1:1", "Show compass", "Show scale bar", "Full screen", "Instructions…",
                   "Show catalog candidates"):
        assert any(t.startswith(wanted) for t in menus["View"]), wanted
    assert {"Controls…", "About imgmarker…", "Open the output folder"} <= set(menus["Help"])


def test_menu_items_act_like_their_keys(window, qtbot):
    hover(window, 200.0, 200.0)
    window.menu_actions["mark.Star"].trigger()
    assert [m.group for m in window.session.marks()] == ["Star"]
    window.menu_actions["edit.undo"].trigger()
    assert window.session.marks() == []
    window.menu_actions["edit.redo"].trigger()
    assert len(window.session.marks()) == 1
    window.menu_actions["view.labels"].trigger()
    assert window.view.labels_visible() is False
    assert window.view.shapes("compass") == []  # off by default
    window.menu_actions["view.compass"].trigger()
    assert window.workspace.visible["compass"] is True
    assert {getattr(p, "text", None) for p in window.view.shapes("compass")} >= {"N", "E"}
    window.menu_actions["view.zoom_actual"].trigger()
    assert window.view.scale == pytest.approx(1.0)
    window.menu_actions["navigate.next_image"].trigger()
    assert window.session.index == 1


def _settings(window):
    window.menu_actions["edit.settings"].trigger()
    return window.dialogs["settings"]


def test_settings_change_everything_and_survive_a_restart(qtbot, demo):
    shared = demo.read_text()
    win = launch(qtbot, demo)
    hover(win, 100.0, 120.0)
    key(win, "2")  # a Star mark with the default label
    dialog = _settings(win)
    dialog.groups.item(1, 0).setText("Point source")
    dialog.limits[2].setValue(2)  # Artefact: at most 2
    dialog.categories[0].setText("Rich cluster")
    dialog.left_click.setCurrentIndex(1)
    dialog.middle_click.setCurrentIndex(dialog.middle_click.findData("none"))
    dialog.order_mode.setCurrentText("shuffled")
    dialog.seed.setValue(7)
    dialog.repeat.setValue(0.5)
    dialog.sexagesimal.setChecked(False)
    dialog.cache.setValue(256)
    dialog.accept()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    ws = win.workspace

    # the effect, at once
    assert win.experiment.group_names == ["BCG", "Point source", "Artefact"]
    assert [m.group for m in win.session.marks(win.session.entries[0])] == ["Point source"]
    assert [m.label for m in win.session.marks(win.session.entries[0])] == ["Point source"]
    assert ws.left_group == "Point source" and "Point source" in win.group_indicator.text()
    assert win.panel.group_box.itemText(1).startswith("Point source")
    assert not win.view.middle_click_centres
    assert ws.cache_bytes == 256 * 1024 * 1024  # pictures and raw pixels together
    assert sum(1 for e in win.session.entries if e.pass_index == 2) == 2
    win.workspace.go_to(0)
    qtbot.waitUntil(lambda: win.view.state == "image", timeout=10000)
    hover(win, 300.0, 231.0)
    assert ":" not in win.readout.text().split("value")[1]  # degrees now
    key(win, "2")
    assert win.session.marks()[-1].group == "Point source"
    for x in (50, 80, 110):
        hover(win, x, 50.0)
        key(win, "3")
    assert sum(m.group == "Artefact" for m in win.session.marks()) == 2, win.statusBar().currentMessage()
    key(win, "Ctrl+1")
    assert win.session.image_state().categories == ("Rich cluster",)
    order = [(e.name, e.pass_index) for e in win.session.entries]
    shut(win)

    assert demo.read_text() == shared  # the shared experiment is untouched
    with open(demo.parent / "results" / "tester_marks.csv", newline="", encoding="utf-8") as handle:
        groups = {row["group"] for row in csv.DictReader(handle)}
    assert groups == {"Point source", "Artefact"}

    again = launch(qtbot, demo, first=False)
    try:
        reopened = _settings(again)
        assert reopened.group_names() == ["BCG", "Point source", "Artefact"]
        assert reopened.limits[2].value() == 2
        assert reopened.categories[0].text() == "Rich cluster"
        assert reopened.left_click.currentText() == "Point source"
        assert reopened.middle_click.currentData() == "none"
        assert (reopened.order_mode.currentText(), reopened.seed.value()) == ("shuffled", 7)
        assert reopened.repeat.value() == pytest.approx(0.5)
        assert not reopened.sexagesimal.isChecked()
        assert reopened.cache.value() == 256
        reopened.reject()
        again.activateWindow()
        qtbot.waitUntil(again.isActiveWindow)
        assert again.workspace.left_group == "Point source"
        assert again.workspace.cache_bytes == 256 * 1024 * 1024
        assert [(e.name, e.pass_index) for e in again.session.entries] == order
    finally:
        shut(again)


def test_a_clash_of_names_is_refused_and_the_dialog_stays(window, monkeypatch):
    warnings = []
    monkeypatch.setattr(commands.QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    dialog = _settings(window)
    dialog.groups.item(1, 0).setText("BCG")
    dialog.accept()
    assert dialog.isVisible() and "two groups would be named 'BCG'" in warnings[0]
    assert window.experiment.group_names == ["BCG", "Star", "Artefact"]


def test_controls_page_follows_the_live_names_and_keys(window):
    window.menu_actions["help.controls"].trigger()
    page = window.dialogs["controls"].html
    assert "mark Star at the cursor" in page and "Ctrl+Shift+Z" in page and "Shift+click on a mark" in page
    commands.apply_settings(window, {"groups": {"Star": {"name": "Galaxy"}}, "left_click_group": "BCG"}, {})
    window.menu_actions["help.controls"].trigger()
    page = window.dialogs["controls"].html
    assert "mark Galaxy at the cursor" in page and "mark Star" not in page


def test_about_lists_versions_plugins_errors_and_output_folder(window):
    import imgmarker
    from imgmarker.shell.dialogs.about import about_html

    window.menu_actions["help.about"].trigger()
    page = window.dialogs["about"].html
    assert f"imgmarker {imgmarker.__version__}" in page and "astropy" in page and "Qt" in page
    assert str(window.session.output_dir) in page
    assert all(info.name in page for info in window.session.host.infos)

    class Host:
        infos = [type(window.session.host.infos[0])("broken-reader", "distribution", "broken-dist", "9.9",
                                                     error="ImportError: no module named nope")]

    class Fake:
        host, user, output_dir = Host(), "x", window.session.output_dir
        base_experiment = window.session.base_experiment

    assert "not loaded:</b> ImportError: no module named nope" in about_html(Fake())


def test_export_view_writes_the_picture_with_the_mark(window, tmp_path):
    window.resize(1000, 700)
    hover(window, 256.0, 256.0)
    key(window, "3")  # an Artefact square, #CC79A7
    window.view.repaint()
    centre = window.view.image_to_widget(256.0, 256.0)
    for suffix in (".png", ".tif", ".jpg"):
        path = commands.export_view(window, tmp_path / f"view{suffix}")
        assert path is not None and path.exists()
        picture = QImage(str(path))
        ratio = window.view.devicePixelRatio()
        assert (picture.width(), picture.height()) == (round(window.view.width() * ratio),
                                                       round(window.view.height() * ratio))
        if suffix != ".jpg":  # lossless: the exact group colour is around the mark
            colours = {picture.pixelColor(int(centre.x()) + dx, int(centre.y()) + dy).name()
                       for dx in range(-12, 13) for dy in range(-12, 13)}
            assert "#cc79a7" in colours


def test_export_outputs_now(window):
    hover(window, 100.0, 100.0)
    key(window, "2")
    window.menu_actions["file.export_outputs"].trigger()
    with open(window.session.output_dir / "tester_marks.csv", newline="", encoding="utf-8") as handle:
        assert [row["group"] for row in csv.DictReader(handle)] == ["Star"]
    assert "wrote" in window.statusBar().currentMessage()


def test_overview_shows_state_filters_and_jumps(window, qtbot):
    overview = window.overview
    hover(window, 100.0, 100.0)
    key(window, "2")
    key(window, "Ctrl+2")
    key(window, "F")
    key(window, "Tab")
    model = overview.model
    rows = {model.data(model.index(r, 1)): [model.data(model.index(r, c)) for c in range(6)]
            for r in range(model.rowCount())}
    assert rows["cluster_field.fits"][2:] == ["✓", "1", "No cluster", "♥"]
    assert rows["colour_field.png"][2:] == ["", "", "", ""]
    overview.state.setCurrentIndex(overview.state.findData("marked"))
    assert model.rowCount() == 1 and model.data(model.index(0, 1)) == "cluster_field.fits"
    overview.state.setCurrentIndex(overview.state.findData("unseen"))
    assert model.rowCount() == 3
    overview.state.setCurrentIndex(overview.state.findData("category:No cluster"))
    assert model.rowCount() == 1
    overview.state.setCurrentIndex(overview.state.findData("all"))
    overview.search.setText("two")
    assert model.rowCount() == 1
    overview.table.doubleClicked.emit(model.index(0, 1))
    assert window.session.current.name == "two_bands.tif"


def test_overview_of_a_hundred_thousand_images_fetches_lazily():
    from imgmarker.kernel.campaign.sequence import Entries
    from imgmarker.kernel.annotations.marks import ImageState

    class Campaign:
        def __init__(self, n):
            self.entries = Entries(__import__("pathlib").Path("."), [(f"img{i:06d}.fits", 1) for i in range(n)])
            self.index = 0
            self.reads = 0

        def __len__(self):
            return len(self.entries)

        def is_seen(self, i):
            return i % 2 == 0

        def mark_count(self, i):
            return 0

        def image_state(self, entry):
            self.reads += 1
            return ImageState()

    campaign = Campaign(100_000)
    model = OverviewModel(campaign)
    assert model.rowCount() == CHUNK and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * CHUNK
    assert model.data(model.index(3, 4)) == "" and campaign.reads == 1  # one row read, not all
    model.set_filter("", "seen")
    assert model.total() == 50_000


def test_unreadable_files_are_listed_and_retried(qtbot, demo):
    broken = demo.parent / "images" / "broken.png"
    broken.write_bytes(b"not a png at all")
    win = launch(qtbot, demo)
    try:
        win.workspace.go_to(0)  # broken.png sorts first
        qtbot.waitUntil(lambda: "broken.png" in win.errors.names(), timeout=10000)
        assert win.errors_dock.isVisible()
        assert win.errors.reason("broken.png")
        win.workspace.go_to(2)
        qtbot.waitUntil(lambda: win.view.state == "image", timeout=10000)
        item = win.errors.table.topLevelItem(0)
        win.errors.table.itemDoubleClicked.emit(item, 0)  # a double-click goes to the file
        assert win.session.current.name == "broken.png"
        qtbot.waitUntil(lambda: win.view.state == "error", timeout=10000)
        shutil.copy(demo.parent / "images" / "colour_field.png", broken)
        win.errors.retry_button.click()
        qtbot.waitUntil(lambda: win.view.state == "image" and win.errors.names() == [], timeout=10000)
        assert win.session.current.name == "broken.png" and win.view.name == "broken.png"
    finally:
        shut(win)


def test_layout_zoom_and_filters_come_back(qtbot, demo):
    win = launch(qtbot, demo)
    win.resize(720, 540)
    win.overview_dock.show()
    win.view.set_scale(2.0)
    win.view.centre_on(100.0, 120.0)
    stretch = next(s.name for s in win.session.registry.filters_of_kind("stretch") if s.name != "asinh")
    win.workspace.set_display(stretch=stretch)
    shut(win)
    again = launch(qtbot, demo, first=False)
    try:
        qtbot.waitUntil(lambda: again.view.scale == pytest.approx(2.0), timeout=10000)
        assert again.view.centre == pytest.approx((100.0, 120.0))
        assert again.overview_dock.isVisible()
        assert (again.width(), again.height()) == (720, 540)
        assert again.workspace.display.stretch == stretch
    finally:
        shut(again)


def test_imported_catalog_is_drawn_and_stays_for_this_annotator(qtbot, demo, tmp_path):
    shared = demo.read_text()
    copy = tmp_path / "extra.csv"
    shutil.copy(demo.parent / "catalogs" / "candidates.csv", copy)
    win = launch(qtbot, demo)
    assert commands.import_catalog(win, copy, "#FF00FF")
    assert any(t.startswith("Show catalog extra") for t in menu_texts(win)["View"])
    qtbot.waitUntil(lambda: "catalog:extra" in win.view.layer_names(), timeout=10000)
    shut(win)
    assert demo.read_text() == shared
    again = launch(qtbot, demo, first=False)
    try:
        assert [c.name for c in again.experiment.catalogs] == ["candidates", "extra"]
        assert again.experiment.catalogs[1].color == "#FF00FF"
    finally:
        shut(again)


def test_save_as_a_new_experiment_file(window, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(commands.QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    commands.apply_settings(window, {"groups": {"Star": {"name": "Galaxy", "max": 3}}, "left_click_group": "Galaxy"}, {})
    target = tmp_path / "elsewhere" / "mine.yaml"
    target.parent.mkdir()
    assert commands.save_experiment_as(window, target) == target
    loaded = load_experiment(target, window.session.registry)
    assert loaded.group_names == ["BCG", "Galaxy", "Artefact"] and loaded.group("Galaxy").max == 3
    assert loaded.controls.left_click_group == "Galaxy"
    assert loaded.images.directory.resolve() == window.session.base_experiment.images.directory.resolve()
    assert commands.save_experiment_as(window, window.session.base_experiment.path) is None
    assert "the shared experiment stays as it is" in warnings[0]


def test_open_folder_and_recent_campaigns(qtbot, window, tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    shutil.copy(window.session.base_experiment.images.directory / "gray_field.jpg", folder / "a.jpg")
    commands.remember(window)
    new = commands.open_folder(window, folder)
    qtbot.addWidget(new)
    try:
        assert new is not None and new.session.current.name == "a.jpg"
        assert not window.isVisible()
        recent = [t for t in menu_texts(new)["File"] if t.endswith("experiment.yaml")]
        assert str(window.session.base_experiment.path.resolve()) in recent
    finally:
        new.close()


def test_readout_says_icrs_and_galactic_l_b_is_a_stored_setting(qtbot, demo):
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    from imgmarker.kernel.imaging.wcs import pixel_to_world

    win = launch(qtbot, demo)
    x, y = hover(win, 150.0, 90.0)
    meta = win.workspace.current_meta()
    ra, dec = pixel_to_world(meta.wcs, meta.shape[0], x, y)
    text = win.readout.text()
    assert "   ICRS " in text and " l " not in text
    dialog = _settings(win)
    assert not dialog.show_galactic.isChecked()
    dialog.show_galactic.setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: win.view.state == "image" and win.workspace.current_meta() is not None, timeout=10000)
    x, y = hover(win, 150.0, 90.0)
    ra, dec = pixel_to_world(meta.wcs, meta.shape[0], x, y)
    gal = SkyCoord(float(ra) * u.deg, float(dec) * u.deg, frame="icrs").galactic
    assert f"l {gal.l.deg:.5f}  b {gal.b.deg:+.5f}" in win.readout.text()
    shut(win)
    again = launch(qtbot, demo, first=False)  # the setting is the annotator's, kept
    qtbot.waitUntil(lambda: again.workspace.current_meta() is not None, timeout=10000)
    hover(again, 150.0, 90.0)
    assert " l " in again.readout.text() and "  b " in again.readout.text()
    shut(again)
