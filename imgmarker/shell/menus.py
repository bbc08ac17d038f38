"""The menu bar: every action of the window reachable by mouse, with its keys shown.

Menu items that repeat a key binding show the binding's keys but leave the shortcut
to the window's binding (one shortcut, one action); items without a binding carry
their own shortcut.
"""

from __future__ import annotations

from typing import Any, Callable

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence
from PyQt6.QtWidgets import QMenu, QSlider, QWidgetAction

from imgmarker.kernel.experiment.bindings import MENU_SHORTCUTS
from imgmarker.shell import commands

BLUR_STEPS_PER_PX = 2  # slider resolution: half a pixel
BLUR_MAX_PX = 10


class _Menus:
    def __init__(self, win: Any):
        self.win = win
        self.actions: dict[str, QAction] = {}

    def item(self, menu: QMenu, name: str, text: str, handler: Callable[[], Any], *,
             binding: str | None = None, shortcut: Any = None, checkable: bool = False,
             checked: bool = False) -> QAction:
        action = menu.addAction(text)
        if binding:
            keys = self.win.shortcut_text(binding)
            if keys:
                action.setText(f"{text}\t{keys}")
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if checkable:
            action.setCheckable(True)
            action.setChecked(checked)
            action.triggered.connect(lambda _checked=False: handler())
        else:
            action.triggered.connect(lambda _checked=False: handler())
        self.actions[name] = action
        return action


def build_menus(win: Any) -> dict[str, QAction]:
    """Fill ``win``'s menu bar; returns the actions by name (``"file.export_view"``...)."""
    m = _Menus(win)
    ws = win.workspace
    bar = win.menuBar()
    experiment = win.experiment

    file = bar.addMenu("&File")
    m.item(file, "file.open_experiment", "Open experiment…", lambda: commands.open_experiment(win),
           shortcut=MENU_SHORTCUTS["file.open_experiment"])
    m.item(file, "file.open_folder", "Open image folder…", lambda: commands.open_folder(win),
           shortcut=MENU_SHORTCUTS["file.open_folder"])
    recent = file.addMenu("Recent campaigns")
    for i, path in enumerate(commands.recent_campaigns(win)):
        m.item(recent, f"file.recent.{i}", str(path), lambda p=path: commands.open_campaign(win, p))
    recent.setEnabled(bool(recent.actions()))
    file.addSeparator()
    m.item(file, "file.import_catalog", "Import catalog…", lambda: commands.import_catalog(win),
           shortcut=MENU_SHORTCUTS["file.import_catalog"])
    m.item(file, "file.export_outputs", "Export outputs now", lambda: commands.export_outputs(win),
           shortcut=MENU_SHORTCUTS["file.export_outputs"])
    m.item(file, "file.export_view", "Export view as image…", lambda: commands.export_view(win),
           shortcut=MENU_SHORTCUTS["file.export_view"])
    m.item(file, "file.save_experiment", "Save settings as a new experiment file…",
           lambda: commands.save_experiment_as(win))
    file.addSeparator()
    m.item(file, "file.quit", "Quit", win.close, shortcut=MENU_SHORTCUTS["file.quit"])

    edit = bar.addMenu("&Edit")
    for name, text in (("undo", "Undo"), ("redo", "Redo"), ("delete_selected", "Delete selected marks"),
                       ("copy_coordinates", "Copy coordinates of selected marks")):
        m.item(edit, f"edit.{name}", text, win.handler(name), binding=name)
    edit.addSeparator()
    m.item(edit, "edit.settings", "Settings…", lambda: commands.open_settings(win), shortcut=MENU_SHORTCUTS["edit.settings"])

    navigate = bar.addMenu("&Navigate")
    for name, text in (("next_image", "Next image"), ("previous_image", "Previous image"),
                       ("next_unseen", "Next unseen image"), ("next_frame", "Next frame"),
                       ("previous_frame", "Previous frame")):
        m.item(navigate, f"navigate.{name}", text, win.handler(name), binding=name)
    navigate.addSeparator()
    for name in experiment.group_names:
        m.item(navigate, f"mark.{name}", f"Mark {name} at the cursor", win.handler(f"group:{name}"),
               binding=f"group:{name}")
    for name in experiment.categories.names():
        m.item(navigate, f"category.{name}", f"Category {name}", win.handler(f"category:{name}"),
               binding=f"category:{name}")
    m.item(navigate, "navigate.favorite", "Favourite", win.handler("favorite"), binding="favorite")
    m.item(navigate, "navigate.promote", "Accept the catalog source under the cursor",
           win.handler("promote_source"), binding="promote_source")

    view = bar.addMenu("&View")
    for name, text in (("zoom_in", "Zoom in"), ("zoom_out", "Zoom out"), ("zoom_fit", "Zoom to fit")):
        m.item(view, f"view.{name}", text, win.handler(name), binding=name)
    m.item(view, "view.zoom_actual", "Zoom 1:1", win.view.zoom_actual, shortcut=MENU_SHORTCUTS["view.zoom_actual"])
    win.frames_menu = view.addMenu("Frames")
    win.frames_menu.aboutToShow.connect(lambda: _fill_frames(win))
    view.addSeparator()
    visible = ws.visible
    m.item(view, "view.marks", "Show marks", win.handler("toggle_marks"), binding="toggle_marks",
           checkable=True, checked=visible.get("marks", True))
    m.item(view, "view.labels", "Show labels", win.handler("toggle_labels"), binding="toggle_labels",
           checkable=True, checked=visible.get("labels", True))
    for catalog in experiment.catalogs:
        name = f"catalog:{catalog.name}"
        m.item(view, f"view.{name}", f"Show catalog {catalog.name}", win.handler(name), binding=name,
               checkable=True, checked=visible.get(name, True))
    for name, text in (("compass", "Show compass"), ("scalebar", "Show scale bar")):
        m.item(view, f"view.{name}", text, lambda n=name: ws.toggle_visible(n),
               shortcut=MENU_SHORTCUTS[f"view.{name}"], checkable=True, checked=visible.get(name, False))
    view.addSeparator()
    m.item(view, "view.sexagesimal", "Sexagesimal coordinates", lambda: ws.set_sexagesimal(not ws.sexagesimal),
           checkable=True, checked=ws.sexagesimal)
    m.item(view, "view.full_screen", "Full screen", lambda: commands.toggle_full_screen(win),
           shortcut=MENU_SHORTCUTS["view.full_screen"], checkable=True, checked=win.isFullScreen())
    m.item(view, "view.overview", "Campaign overview", lambda: _toggle(win.overview_dock),
           shortcut=MENU_SHORTCUTS["view.overview"],
           checkable=True, checked=win.overview_dock.isVisible())
    m.item(view, "view.errors", "Unreadable files", lambda: _toggle(win.errors_dock),
           checkable=True, checked=win.errors_dock.isVisible())
    m.item(view, "view.instructions", "Instructions…", win.show_instructions)

    view.aboutToShow.connect(lambda: _sync_checks(win, m.actions))

    _filter_menu(win, m, bar.addMenu("F&ilter"))

    help_menu = bar.addMenu("&Help")
    m.item(help_menu, "help.controls", "Controls…", lambda: commands.show_controls(win),
           shortcut=MENU_SHORTCUTS["help.controls"])
    m.item(help_menu, "help.output_folder", "Open the output folder", lambda: commands.open_output_folder(win))
    m.item(help_menu, "help.about", "About imgmarker…", lambda: commands.show_about(win))
    return m.actions


