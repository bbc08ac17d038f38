"""The campaign overview: every image with its seen / marks / categories / favourite
state, filterable, double-click to go there.

A table model over the session, not a widget per image: rows are positions in the
campaign, fetched in chunks as the list scrolls, and each row's state is read when
it is drawn, so a campaign of 100,000 images opens the overview at once.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QAbstractTableModel, QModelIndex, Qt, pyqtSignal
from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLineEdit, QTableView, QVBoxLayout, QWidget

from imgmarker.kernel.annotations.names import readable_name

CHUNK = 2000
COLUMNS = ("#", "Image", "Seen", "Marks", "Categories", "Fav.")
ALL, UNSEEN, SEEN, MARKED, UNMARKED, FAVOURITES = "all", "unseen", "seen", "marked", "unmarked", "favourites"
FILTERS = ((ALL, "All images"), (UNSEEN, "Not seen"), (SEEN, "Seen"), (MARKED, "With marks"),
           (UNMARKED, "Without marks"), (FAVOURITES, "Favourites"))


class OverviewModel(QAbstractTableModel):
    def __init__(self, session: Any, parent: Any = None):
        super().__init__(parent)
        self.session = session
        self._rows: list[int] = list(range(len(session)))
        self._loaded = min(CHUNK, len(self._rows))
        self._states: dict[int, Any] = {}
        self._current = session.index if len(session) else -1

    # -- filtering ----------------------------------------------------------------------
    def set_filter(self, text: str = "", state: str = ALL) -> None:
        session = self.session
        entries = session.entries
        n = len(session)
        text = text.strip().lower()
        rows = range(n)
        if text:
            rows = [i for i in rows if text in entries.key(i)[0].lower()]
        if state in (UNSEEN, SEEN):
            want = state == SEEN
            rows = [i for i in rows if session.is_seen(i) == want]
        elif state in (MARKED, UNMARKED):
            want = state == MARKED
            rows = [i for i in rows if (session.mark_count(i) > 0) == want]
        elif state == FAVOURITES or state.startswith("category:"):
            states = session.image_states()
            if state == FAVOURITES:
                keep = {k for k, s in states.items() if s.favorite}
            else:
                name = state.split(":", 1)[1]
                keep = {k for k, s in states.items() if name in s.categories}
            rows = [i for i in rows if entries.key(i) in keep]
        self.beginResetModel()
        self._rows = list(rows)
        self._loaded = min(CHUNK, len(self._rows))
        self._states.clear()
        self.endResetModel()

    def position(self, row: int) -> int:
        return self._rows[row]

    def row_of(self, position: int) -> int | None:
        try:
            row = self._rows.index(position)
        except ValueError:
            return None
        return row if row < self._loaded else None

    # -- lazy loading ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._loaded < len(self._rows)

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802
        more = min(CHUNK, len(self._rows) - self._loaded)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + more - 1)
        self._loaded += more
        self.endInsertRows()

    def total(self) -> int:
        """Rows that pass the filter (loaded or not)."""
        return len(self._rows)

    # -- cells ----------------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def _state(self, position: int) -> Any:
        state = self._states.get(position)
        if state is None:
            state = self._states[position] = self.session.image_state(self.session.entries[position])
        return state

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        position = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.FontRole and position == self._current:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 2, 3, 5):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        session = self.session
        if column == 0:
            return str(position + 1)
        if column == 1:
            name, pass_index = session.entries.key(position)
            name = readable_name(name)
            return name if pass_index == 1 else f"{name} (again)"
        if column == 2:
            return "✓" if session.is_seen(position) else ""
        if column == 3:
            count = session.mark_count(position)
            return str(count) if count else ""
        if column == 4:
            return ", ".join(self._state(position).categories)
        return "♥" if self._state(position).favorite else ""

    def refresh(self) -> None:
        """The campaign changed (an action, a move): forget cached rows, redraw."""
        self._states.clear()
        self._current = self.session.index if len(self.session) else -1
        if self._loaded:
            self.dataChanged.emit(self.index(0, 0), self.index(self._loaded - 1, len(COLUMNS) - 1))


class OverviewPanel(QWidget):
    jump = pyqtSignal(int)  # campaign position

    def __init__(self, session: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.model = OverviewModel(session, self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("filter by name")
        self.search.setClearButtonEnabled(True)
        self.state = QComboBox()
        for value, text in FILTERS:
            self.state.addItem(text, value)
        for name in session.experiment.categories.names():
            self.state.addItem(f"Category {name}", f"category:{name}")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(0, 44)
        self.table.setColumnWidth(1, 150)
        for column, width in ((2, 36), (3, 44), (4, 90), (5, 34)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda index: self.jump.emit(self.model.position(index.row())))
        self.search.textChanged.connect(self.apply_filter)
        self.state.currentIndexChanged.connect(lambda _i: self.apply_filter())
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.table)

    def apply_filter(self) -> None:
        self.model.set_filter(self.search.text(), self.state.currentData())

    def refresh_current(self) -> None:
        self.model.refresh()
