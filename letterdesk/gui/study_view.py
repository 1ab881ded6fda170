"""The study view: set up a blinded comparison study, draft its letters, rate them, see results.

Three pages over one chosen study. *Set up*: name, cases and model versions are chosen, the
letters are drafted (a :class:`StudyDrafting` job on a thread of its own with its own store
connection, so a long run never holds up the store worker; it can be cancelled and resumed),
and the study is completed. *Rate*: the rater's letters in the rater's own order under labels
that never name the model, each beside its case, scored with the rating panel. *Results*: the
study's tables (:func:`letterdesk.core.evaluation.report_tables.study_tables`). Everything
else that reads or writes the store runs on the :class:`StoreWorker`.
"""

from __future__ import annotations

import html
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.evaluation.metrics import model_labels
from letterdesk.core.evaluation.report import tables_html
from letterdesk.core.evaluation.report_tables import study_tables
from letterdesk.core.evaluation.study import (
    BlindedLetter,
    assignments,
    complete_study,
    create_study,
    open_assignment,
    rate_item,
)
from letterdesk.core.evaluation.study_drafting import draft_study
from letterdesk.core.evaluation.study_result import study_result
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.store.audit import current_user
from letterdesk.core.store.database import Store
from letterdesk.core.store.model_versions import versions
from letterdesk.core.store.studies import Assignment, Study, studies
from letterdesk.gui.case_panel import CasePanel
from letterdesk.gui.messages import show_error
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QButtonGroup,
    QComboBox,
    QDialog,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    Qt,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from letterdesk.gui.rating_dimensions import Dimension
from letterdesk.gui.rating_panel import RatingPanel

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


def _table(model: QAbstractTableModel, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return view


class StudyDrafting(QObject):
    """Drafts a study's letters on a thread of its own, with a store connection of its own."""

    progressed = Signal(int, int)
    finished = Signal(object)
    """The study once all its letters are drafted (Study)."""
    failed = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        store_path: Path | None,
        settings: EngineSettings,
        options: DecodingOptions,
        user: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store_path, self.settings, self.options, self.user = (
            store_path, settings, options, user,
        )  # fmt: skip
        self._stop = threading.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="letterdesk-study")

    def start(self, study_id: int) -> None:
        """Draft the study's missing letters in the background."""
        self._stop.clear()
        self._executor.submit(self._run, study_id)

    def cancel(self) -> None:
        """Stop after the letter being written (which is not kept)."""
        self._stop.set()

    def close(self) -> None:
        """Stop drafting and wait for the thread (its model is closed)."""
        self._stop.set()
        self._executor.shutdown(wait=True)

    def _run(self, study_id: int) -> None:
        try:
            with Store(self.store_path) as store:
                study = draft_study(
                    store, study_id, self.settings, options=self.options, user=self.user,
                    progress=self.progressed.emit, cancel=self._stop.is_set,
                )  # fmt: skip
        except Interrupted:
            self.cancelled.emit()
        except Exception as exc:  # shown to the admin in their words
            self.failed.emit(exc)
        else:
            self.finished.emit(study)


