"""The side panel: what a left click places, the image's categories, comment and
favourite flag, navigation buttons and frames. It only emits intentions; the window
forwards them to the session and feeds the stored state back with :meth:`show_state`."""

from __future__ import annotations

from PyQt6.QtCore import QSignalBlocker, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QKeyEvent
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

COMMENT_DEBOUNCE_MS = 400


class CommentBox(QPlainTextEdit):
    """A comment editor where Enter leaves the box (Shift+Enter starts a new line)."""

    leave = pyqtSignal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt naming)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.leave.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.leave.emit()
            return
        super().keyPressEvent(event)


class SidePanel(QWidget):
    category_toggled = pyqtSignal(str)
    comment_changed = pyqtSignal(str)
    favorite_toggled = pyqtSignal()
    navigate = pyqtSignal(str)  # "previous", "next", "next_unseen"
    group_chosen = pyqtSignal(str)
    frame_chosen = pyqtSignal(int)
    leave_comment = pyqtSignal()
    show_instructions = pyqtSignal()

    def __init__(self, experiment, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SidePanel")
        layout = QVBoxLayout(self)

        self.group_box = QComboBox()
        for group in experiment.groups:
            self.group_box.addItem(f"{group.name}  [{group.key or '-'}]", group.name)
            self.group_box.setItemData(self.group_box.count() - 1, QColor(group.color),
                                       Qt.ItemDataRole.DecorationRole)
        self.group_box.setToolTip("Group placed by a left click")
        self.group_box.currentIndexChanged.connect(
            lambda i: self.group_chosen.emit(self.group_box.itemData(i)))
        row = QHBoxLayout()
        row.addWidget(QLabel("Left click:"))
        row.addWidget(self.group_box, 1)
        layout.addLayout(row)

        cats = QGroupBox("Categories" + (" (one)" if experiment.categories.exclusive else ""))
        cats_layout = QVBoxLayout(cats)
        self.category_boxes: dict[str, QCheckBox] = {}
        for category in experiment.categories.items:
            box = QCheckBox(f"{category.name}" + (f"  [{category.key}]" if category.key else ""))
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            box.clicked.connect(lambda _checked, name=category.name: self.category_toggled.emit(name))
            cats_layout.addWidget(box)
            self.category_boxes[category.name] = box
        layout.addWidget(cats)

        self.favorite = QPushButton("♡ Favourite")
        self.favorite.setCheckable(True)
        self.favorite.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.favorite.clicked.connect(lambda: self.favorite_toggled.emit())
        layout.addWidget(self.favorite)

        layout.addWidget(QLabel("Comment:"))
        self.comment = CommentBox()
        self.comment.setPlaceholderText("Comment on this image (Enter to leave)")
        self.comment.setMaximumHeight(90)
        self.comment.setTabChangesFocus(True)
        self._comment_timer = QTimer(self)
        self._comment_timer.setSingleShot(True)
        self._comment_timer.setInterval(COMMENT_DEBOUNCE_MS)
        self._comment_timer.timeout.connect(self.flush_comment)
        self.comment.textChanged.connect(self._comment_timer.start)
        self.comment.leave.connect(self._leave_comment)
        layout.addWidget(self.comment)

        nav = QHBoxLayout()
        for label, target in (("◀ Previous", "previous"), ("Next ▶", "next"), ("Next unseen ▶▶", "next_unseen")):
            button = QPushButton(label)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _c=False, t=target: self.navigate.emit(t))
            nav.addWidget(button)
        layout.addLayout(nav)

        layout.addWidget(QLabel("Frames:"))
        self.frames = QListWidget()
        self.frames.setMaximumHeight(110)
        self.frames.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frames.currentRowChanged.connect(lambda row: row >= 0 and self.frame_chosen.emit(row))
        layout.addWidget(self.frames)

        self.progress = QLabel()
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        if experiment.instructions.strip():
            button = QPushButton("Instructions")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(self.show_instructions.emit)
            layout.addWidget(button)
        layout.addStretch(1)
        self._shown_comment = ""

    # -- feeding state in -----------------------------------------------------------

    def show_state(self, state) -> None:
        self.flush_comment()
        for name, box in self.category_boxes.items():
            box.setChecked(name in state.categories)
        self.favorite.setChecked(state.favorite)
        self.favorite.setText("♥ Favourite" if state.favorite else "♡ Favourite")
        if self.comment.toPlainText() != state.comment:
            with QSignalBlocker(self.comment):
                self.comment.setPlainText(state.comment)
        self._shown_comment = state.comment
        self._comment_timer.stop()

    def show_frames(self, names: list[str], current: int) -> None:
        with QSignalBlocker(self.frames):
            shown = [self.frames.item(i).text() for i in range(self.frames.count())]
            if shown != list(names):  # most steps keep the same frame names: the list is left alone
                self.frames.clear()
                self.frames.addItems(names)
            self.frames.setCurrentRow(current)

    def show_group(self, name: str) -> None:
        index = self.group_box.findData(name)
        if index >= 0:
            with QSignalBlocker(self.group_box):
                self.group_box.setCurrentIndex(index)

    def show_progress(self, text: str) -> None:
        self.progress.setText(text)

    # -- comment debounce -------------------------------------------------------------

    def flush_comment(self) -> None:
        """Emit a pending comment edit now (before navigation, on close)."""
        self._comment_timer.stop()
        text = self.comment.toPlainText()
        if text != self._shown_comment:
            self._shown_comment = text
            self.comment_changed.emit(text)

    def _leave_comment(self) -> None:
        self.flush_comment()
        self.leave_comment.emit()
