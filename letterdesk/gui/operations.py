"""Operations: work on the store runs on one worker thread, results come back by signal.

The :class:`StoreWorker` alone opens and uses the store's connection, on a thread of its
own; operations run one at a time in the order they were submitted, so an autosave queued
before a sign-off is stored before it. A view builds an operation and goes on at once::

    StoreOp(worker, lambda store: store.cases(search)).success(model.set_cases).run()

Callbacks run on the GUI thread. Long operations get a :class:`Job` to report progress and
to be cancelled; cancelling raises :class:`~letterdesk.core.foundation.errors.Interrupted` in the
task, which ends the operation without calling ``failure``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Generic, TypeVar

from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.store.database import Store
from letterdesk.gui.qt import QObject, Signal

T = TypeVar("T")
_log = logging.getLogger(__name__)


class Job:
    """Progress and cancelling of one long operation; safe to use from any thread."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._report: Callable[[int, int], None] | None = None

    def cancel(self) -> None:
        """Ask the task to stop at its next check."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        """True once cancelling was asked for (the task polls this)."""
        return self._cancel.is_set()

    def report(self, done: int, total: int) -> None:
        """Called by the task: ``done`` of ``total`` steps are finished."""
        if self._report is not None:
            self._report(done, total)


class StoreOp(Generic[T]):
    """One task on the store, with what to do on the GUI thread when it ends."""

    def __init__(self, worker: StoreWorker, task: Callable[[Store], T]) -> None:
        self.worker = worker
        self.task = task
        self.job = Job()
        self.on_success: Callable[[T], object] | None = None
        self.on_failure: Callable[[BaseException], object] | None = None
        self.on_progress: Callable[[int, int], object] | None = None

    def success(self, callback: Callable[[T], object]) -> StoreOp[T]:
        """Call ``callback(result)`` on the GUI thread when the task succeeds."""
        self.on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], object]) -> StoreOp[T]:
        """Call ``callback(error)`` when the task fails (not when it was cancelled)."""
        self.on_failure = callback
        return self

    def progress(self, callback: Callable[[int, int], object]) -> StoreOp[T]:
        """Call ``callback(done, total)`` on the GUI thread as the task reports progress."""
        self.on_progress = callback
        return self

    def run(self) -> Job:
        """Queue the task on the store worker; returns its job (to cancel it)."""
        self.worker.submit(self)
        return self.job


class StoreWorker(QObject):
    """Owns the store's connection on its own thread and runs operations in order."""

    _ended = Signal(object, object, object)  # operation, result, error
    _progressed = Signal(object, int, int)
    failed = Signal(object)
    """An operation without a failure callback failed: the window shows the error."""
    idle = Signal()
    """No operation is queued or running any more."""

    def __init__(self, store_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store_path = store_path
        self._store: Store | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="letterdesk-store")
        self._pending = 0
        self._closed = False
        self._ended.connect(self._deliver)
        self._progressed.connect(self._deliver_progress)

    @property
    def busy(self) -> bool:
        """True while operations are queued or running."""
        return self._pending > 0

    def submit(self, op: StoreOp[Any]) -> None:
        """Queue an operation (use :meth:`StoreOp.run`)."""
        if self._closed:
            # The window is closing: a late event (a list selecting its first row, a timer)
            # must not reach a closed store. The operation is dropped as cancelled.
            op.job.cancel()
            _log.info("dropped an operation submitted after the store was closed")
            return
        if op.on_progress is not None:
            op.job._report = lambda done, total: self._progressed.emit(op, done, total)
        self._pending += 1
        self._executor.submit(self._run, op)

    def close(self) -> None:
        """Finish every queued operation (autosaves included), then close the store."""
        if self._closed:
            return
        self._closed = True
        self._executor.submit(self._close_store)
        self._executor.shutdown(wait=True)

    # --- on the worker thread --------------------------------------------------------------

    def _run(self, op: StoreOp[Any]) -> None:
        try:
            if op.job.is_cancelled():
                raise Interrupted()
            if self._store is None:
                self._store = Store(self.store_path)
            result = op.task(self._store)
        except Interrupted:
            self._ended.emit(op, None, Interrupted())
        except Exception as exc:  # every failure is shown to the user, on the GUI thread
            self._ended.emit(op, None, exc)
        else:
            self._ended.emit(op, result, None)

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # --- on the GUI thread -----------------------------------------------------------------

    def _deliver(self, op: StoreOp[Any], result: Any, error: BaseException | None) -> None:
        self._pending -= 1
        try:
            if error is None:
                if op.on_success is not None:
                    op.on_success(result)
            elif isinstance(error, Interrupted):
                pass  # cancelling is not an error
            elif op.on_failure is not None:
                op.on_failure(error)
            else:
                self.failed.emit(error)
        finally:
            if self._pending == 0:
                self.idle.emit()

    def _deliver_progress(self, op: StoreOp[Any], done: int, total: int) -> None:
        if op.on_progress is not None:
            op.on_progress(done, total)
