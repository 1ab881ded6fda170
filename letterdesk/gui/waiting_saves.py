"""Corrections kept on this computer while the department store is away: the letter pane's
status line says so, and the waiting saves are tried again every few seconds until the store
has them (:mod:`letterdesk.core.store.journal` keeps them)."""

from __future__ import annotations

from letterdesk.core.store.database import Store
from letterdesk.core.store.journal import write_waiting
from letterdesk.core.store.letters import Revision
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import QObject, QTimer, Signal

RETRY_MS = 10_000
"""While changes wait offline, how often they are tried again."""


class WaitingSaves(QObject):
    """Watches the count of waiting saves the store lane reports and retries them."""

    written = Signal(object)
    """Saves that reached the store later (list of Revision, in the order written)."""
    message = Signal(str)
    """A line for the status: offline with N changes waiting, or back online."""

    def __init__(self, worker: StoreWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.timer = QTimer(self, interval=RETRY_MS)
        self.timer.timeout.connect(self._retry)

    def show(self, waiting: int) -> None:
        """``waiting`` saves wait on this computer: say so and retry; none: say once that
        the pane is back online."""
        if waiting:
            self.message.emit(
                self.tr(
                    "Offline: the department store cannot be reached. Changes waiting on this "
                    "computer: %1. They are saved when it answers again."
                ).replace("%1", str(waiting))
            )
            self.timer.start()
        elif self.timer.isActive():
            self.timer.stop()
            self.message.emit(self.tr("Back online: every change is saved in the store."))

    def _retry(self) -> None:
        worker = self.worker

        def retry(store: Store) -> tuple[int, list[Revision]]:
            journal = worker.journal_for(store)
            return (0, []) if journal is None else write_waiting(store, journal)

        StoreOp(self.worker, retry).success(self._retried).run()

    def _retried(self, result: tuple[int, list[Revision]]) -> None:
        waiting, written = result
        self.written.emit(written)
        self.show(waiting)
