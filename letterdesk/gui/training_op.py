"""Running the learning loop from the window: the trainer's events come back by signal.

:func:`letterdesk.core.models.trainer_job.run_learning` runs dataset → finetune → promote as child
processes and reads their JSON lines; here it runs on a free lane of its own
(:mod:`letterdesk.gui.operations`), so reading the trainer's output never holds up the window.
Each event, and the outcome, reaches the GUI
thread by signal. Stopping is cooperative: the fine-tuning writes a checkpoint and ends, and
the same settings started again resume from it.
"""

from __future__ import annotations

import threading

from letterdesk.core.models.trainer_job import (
    LearningOutcome,
    LearningSettings,
    TrainerJob,
    run_learning,
)
from letterdesk.gui.operations import Lane, Op
from letterdesk.gui.qt import QObject, Signal


class TrainingRun(QObject):
    """One run of the learning loop on a lane of its own."""

    arrived = Signal(object)
    """A trainer event (TrainerEvent), in the order the trainer wrote them."""
    ended = Signal(object)
    """How the run ended (LearningOutcome): done, cancelled (resumable) or failed."""
    failed = Signal(object)
    """The run could not be started or broke (an exception), e.g. an unwritable work folder."""

    def __init__(self, settings: LearningSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._job: TrainerJob | None = None
        # not the operation's own cancel: a run stopped before it began still ends with an
        # outcome ("cancelled", resumable), which run_learning reports
        self._stop = threading.Event()
        self._lane = Lane("trainer", parent=self)
        self._op: Op[LearningOutcome] = (
            Op(self._lane, self._run).success(self.ended.emit).failure(self.failed.emit)
        )

    def start(self) -> None:
        """Start the loop; events and the outcome arrive by signal."""
        self._op.run()

    def cancel(self) -> None:
        """Stop now: the fine-tuning checkpoints and ends, other stages end at once."""
        self._stop.set()
        job = self._job
        if job is not None:
            job.cancel()

    # --- on the trainer's lane -------------------------------------------------------------

    def _run(self, _: None) -> LearningOutcome:
        return run_learning(
            self.settings, self.arrived.emit, self._stop.is_set, on_job=self._started
        )

    def _started(self, job: TrainerJob) -> None:
        self._job = job
        if self._stop.is_set():  # stopped between two stages
            job.cancel()
