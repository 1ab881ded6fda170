"""The study window's tables: the checklists of cases and model versions the admin ticks, and
the look every table of the window shares (:func:`table_view`)."""

from __future__ import annotations

from typing import Any

from letterdesk.gui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QHeaderView,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QWidget,
)

AnyIndex = QModelIndex | QPersistentModelIndex


class Checklist(QAbstractTableModel):
    """Rows of (key, text) the admin ticks: cases or model versions."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[Any, str]] = []
        self.checked: set[Any] = set()
        self.title = ""

    def set_rows(self, rows: list[tuple[Any, str]]) -> None:
        """Show these rows; ticks on keys that are still there stay."""
        self.beginResetModel()
        self.rows = rows
        self.checked &= {key for key, _ in rows}
        self.endResetModel()

    def set_checked(self, key: Any, checked: bool = True) -> None:
        """Tick (or untick) the row with this key."""
        for row, (k, _) in enumerate(self.rows):
            if k == key:
                self.setData(
                    self.index(row, 0),
                    Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked,
                    Qt.ItemDataRole.CheckStateRole,
                )

    def keys(self) -> list[Any]:
        """The ticked keys, in row order."""
        return [key for key, _ in self.rows if key in self.checked]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 1

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        key, text = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if key in self.checked else Qt.CheckState.Unchecked
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        key = self.rows[index.row()][0]
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.checked.add(key)
        else:
            self.checked.discard(key)
        self.dataChanged.emit(index, index, [role])
        return True

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.title
        return None


def table_view(model: QAbstractTableModel, parent: QWidget) -> QTableView:
    """A table of one model whose rows are chosen one at a time, its columns filling the width."""
    view = QTableView(parent)
    view.setModel(model)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return view
