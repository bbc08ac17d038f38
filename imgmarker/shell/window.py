"""The main window: composes the image view, the side panel, the status line and the
menus, and binds keys to workspace actions. It holds no campaign logic of its own."""

from __future__ import annotations

from typing import Any, Callable

from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PyQt6.QtWidgets import (
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSlider,
    QWidgetAction,
)

from imgmarker.kernel.bindings import key_bindings
from imgmarker.shell.sidepanel import SidePanel
from imgmarker.shell.view import ImageView
from imgmarker.shell.workspace import Workspace

BLUR_STEPS_PER_PX = 2  # slider resolution: half a pixel
BLUR_MAX_PX = 10


class LabelEditor(QLineEdit):
    """Inline label editor: Enter keeps the text, Esc (or leaving) cancels."""

    def __init__(self, parent, mark, on_done: Callable[[int, str], None]):
        super().__init__(mark.label, parent)
        self.mark = mark
        self._on_done = on_done
        self._finished = False
        self.selectAll()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish(True)
        elif event.key() == Qt.Key.Key_Escape:
            self._finish(False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self._finish(False)

    def _finish(self, keep: bool) -> None:
        if self._finished:
            return
        self._finished = True
        if keep and self.text() != self.mark.label:
            self._on_done(self.mark.id, self.text())
        self.parent().setFocus()
        self.deleteLater()


class MainWindow(QMainWindow):
    def __init__(self, session: Any, *, cache_mb: int | None = None):
        super().__init__()
        self.session = session
        self.experiment = session.experiment
        self.view = ImageView(self)
        self.setCentralWidget(self.view)
        self.panel = SidePanel(self.experiment, self)
        dock = QDockWidget("Image", self)
        dock.setObjectName("ImageDock")
        dock.setWidget(self.panel)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.workspace = Workspace(session, self.view, self.panel, cache_mb=cache_mb)
        self.readout = QLabel()
        self.readout.setObjectName("Readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.readout)
        self.group_indicator = QLabel()
        self.statusBar().addPermanentWidget(self.group_indicator)
        self.actions_by_name: dict[str, list[QAction]] = {}
        self.label_editor: LabelEditor | None = None
        self.failures: list[str] = []

        ws = self.workspace
        ws.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ws.readout.connect(self.readout.setText)
        ws.changed.connect(self._refresh_title)
        ws.failure.connect(self._report_failure)
        ws.label_edit_requested.connect(self.edit_label)
        self.panel.leave_comment.connect(self.view.setFocus)
        self.panel.group_chosen.connect(lambda _name: self._refresh_group())
        self.panel.show_instructions.connect(self.show_instructions)
        self._build_menus()
        self._bind_keys()
        self._refresh_group()
        self.resize(1280, 860)
        self.view.setFocus()

    # -- start / stop --------------------------------------------------------------------

    def start(self) -> None:
        self.workspace.show_current()
        if self.experiment.instructions.strip() and not self.session.get_setting("instructions_seen", False):
            self.session.set_setting("instructions_seen", True)
            self.show_instructions()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.workspace.close()
        super().closeEvent(event)

    # -- keys ----------------------------------------------------------------------------

    def _handler(self, action: str) -> Callable[[], Any] | None:
        ws = self.workspace
        if action.startswith("group:"):
            group = action.split(":", 1)[1]
            return lambda: ws.place(group)
        if action.startswith("category:"):
            name = action.split(":", 1)[1]
            return lambda: ws.toggle_category(name)
        if action.startswith("catalog:"):
            return lambda: ws.toggle_visible(action)
        table: dict[str, Callable[[], Any]] = {
            "next_image": lambda: ws.navigate("next"),
            "previous_image": lambda: ws.navigate("previous"),
            "next_unseen": lambda: ws.navigate("next_unseen"),
            "next_frame": lambda: ws.step_frame(1),
            "previous_frame": lambda: ws.step_frame(-1),
            "undo": ws.undo,
            "redo": ws.redo,
            "delete_selected": lambda: ws.delete_marks(None),
            "copy_coordinates": ws.copy_coordinates,
            "favorite": ws.toggle_favorite,
            "toggle_marks": lambda: ws.toggle_visible("marks"),
            "toggle_labels": lambda: ws.toggle_visible("labels"),
            "promote_source": ws.promote,
            "zoom_in": self.view.zoom_in,
            "zoom_out": self.view.zoom_out,
            "zoom_fit": self.view.zoom_fit,
        }
        return table.get(action)

    def _bind_keys(self) -> None:
        for binding in key_bindings(self.experiment):
            handler = self._handler(binding.action)
            if handler is None:
                continue
            action = QAction(binding.description, self)
            action.setShortcut(QKeySequence(binding.key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, h=handler: self._run_key(h))
            self.addAction(action)
            self.actions_by_name.setdefault(binding.action, []).append(action)
            if binding.key in ("Shift+Tab",):
                extra = QAction(binding.description, self)
                extra.setShortcut(QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_Backtab))
                extra.triggered.connect(lambda _checked=False, h=handler: self._run_key(h))
                self.addAction(extra)

    def _run_key(self, handler: Callable[[], Any]) -> None:
        if self.label_editor is not None:
            return
        handler()
        self._refresh_group()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802,A002 - Tab navigates images, not widgets
        return False

    # -- menus ---------------------------------------------------------------------------

    def _menu_action(self, menu: QMenu, text: str, handler: Callable[[], Any], name: str | None = None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: handler())
        if name:
            keys = [a.shortcut().toString() for a in self.actions_by_name.get(name, [])]
            if keys:
                action.setText(f"{text}\t{keys[0]}")
        return action

    def _build_menus(self) -> None:
        ws = self.workspace
        bar = self.menuBar()
        navigate = bar.addMenu("&Navigate")
        self._menu_action(navigate, "Next image", lambda: ws.navigate("next"))
        self._menu_action(navigate, "Previous image", lambda: ws.navigate("previous"))
        self._menu_action(navigate, "Next unseen image", lambda: ws.navigate("next_unseen"))
        self._menu_action(navigate, "Next frame", lambda: ws.step_frame(1))
        self._menu_action(navigate, "Previous frame", lambda: ws.step_frame(-1))

        view = bar.addMenu("&View")
        self._menu_action(view, "Zoom in", self.view.zoom_in)
        self._menu_action(view, "Zoom out", self.view.zoom_out)
        self._menu_action(view, "Zoom to fit", self.view.zoom_fit)
        self._menu_action(view, "Zoom 1:1", self.view.zoom_actual)
        view.addSeparator()
        self._menu_action(view, "Show/hide marks", lambda: ws.toggle_visible("marks"))
        self._menu_action(view, "Show/hide labels", lambda: ws.toggle_visible("labels"))
        for catalog in self.experiment.catalogs:
            self._menu_action(view, f"Show/hide catalog {catalog.name}",
                              lambda name=f"catalog:{catalog.name}": ws.toggle_visible(name))
        view.addSeparator()
        sexagesimal = view.addAction("Sexagesimal coordinates")
        sexagesimal.setCheckable(True)
        sexagesimal.setChecked(ws.sexagesimal)
        sexagesimal.toggled.connect(ws.set_sexagesimal)
        self._menu_action(view, "Instructions…", self.show_instructions)

        self.filter_menu = bar.addMenu("&Filter")
        self._filter_submenu("Interval", "interval")
        self._filter_submenu("Stretch", "stretch")
        self._filter_submenu("Colormap", "colormap")
        blur_menu = self.filter_menu.addMenu("Blur")
        self.blur_slider = QSlider(Qt.Orientation.Horizontal)
        self.blur_slider.setRange(0, BLUR_MAX_PX * BLUR_STEPS_PER_PX)
        self.blur_slider.setValue(int(round(ws.display.blur * BLUR_STEPS_PER_PX)))
        self.blur_slider.setMinimumWidth(180)
        self.blur_slider.valueChanged.connect(lambda v: ws.set_display(blur=v / BLUR_STEPS_PER_PX))
        holder = QWidgetAction(self)
        holder.setDefaultWidget(self.blur_slider)
        blur_menu.addAction(holder)

    def _filter_submenu(self, title: str, kind: str) -> None:
        ws = self.workspace
        menu = self.filter_menu.addMenu(title)
        group = QActionGroup(menu)
        current = getattr(ws.display, kind)
        for spec in self.session.registry.filters_of_kind(kind):
            action = menu.addAction(spec.label or spec.name)
            action.setCheckable(True)
            action.setChecked(spec.name == current)
            action.setData(spec.name)
            group.addAction(action)
            action.triggered.connect(lambda _c=False, name=spec.name: ws.set_display(**{kind: name}))
        if kind == "interval":
            menu.addSeparator()
            self._menu_action(menu, "Parameters…", lambda: self.edit_parameters("interval"))
        if kind == "stretch":
            menu.addSeparator()
            self._menu_action(menu, "Parameters…", lambda: self.edit_parameters("stretch"))

    def edit_parameters(self, kind: str) -> None:
        from imgmarker.shell.params_dialog import ParamsDialog

        ws = self.workspace
        name = getattr(ws.display, kind)
        spec = self.session.registry.filters.get(name)
        if spec is None or not spec.parameters:
            self.statusBar().showMessage(f"{kind} {name!r} has no parameters", 5000)
            return
        current = dict(getattr(ws.display, f"{kind}_params"))
        dialog = ParamsDialog(spec, current, self)
        dialog.changed.connect(lambda params: ws.set_display(**{f"{kind}_params": params}))
        dialog.show()
        self.params_dialog = dialog

    # -- feedback ------------------------------------------------------------------------

    def _refresh_title(self) -> None:
        self.setWindowTitle(self.workspace.title())

    def _refresh_group(self) -> None:
        group = self.experiment.group(self.workspace.left_group)
        self.group_indicator.setText(f"<span style='color:{group.color}'>●</span> left click: {group.name}")

    def _report_failure(self, message: str, details: str) -> None:
        self.failures.append(message)
        self.statusBar().showMessage(f"unexpected error: {message}", 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, "imgmarker: unexpected error",
                          f"{message}\n\nYour work so far is stored. The error was logged.", parent=self)
        box.setDetailedText(details)
        box.setModal(False)
        box.show()
        self.failure_box = box

    def show_instructions(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, f"{self.experiment.name}: instructions",
                          self.experiment.instructions or "This campaign has no instructions.", parent=self)
        box.setModal(False)
        box.show()
        self.instructions_box = box

    def edit_label(self, mark: Any) -> None:
        if self.label_editor is not None:
            return
        editor = LabelEditor(self.view, mark, self.workspace.relabel)
        point = self.view.image_to_widget(mark.x, mark.y)
        editor.move(QPoint(int(point.x()) + 8, int(point.y()) - 10))
        editor.resize(max(120, editor.sizeHint().width()), editor.sizeHint().height())
        editor.destroyed.connect(self._label_editor_closed)
        editor.show()
        editor.setFocus()
        self.label_editor = editor

    def _label_editor_closed(self) -> None:
        self.label_editor = None
