"""The study window's second page: the rater's letters, blinded, each beside its case, scored
with the rating panel."""

from __future__ import annotations

from typing import Any

from letterdesk.core.evaluation.study import BlindedLetter
from letterdesk.core.store.studies import Assignment
from letterdesk.gui.case_panel import CasePanel
from letterdesk.gui.qt import (
    QAbstractTableModel,
    QHBoxLayout,
    QLabel,
    QModelIndex,
    QObject,
    QPlainTextEdit,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from letterdesk.gui.rating_dimensions import Dimension
from letterdesk.gui.rating_panel import RatingPanel
from letterdesk.gui.study_tables import AnyIndex, table_view


class StudyRating(QWidget):
    """Page 2: the rater's letters, blinded, each beside its case, with the rating panel."""

    def __init__(self, dimensions: tuple[Dimension, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rater_label = QLabel(self)
        self.items = _AssignmentTable(self)
        self.item_table = table_view(self.items, self)
        self.case_panel = CasePanel(self)
        self.letter = QPlainTextEdit(self)
        self.letter.setReadOnly(True)
        self.panel = RatingPanel(dimensions, self)
        self.current: BlindedLetter | None = None
        left = QVBoxLayout()
        left.addWidget(self.rater_label)
        left.addWidget(self.item_table, 1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.letter, 1)
        right_layout.addWidget(self.panel)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.case_panel)
        split.addWidget(right)
        split.setSizes([420, 600])
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(split, 4)
        self.letter.setAccessibleName(self.tr("The letter to rate"))
        self.item_table.setAccessibleName(self.tr("Your letters of this study"))

    def show_letter(self, blinded: BlindedLetter | None) -> None:
        """Show one letter to rate (None: nothing to rate)."""
        self.current = blinded
        self.case_panel.show_case(blinded.case if blinded else None)
        self.letter.setPlainText(blinded.text if blinded else "")
        if blinded is None:
            self.panel.set_revision(None)
            return
        self.panel.set_revision(1, blinded.scores, blinded.comment)
        row = blinded.assignment.position - 1
        self.item_table.selectRow(row)
        self.panel.title.setText(
            self.tr("<b>Letter {label}</b> – {position} of {total}; keys 1–4, ↑/↓").format(
                label=blinded.assignment.label,
                position=blinded.assignment.position,
                total=blinded.total,
            )
        )


class _AssignmentTable(QAbstractTableModel):
    """The rater's letters: position, blinded label, whether rated."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Assignment] = []

    def set_rows(self, rows: list[Assignment]) -> None:
        """Show these letters."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 3

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        item = self.rows[index.row()]
        return (str(item.position), item.label, "✓" if item.rated else "")[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return ("#", self.tr("Letter"), self.tr("Rated"))[section]
        return None
