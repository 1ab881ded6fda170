"""The study view: set up a blinded comparison study, draft its letters, rate them, see results.

Three pages over one chosen study. *Set up* (:class:`StudySetup`): name, cases and model
versions are chosen, the letters are drafted (a :class:`StudyDrafting` job on a thread of its
own with its own store connection, so a long run never holds up the store worker; it can be
cancelled and resumed), and the study is completed. *Rate* (:class:`StudyRating`): the rater's
letters in the rater's own order under labels that never name the model, each beside its case,
scored with the rating panel. *Results*: the study's tables
(:func:`letterdesk.core.evaluation.report_tables.study_tables`). Everything else that reads or
writes the store runs on the :class:`StoreWorker`.
"""

from __future__ import annotations

import html
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
from letterdesk.core.evaluation.study_result import study_result
from letterdesk.core.store.audit import current_user
from letterdesk.core.store.database import Store
from letterdesk.core.store.model_versions import versions
from letterdesk.core.store.studies import Assignment, Study, studies
from letterdesk.gui.messages import show_error
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QEvent,
    QHBoxLayout,
    QLabel,
    Qt,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from letterdesk.gui.rating_dimensions import Dimension
from letterdesk.gui.study_drafting import StudyDrafting
from letterdesk.gui.study_rating import StudyRating
from letterdesk.gui.study_setup import StudySetup


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