class StudySetup(QWidget):
    """Page 1: a new study (name, cases, model versions); drafting and completing one."""

    create_requested = Signal(str, list, list)
    """name, case IDs, model version IDs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(self)
        self.cases, self.models = Checklist(self), Checklist(self)
        self.case_table, self.model_table = _table(self.cases, self), _table(self.models, self)
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


class StudyRating(QWidget):
    """Page 2: the rater's letters, blinded, each beside its case, with the rating panel."""

    def __init__(self, dimensions: tuple[Dimension, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rater_label = QLabel(self)
        self.items = _AssignmentTable(self)
        self.item_table = _table(self.items, self)
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


class StudyView(QDialog):
    """A window for blinded comparison studies: set up, rate, results."""

    studies_loaded = Signal(list)
    rated = Signal(object)
    """The assignment just rated (Assignment)."""
    result_shown = Signal(object)

    def __init__(
        self,
        worker: StoreWorker,
        engine: EngineSettings,
        rater: str,
        dimensions: tuple[Dimension, ...],
        options: DecodingOptions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker, self.rater = worker, rater
        self.studies: list[Study] = []
        self.drafting = StudyDrafting(
            worker.store_path, engine, options or DecodingOptions(), current_user(), self
        )
        self.chooser = QComboBox(self)
        self.chooser.currentIndexChanged.connect(lambda _i: self._study_chosen())
        self.pages_group = QButtonGroup(self)
        self.page_buttons = [QToolButton(self) for _ in range(3)]
        self.setup, self.rating = StudySetup(self), StudyRating(dimensions, self)
        self.results = QTextBrowser(self)
        self.pages: list[QWidget] = [self.setup, self.rating, self.results]
        self._build_layout()
        self._connect()
        self.retranslate()
        self.show_page(0)
        self.resize(1280, 860)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        self.chooser_label = QLabel(self)
        top.addWidget(self.chooser_label)
        top.addWidget(self.chooser, 1)
        for index, button in enumerate(self.page_buttons):
            button.setCheckable(True)
            self.pages_group.addButton(button, index)
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        for page in self.pages:
            layout.addWidget(page, 1)

    def _connect(self) -> None:
        self.pages_group.idClicked.connect(self.show_page)
        self.setup.create_requested.connect(self.create)
        self.setup.draft_button.clicked.connect(self.draft)
        self.setup.cancel_button.clicked.connect(self.drafting.cancel)
        self.setup.complete_button.clicked.connect(self.complete)
        self.drafting.progressed.connect(self._drafted_some)
        self.drafting.finished.connect(lambda study: self._drafting_ended(study.id))
        self.drafting.cancelled.connect(lambda: self._drafting_ended(self.study_id))
        self.drafting.failed.connect(self._drafting_failed)
        self.rating.item_table.clicked.connect(
            lambda index: self.open_letter(self.rating.items.rows[index.row()].item_id)
        )
        self.rating.panel.rate_requested.connect(self.save_rating)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Blinded comparison studies"))
        self.setAccessibleName(self.windowTitle())
        self.chooser_label.setText(self.tr("Study:"))
        self.chooser.setAccessibleName(self.tr("Study"))
        self.results.setAccessibleName(self.tr("Results of the study"))
        for button, text in zip(
            self.page_buttons, (self.tr("Set up"), self.tr("Rate"), self.tr("Results")), strict=True
        ):
            button.setText(text)
            button.setAccessibleName(text)
        self.rating.rater_label.setText(self.tr("Rater: {name}").format(name=self.rater))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.drafting.close()
        super().closeEvent(event)

    # --- studies ---------------------------------------------------------------------------

    @property
    def study(self) -> Study | None:
        """The study chosen at the top."""
        index = self.chooser.currentIndex()
        return self.studies[index] if 0 <= index < len(self.studies) else None

    @property
    def study_id(self) -> int:
        return self.study.id if self.study is not None else 0

    def load(self, choose: int | None = None) -> None:
        """Read the studies, the cases and the model versions (on the store worker)."""

        def read(store: Store) -> tuple[list[Study], list[Any], list[Any]]:
            labels = model_labels(store)
            cases = [
                (c.case_id, f"{c.case_id} · {c.patient_name} · {c.letter_type}")
                for c in store.cases()
            ]
            files = sorted((v for v in versions(store) if v.verified), key=lambda v: v.id)
            models = [(v.id, f"{labels[v.id]} · {v.path}") for v in files]
            return studies(store), cases, models

        StoreOp(self.worker, read).success(lambda found: self._loaded(*found, choose)).run()

    def _loaded(self, found: list[Study], cases: list, models: list, choose: int | None) -> None:
        wanted = choose if choose is not None else self.study_id
        self.studies = found
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for study in found:
            self.chooser.addItem(f"{study.id}: {study.name} ({study.status})")
        ids = [s.id for s in found]
        self.chooser.setCurrentIndex(ids.index(wanted) if wanted in ids else 0 if ids else -1)
        self.chooser.blockSignals(False)
        self.setup.cases.set_rows(cases)
        self.setup.models.set_rows(models)
        self._study_chosen()
        self.studies_loaded.emit(found)

    def _study_chosen(self) -> None:
        self.setup.show_study(self.study)
        self.show_page(self.pages_group.checkedId())

    def create(self, name: str, case_ids: list[str], model_ids: list[int]) -> None:
        """Set up a new study and choose it."""
        user = current_user()
        StoreOp(
            self.worker, lambda store: create_study(store, name, case_ids, model_ids, user=user)
        ).success(lambda study: self.load(study.id)).failure(lambda e: show_error(self, e)).run()

    def draft(self) -> None:
        """Draft the chosen study's letters in the background."""
        if self.study is None:
            return
        self.setup.show_study(self.study, drafting=True)
        self.drafting.start(self.study.id)

    def _drafted_some(self, done: int, total: int) -> None:
        self.setup.progress.setMaximum(total)
        self.setup.progress.setValue(done)
        self.setup.state.setText(
            self.tr("{done} of {total} letters drafted …").format(done=done, total=total)
        )

    def _drafting_ended(self, study_id: int) -> None:
        self.load(study_id)

    def _drafting_failed(self, error: BaseException) -> None:
        show_error(self, error)
        self.load(self.study_id)

    def complete(self) -> None:
        """Complete the chosen study: its ratings are frozen."""
        study_id, user = self.study_id, current_user()
        StoreOp(self.worker, lambda store: complete_study(store, study_id, user)).success(
            lambda study: self.load(study.id)
        ).failure(lambda e: show_error(self, e)).run()

    # --- pages -----------------------------------------------------------------------------

    def show_page(self, index: int) -> None:
        """Show Set up (0), Rate (1) or Results (2) for the chosen study."""
        index = max(index, 0)
        self.page_buttons[index].setChecked(True)
        for number, page in enumerate(self.pages):
            page.setVisible(number == index)
        if index == 1:
            self.load_assignments()
        elif index == 2:
            self.show_results()

    def set_rater(self, rater: str) -> None:
        """Rate as another rater (their own order, their own scores)."""
        self.rater = rater
        self.retranslate()
        self.rating.items.set_rows([])
        self.rating.show_letter(None)  # the last rater's scores are not the next one's business
        if self.pages_group.checkedId() == 1:
            self.load_assignments()

    def load_assignments(self, after: int | None = None) -> None:
        """Read the rater's letters and open the next unrated one (after ``after``)."""
        study, rater = self.study, self.rater
        if study is None or study.status == "drafting":
            self.rating.items.set_rows([])
            self.rating.show_letter(None)
            return
        StoreOp(self.worker, lambda store: assignments(store, study.id, rater)).success(
            lambda rows: self._assignments_loaded(rows, after, (study.id, rater))
        ).failure(lambda e: show_error(self, e)).run()

    def _still(self, asked: tuple[int, str]) -> bool:
        # an answer for another study or rater arrived after a switch: it is not shown
        return asked == (self.study_id, self.rater)

    def _assignments_loaded(
        self, rows: list[Assignment], after: int | None, asked: tuple[int, str]
    ) -> None:
        if not self._still(asked):
            return
        self.rating.items.set_rows(rows)
        later = [a for a in rows if not a.rated and (after is None or a.position > after)]
        unrated = later or [a for a in rows if not a.rated]
        if unrated:
            self.open_letter(unrated[0].item_id)
        elif self.rating.current is None and rows:
            self.open_letter(rows[0].item_id)
        elif rows:
            self.rating.panel.message.setText(
                self.tr("All your letters of this study are rated. Thank you.")
            )

    def open_letter(self, item_id: int) -> None:
        """Show one of the rater's letters with the rater's scores so far."""
        study_id, rater = self.study_id, self.rater

        def opened(blinded: BlindedLetter) -> None:
            if self._still((study_id, rater)):
                self.rating.show_letter(blinded)

        StoreOp(
            self.worker, lambda store: open_assignment(store, study_id, rater, item_id)
        ).success(opened).failure(lambda e: show_error(self, e)).run()

    def save_rating(self, scores: dict[str, int], comment: str) -> None:
        """Store the rating of the letter shown, then go on to the next unrated one."""
        current = self.rating.current
        if current is None:
            return
        study_id, rater, item_id = self.study_id, self.rater, current.assignment.item_id

        def saved(assignment: Assignment) -> None:
            self.rated.emit(assignment)
            if self._still((study_id, rater)):
                self.rating.panel.saved()
                self.load_assignments(after=assignment.position)

        StoreOp(
            self.worker,
            lambda store: rate_item(store, study_id, rater, item_id, scores, comment),
        ).success(saved).failure(lambda e: show_error(self, e)).run()

    def show_results(self) -> None:
        """Show the chosen study's result so far."""
        study_id = self.study_id
        if not study_id:
            self.results.clear()
            return

        def shown(result: Any) -> None:
            heading = f"<h2>{html.escape(result.name)} ({html.escape(result.status)})</h2>"
            self.results.setHtml(heading + tables_html(study_tables(result)))
            self.result_shown.emit(result)

        StoreOp(self.worker, lambda store: study_result(store, study_id)).success(shown).failure(
            lambda e: show_error(self, e)
        ).run()


def open_study_view(
    worker: StoreWorker,
    engine: EngineSettings,
    rater: str,
    dimensions: tuple[Dimension, ...],
    options: DecodingOptions | None = None,
    parent: QWidget | None = None,
) -> StudyView:
    """Open the study window (not modal) and read the studies."""
    view = StudyView(worker, engine, rater, dimensions, options, parent)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    view.load()
    return view
