"""Running the learning loop from the window: the trainer's events come back by signal.

:func:`letterdesk.core.models.trainer_job.run_learning` runs dataset → finetune → promote as child
processes and reads their JSON lines; here it runs on a thread of its own, so reading the
trainer's output never holds up the window. Each event, and the outcome, reaches the GUI
thread by signal. Stopping is cooperative: the fine-tuning writes a checkpoint and ends, and
the same settings started again resume from it.
"""

from __future__ import annotations

import threading

from letterdesk.core.models.trainer_events import TrainerEvent
from letterdesk.core.models.trainer_job import (
    LearningOutcome,
    LearningSettings,
    TrainerJob,
    run_learning,
)
from letterdesk.gui.qt import QObject, Signal


class TrainingRun(QObject):
    """One run of the learning loop on a worker thread."""

    arrived = Signal(object)
    """A trainer event (TrainerEvent), in the order the trainer wrote them."""
    ended = Signal(object)
    """How the run ended (LearningOutcome): done, cancelled (resumable) or failed."""
    failed = Signal(object)
    """The run could not be started or broke (an exception), e.g. an unwritable work folder."""

    def __init__(self, settings: LearningSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._stop = threading.Event()
        self._job: TrainerJob | None = None
        self._thread = threading.Thread(target=self._run, name="letterdesk-trainer", daemon=True)

    def start(self) -> None:
        """Start the loop; events and the outcome arrive by signal."""
        self._thread.start()

    def cancel(self) -> None:
        """Stop now: the fine-tuning checkpoints and ends, other stages end at once."""
        self._stop.set()
        job = self._job
        if job is not None:
            job.cancel()

    # --- on the worker thread --------------------------------------------------------------

    def _run(self) -> None:
        try:
            outcome: LearningOutcome = run_learning(
                self.settings, self._pass_on, self._stop.is_set, on_job=self._started
            )
        except Exception as exc:  # shown to the user on the GUI thread
            self.failed.emit(exc)
        else:
            self.ended.emit(outcome)

    def _started(self, job: TrainerJob) -> None:
        self._job = job
        if self._stop.is_set():  # stopped between two stages
            job.cancel()

    def _pass_on(self, event: TrainerEvent) -> None:
        self.arrived.emit(event)
