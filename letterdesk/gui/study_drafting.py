"""Drafting a study's letters from the study window: a job on a lane of its own
(:mod:`letterdesk.gui.operations`) with a store connection of its own, so a long run never holds
up the store lane; it can be cancelled and resumed."""

from __future__ import annotations

from pathlib import Path

from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.evaluation.study_drafting import draft_study
from letterdesk.core.store.database import Store
from letterdesk.core.store.studies import Study
from letterdesk.gui.operations import Job, Lane, Op
from letterdesk.gui.qt import QObject, Signal


class StudyDrafting(QObject):
    """Drafts a study's letters on a lane of its own, with a store connection of its own."""

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
        self._lane = Lane("study", parent=self)
        self._job: Job | None = None

    def start(self, study_id: int) -> None:
        """Draft the study's missing letters in the background."""
        op: Op[Study] = Op(self._lane, lambda _: self._draft(study_id, op.job))
        op.success(self.finished.emit).failure(self.failed.emit).cancelled(self.cancelled.emit)
        self._job = op.progress(self.progressed.emit).run()

    def cancel(self) -> None:
        """Stop after the letter being written (which is not kept)."""
        if self._job is not None:
            self._job.cancel()

    def close(self) -> None:
        """Stop drafting and wait for the lane (its model is closed)."""
        self.cancel()
        self._lane.close()

    def _draft(self, study_id: int, job: Job) -> Study:
        with Store(self.store_path) as store:
            return draft_study(
                store, study_id, self.settings, options=self.options, user=self.user,
                progress=job.report, cancel=job.is_cancelled,
            )  # fmt: skip
