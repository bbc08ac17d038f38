"""The main window: composes the image view, the side panel, the docks, the status
line and the menus, and binds keys to workspace actions. It holds no campaign logic:
actions go to the workspace or the session, dialogs live in :mod:`imgmarker.shell.dialogs`.

Changed annotator settings rebuild the workspace, panel, keys and menus around the
same view (:meth:`MainWindow.reload`), so names and keys are everywhere up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QAction, QCloseEvent, QKeySequence
from PyQt6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox

from imgmarker.kernel.experiment.bindings import key_bindings
from imgmarker.shell import comfort
from imgmarker.shell.errors_panel import ErrorsPanel
from imgmarker.shell.label_editor import LabelEditor
from imgmarker.shell.menus import build_menus
from imgmarker.shell.overview import OverviewPanel
from imgmarker.shell.sidepanel import SidePanel
from imgmarker.shell.view import ImageView
from imgmarker.shell.workspace import Workspace

__all__ = ["LabelEditor", "MainWindow"]


class MainWindow(QMainWindow):
    def __init__(self, session: Any, *, cache_mb: int | None = None, recent_file: Path | None = None,
                 opener: Callable[..., Any] | None = None):
        super().__init__()
        self.session = session
        self.recent_file = recent_file
        #: Opens another campaign's window (File > Open); given by the app so that the
        #: window's commands need not import the app that created the window.
        self.opener = opener
        self._cache_mb = cache_mb
        self.view = ImageView(self)
        self.setCentralWidget(self.view)
        self.readout = QLabel()
        self.readout.setObjectName("Readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.readout)
        self.group_indicator = QLabel()
        self.statusBar().addPermanentWidget(self.group_indicator)
        self.storage_indicator = QLabel()  # "stored" only for actions on the disk
        self.storage_indicator.setObjectName("Storage")
        metrics = self.storage_indicator.fontMetrics()  # one width for both words: no relayout at each action
        self.storage_indicator.setFixedWidth(max(metrics.horizontalAdvance(w) for w in ("stored", "saving…")) + 8)
        self.statusBar().addPermanentWidget(self.storage_indicator)
        self.label_editor: LabelEditor | None = None
        self.failures: list[str] = []
        self.dialogs: dict[str, Any] = {}  # open dialogs by name (kept alive, and for tests)
        self.close_session_on_close = False
        self.dock = self._dock("ImageDock", "Image", Qt.DockWidgetArea.RightDockWidgetArea)
        self.overview_dock = self._dock("OverviewDock", "Campaign", Qt.DockWidgetArea.LeftDockWidgetArea)
        self.errors_dock = self._dock("ErrorsDock", "Unreadable files", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.overview_dock.hide()
        self.errors_dock.hide()
        self.errors = ErrorsPanel(self)
        self.errors_dock.setWidget(self.errors)
        self.errors.retry.connect(lambda keys: self.workspace.retry(keys))
        self.errors.jump.connect(lambda name: self._go_to_name(name))
        self.errors.found.connect(self.errors_dock.show)
        self.resize(1280, 860)
        self._assemble()
        comfort.restore_window(self)
        self.view.setFocus()

    def _dock(self, name: str, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    # -- assembling around the (effective) experiment --------------------------------------

    @property
    def experiment(self) -> Any:
        return self.session.experiment

    def _assemble(self) -> None:
        self.panel = SidePanel(self.experiment, self)
        self.dock.setWidget(self.panel)
        self.workspace = ws = Workspace(self.session, self.view, self.panel, cache_mb=self._cache_mb)
        self.key_actions: list[QAction] = []
        self.actions_by_name: dict[str, list[QAction]] = {}
        ws.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ws.readout.connect(self.readout.setText)
        ws.storage.connect(self.storage_indicator.setText)
        ws.changed.connect(self._refresh_title)
        ws.failure.connect(self._report_failure)
        ws.label_edit_requested.connect(self.edit_label)
        ws.bridge.finished.connect(self.errors.outcome)
        self.panel.leave_comment.connect(self.view.setFocus)
        self.panel.group_chosen.connect(lambda _name: self._refresh_group())
        self.panel.show_instructions.connect(self.show_instructions)
        self.overview = OverviewPanel(self.session, self)
        self.overview.jump.connect(ws.go_to)
        ws.changed.connect(self.overview.refresh_current)
        self.overview_dock.setWidget(self.overview)
        self._bind_keys()
        self.menu_actions = build_menus(self)
        self._refresh_group()

    def _teardown(self) -> None:
        self.workspace.detach()
        for action in self.key_actions:
            self.removeAction(action)
        self.menuBar().clear()
        for widget in (self.panel, self.overview):
            widget.deleteLater()
        self.workspace.deleteLater()

    def reload(self) -> None:
        """Rebuild what depends on the experiment's names, keys and settings."""
        self._teardown()
        self._assemble()
        self.workspace.show_current(keep_picture=True)
        self.view.setFocus()

    # -- start / stop --------------------------------------------------------------------

    def start(self) -> None:
        self.workspace.show_current()
        comfort.restore_view(self)
        if self.experiment.instructions.strip() and not self.session.get_setting("instructions_seen", False):
            self.session.set_setting("instructions_seen", True)
            self.show_instructions()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        comfort.save_window(self)
        self.workspace.close()
        for dialog in self.dialogs.values():
            dialog.close()
        super().closeEvent(event)
        if self.close_session_on_close:
            self.session.close()

    # -- keys ----------------------------------------------------------------------------

    def handler(self, action: str) -> Callable[[], Any] | None:
        """What the binding ``action`` does (also used by the menus)."""
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
            handler = self.handler(binding.action)
            if handler is None:
                continue
            keys = [QKeySequence(binding.key)]
            if binding.key == "Shift+Tab":
                keys.append(QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_Backtab))
            for sequence in keys:
                action = QAction(binding.description, self)
                action.setShortcut(sequence)
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                action.triggered.connect(lambda _checked=False, h=handler: self._run_key(h))
                self.addAction(action)
                self.key_actions.append(action)
            self.actions_by_name.setdefault(binding.action, []).append(self.key_actions[-len(keys)])

    def _run_key(self, handler: Callable[[], Any]) -> None:
        if self.label_editor is not None:
            return
        handler()
        self._refresh_group()

    def shortcut_text(self, name: str) -> str:
        """The keys bound to ``name``, as a menu shows them."""
        return ", ".join(a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                         for a in self.actions_by_name.get(name, []))

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802,A002 - Tab navigates images, not widgets
        return False

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

    def show_dialog(self, name: str, dialog: Any) -> Any:
        old = self.dialogs.pop(name, None)
        if old is not None:
            old.close()
        self.dialogs[name] = dialog
        dialog.show()
        return dialog

    def _go_to_name(self, name: str) -> None:
        index = next((e.position for e in self.session.entries if e.name == name), None)
        if index is not None:
            self.workspace.go_to(index)

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