def _sync_checks(win: Any, actions: dict[str, QAction]) -> None:
    """Keys toggle the same things: show the true state when the menu opens."""
    for name, on in win.workspace.visible.items():
        action = actions.get("view." + {"toggle_marks": "marks"}.get(name, name))
        if action is not None:
            action.setChecked(bool(on))
    actions["view.sexagesimal"].setChecked(win.workspace.sexagesimal)
    actions["view.full_screen"].setChecked(win.isFullScreen())
    actions["view.overview"].setChecked(win.overview_dock.isVisible())
    actions["view.errors"].setChecked(win.errors_dock.isVisible())


def _toggle(dock: Any) -> None:
    dock.setVisible(not dock.isVisible())


def _fill_frames(win: Any) -> None:
    menu = win.frames_menu
    menu.clear()
    meta = win.workspace.current_meta()
    names = list(meta.names) if meta is not None else []
    group = QActionGroup(menu)
    for i, name in enumerate(names or ["(image not loaded yet)"]):
        action = menu.addAction(f"{i + 1}: {name}" if names else name)
        action.setEnabled(bool(names))
        action.setCheckable(True)
        action.setChecked(bool(names) and i == win.workspace.frame)
        group.addAction(action)
        action.triggered.connect(lambda _c=False, f=i: win.workspace.set_frame(f))


def _filter_menu(win: Any, m: _Menus, menu: QMenu) -> None:
    ws = win.workspace
    win.filter_menu = menu
    for title, kind in (("Interval", "interval"), ("Stretch", "stretch"), ("Colormap", "colormap")):
        sub = menu.addMenu(title)
        group = QActionGroup(sub)
        current = getattr(ws.display, kind)
        for spec in win.session.registry.filters_of_kind(kind):
            action = sub.addAction(spec.label or spec.name)
            action.setCheckable(True)
            action.setChecked(spec.name == current)
            action.setData(spec.name)
            group.addAction(action)
            action.triggered.connect(lambda _c=False, name=spec.name, k=kind: ws.set_display(**{k: name}))
            m.actions[f"filter.{kind}.{spec.name}"] = action
        if kind in ("interval", "stretch"):
            sub.addSeparator()
            m.item(sub, f"filter.{kind}.parameters", "Parameters…", lambda k=kind: commands.edit_parameters(win, k))
    blur_menu = menu.addMenu("Blur")
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, BLUR_MAX_PX * BLUR_STEPS_PER_PX)
    slider.setValue(int(round(ws.display.blur * BLUR_STEPS_PER_PX)))
    slider.setMinimumWidth(180)
    slider.valueChanged.connect(lambda v: ws.set_display(blur=v / BLUR_STEPS_PER_PX))
    holder = QWidgetAction(menu)
    holder.setDefaultWidget(slider)
    blur_menu.addAction(holder)
    win.blur_slider = slider
