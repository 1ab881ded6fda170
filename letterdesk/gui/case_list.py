"""The case list: search by name, ID or birth date, filter by letter status, pick a case.

The view only asks (``query_changed``, debounced while typing); the window runs the query
on the store worker and hands the rows back with :meth:`CaseList.set_rows`. The selection
survives a refresh as long as the case is still listed.
"""

from __future__ import annotations

from typing import Any

from letterdesk.core.desk.worklist import CaseRow
from letterdesk.core.store.database import CASE_STATUSES
from letterdesk.gui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QComboBox,
    QCoreApplication,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

SEARCH_DEBOUNCE_MS = 200
Index = QModelIndex | QPersistentModelIndex


class CaseListModel(QAbstractTableModel):
    """The rows of the case list: patient, birth date, case ID, letter status."""

    COLUMNS = ("patient", "birth_date", "case_id", "status")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CaseRow] = []

    def set_rows(self, rows: list[CaseRow]) -> None:
        """Show these rows; the same cases in the same order only repaint what changed."""
        same = [r.summary.case_id for r in rows] == [r.summary.case_id for r in self.rows]
        if same and rows:
            changed = [
                i for i, (old, new) in enumerate(zip(self.rows, rows, strict=True)) if old != new
            ]
            self.rows = list(rows)
            for row in changed:  # a status changed: keep the view (scrolling, selection) as it is
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            return
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, case_id: str) -> int | None:
        """The row showing a case, None if it is not listed."""
        for number, row in enumerate(self.rows):
            if row.summary.case_id == case_id:
                return number
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Patient"), self.tr("Born"), self.tr("Case"), self.tr("Status"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row) or None
        if role == Qt.ItemDataRole.UserRole:
            return row.summary.case_id
        return None

    def _display(self, row: CaseRow, column: str) -> str:
        summary = row.summary
        if column == "patient":
            demo = self.tr(" (demo)") if row.synthetic else ""
            return f"{summary.patient_name}{demo}"
        if column == "birth_date":
            return summary.birth_date  # ISO: short, and the same for German and English cases
        if column == "case_id":
            return summary.case_id
        if row.ready:
            return self.ready_label()
        return status_label(summary.status)

    def ready_label(self) -> str:
        """What the status column says of a draft written ahead and not opened yet."""
        return self.tr("draft ready")

    def status_labels(self) -> list[str]:
        """Every text the status column can show, in the interface language."""
        return [status_label(s) for s in CASE_STATUSES] + [self.ready_label()]

    def _tip(self, row: CaseRow) -> str:
        tips = []
        if row.synthetic:
            tips.append(self.tr("Synthetic demo data – not a real patient"))
        if row.ready:
            tips.append(
                self.tr("Drafted ahead by LetterDesk while the desk was idle; not opened yet")
            )
        if row.not_drafted:
            tips.append(self.tr("Could not be drafted ahead: %1").replace("%1", row.not_drafted))
        return "\n".join(tips)


def status_label(status: str) -> str:
    """A letter status in the interface language."""
    labels = {
        "new": QCoreApplication.translate("status", "new"),
        "draft": QCoreApplication.translate("status", "draft"),
        "corrected": QCoreApplication.translate("status", "corrected"),
        "signed": QCoreApplication.translate("status", "signed"),
    }
    return labels.get(status, status)


class CaseList(QWidget):
    """Search field, status filter and the table of cases."""

    query_changed = Signal(str, object)
    """search text, status (None: every status)."""
    case_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CaseListModel(self)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.status_label = QLabel(self)
        self.status = QComboBox(self)
        self.status_label.setBuddy(self.status)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._sized = False
        self.count = QLabel(self)

        filters = QHBoxLayout()
        filters.addWidget(self.status_label)
        filters.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_query)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.status.currentIndexChanged.connect(lambda _: self._emit_query())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search name, ID or birth date (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search cases"))
        self.status_label.setText(self.tr("&Status:"))
        self.status.setAccessibleName(self.tr("Filter by letter status"))
        current = self.status.currentData()
        self.status.blockSignals(True)
        self.status.clear()
        self.status.addItem(self.tr("All"), None)
        for status in CASE_STATUSES:
            self.status.addItem(status_label(status), status)
        self.status.setCurrentIndex(max(0, self.status.findData(current)))
        self.status.blockSignals(False)
        self.table.setAccessibleName(self.tr("Cases"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)
        # wide enough for every status in this language, "draft ready" too (not "draft rea…")
        metrics = self.table.fontMetrics()
        widest = max(metrics.horizontalAdvance(label) for label in self.model.status_labels())
        self.table.setColumnWidth(3, widest + 16)
        self._show_count()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def query(self) -> tuple[str, str | None]:
        """The search text and status filter now set."""
        return self.search.text(), self.status.currentData()

    @property
    def selected_case(self) -> str | None:
        """The case ID of the selected row."""
        index = self.table.currentIndex()
        return self.model.rows[index.row()].summary.case_id if index.isValid() else None

    def set_rows(self, rows: list[CaseRow]) -> None:
        """Show the rows of a query; the selected case stays selected if it is among them."""
        selected = self.selected_case
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        self.table.selectionModel().blockSignals(False)
        if rows and not self._sized:  # measuring every row on each change would be slow
            self._sized = True
            for column in (1, 2):
                self.table.resizeColumnToContents(column)
        row = self.model.row_of(selected) if selected else None
        if row is not None:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
        self._show_count()

    def is_ready(self, case_id: str) -> bool:
        """True when the list shows this case's draft written ahead as waiting."""
        number = self.model.row_of(case_id)
        return number is not None and self.model.rows[number].ready

    def select_case(self, case_id: str) -> bool:
        """Select a case's row (emits ``case_selected``); False if it is not listed."""
        row = self.model.row_of(case_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def select_next(self) -> bool:
        """Select the row below the current one; False at the end of the list."""
        current = self.table.currentIndex().row()
        if current + 1 >= self.model.rowCount():
            return False
        self.table.selectRow(current + 1)
        return True

    def _emit_query(self) -> None:
        self.query_changed.emit(*self.query)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.case_selected.emit(self.model.rows[current.row()].summary.case_id)

    def _show_count(self) -> None:
        self.count.setText(self.tr("Cases listed: {n}").format(n=len(self.model.rows)))
        self.count.setAccessibleName(self.count.text())
