"""The study window's first page: a new study (name, cases, model versions), and drafting and
completing the chosen one."""

from __future__ import annotations

from letterdesk.core.store.studies import Study
from letterdesk.gui.qt import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from letterdesk.gui.study_tables import Checklist, table_view


class StudySetup(QWidget):
    """Page 1: a new study (name, cases, model versions); drafting and completing one."""

    create_requested = Signal(str, list, list)
    """name, case IDs, model version IDs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(self)
        self.cases, self.models = Checklist(self), Checklist(self)
        self.case_table, self.model_table = (
            table_view(self.cases, self),
            table_view(self.models, self),
        )
        self.create_button = QPushButton(self)
        self.create_button.clicked.connect(self._create)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.draft_button, self.cancel_button = QPushButton(self), QPushButton(self)
        self.complete_button = QPushButton(self)
        form = QFormLayout()
        self.name_label = QLabel(self)
        form.addRow(self.name_label, self.name)
        tables = QHBoxLayout()
        tables.addWidget(self.case_table, 3)
        tables.addWidget(self.model_table, 2)
        actions = QHBoxLayout()
        for widget in (self.draft_button, self.cancel_button, self.complete_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(tables, 1)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.state)
        layout.addWidget(self.progress)
        layout.addLayout(actions)
        self.retranslate()
        self.show_study(None)

    def retranslate(self) -> None:
        self.name_label.setText(self.tr("Name of the new study:"))
        self.cases.title, self.models.title = self.tr("Cases"), self.tr("Model versions")
        self.create_button.setText(self.tr("&Create study"))
        self.draft_button.setText(self.tr("&Draft letters"))
        self.draft_button.setToolTip(self.tr("Each model version drafts every case, in turn"))
        self.cancel_button.setText(self.tr("Ca&ncel drafting"))
        self.complete_button.setText(self.tr("Co&mplete study"))
        self.complete_button.setToolTip(self.tr("Freeze the ratings; the result may then decide"))
        for widget, name in (
            (self.name, self.tr("Name of the new study")),
            (self.case_table, self.tr("Cases of the new study")),
            (self.model_table, self.tr("Model versions of the new study")),
            (self.create_button, self.tr("Create the study")),
            (self.draft_button, self.tr("Draft the study's letters")),
            (self.cancel_button, self.tr("Cancel drafting")),
            (self.complete_button, self.tr("Complete the study")),
        ):
            widget.setAccessibleName(name)

    def _create(self) -> None:
        self.create_requested.emit(self.name.text(), self.cases.keys(), self.models.keys())

    def show_study(self, study: Study | None, drafting: bool = False) -> None:
        """Show what the chosen study's state allows."""
        self.draft_button.setEnabled(
            study is not None and study.status == "drafting" and not drafting
        )
        self.cancel_button.setEnabled(drafting)
        self.complete_button.setEnabled(study is not None and study.status == "rating")
        if study is None:
            self.state.setText(self.tr("Choose cases and at least two model versions."))
            self.progress.hide()
            return
        self.progress.setMaximum(study.items)
        self.progress.setValue(study.drafted)
        self.progress.setVisible(study.status == "drafting")
        text = {
            "drafting": self.tr("{done} of {total} letters drafted."),
            "rating": self.tr("All {total} letters are drafted; raters can rate them."),
            "completed": self.tr("Completed: the {total} letters' ratings are frozen."),
        }[study.status]
        self.state.setText(text.format(done=study.drafted, total=study.items))
