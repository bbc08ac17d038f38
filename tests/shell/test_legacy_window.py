"""An imported Image Marker 1.2 save folder in the real window: it opens where the
annotator stopped, and going back shows their marks, categories, comment and heart."""

from __future__ import annotations

from legacy_folders import Legacy12, Seen, make_images
from imgmarker.kernel.legacy.importer import import_save_folder
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.shell.app import open_window


def test_imported_campaign_resumes_in_the_window(qtbot, tmp_path):
    images = make_images(tmp_path / "images")
    legacy = Legacy12(tmp_path / "save", images, randomize=False, seen=[
        Seen("b.fits", categories=(1,), comment="two arcs, one faint",
             marks=[(1, None, "40", "20"), (2, "arc", "12", "33.0")]),
        Seen("a.fits"),
    ], favorites={"b.fits"})
    legacy.write()
    result = import_save_folder(legacy.folder, tmp_path / "campaign",
                                registry=create_plugin_host(autoload=False).registry)
    win = open_window(result.experiment_path)
    qtbot.addWidget(win)
    win.show()
    win.start()
    try:
        qtbot.waitUntil(lambda: win.view.state == "image", timeout=10000)
        assert win.session.current.name == "c.fits"  # the first image 1.2 had not shown
        assert "3 / 6" in win.windowTitle()
        win.workspace.navigate("previous")
        win.workspace.navigate("previous")
        qtbot.waitUntil(lambda: win.view.state == "image" and win.session.current.name == "b.fits", timeout=10000)
        hit = win.view.item_at(40.0, 20.0)
        assert hit is not None and hit.kind == "mark" and hit.label == "BCG"
        assert win.view.item_at(12.0, 33.0).label == "arc"
        assert win.view.item_at(60.0, 50.0) is None
        panel = win.panel
        assert panel.category_boxes["Cluster"].isChecked() and not panel.category_boxes["Bad"].isChecked()
        assert panel.comment.toPlainText() == "two arcs, one faint"
        assert panel.favorite.isChecked()
    finally:
        win.close()
        win.session.close()
