"""Drafting a study's letters from the study window: a job on a thread of its own with a store
connection of its own, so a long run never holds up the store worker; it can be cancelled and
resumed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.evaluation.study_drafting import draft_study
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.store.database import Store
from letterdesk.gui.qt import QObject, Signal


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
