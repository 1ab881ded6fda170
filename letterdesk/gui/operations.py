"""Background work in the window: one mechanism, three kinds of lane.

A :class:`Lane` is a thread that runs operations one at a time, in the order they were
submitted, and holds what lives on that thread (a connection is used only on the thread that
opened it). The window has:

- the **store lane** (:class:`StoreWorker`): it alone uses the window's store connection, so an
  autosave queued before a sign-off is stored before it;
- the **engine lane** (:class:`letterdesk.gui.generation_op.ModelHost`): the model's engine
  and a store connection of its own, so a long letter never holds up autosaves and ratings;
- **free lanes** for long jobs that hold nothing of the window's (drafting a study, running
  the learning loop): each job's lane opens what it needs and closes it again.

A view builds an operation and goes on at once::

    StoreOp(worker, lambda store: store.cases(search)).success(model.set_cases).run()

The task gets the lane's resource (the store, the engine's seat, or nothing on a free lane).
Callbacks run on the GUI thread. Every operation has a :class:`Job` to report progress and to
be cancelled; cancelling raises :class:`~letterdesk.core.foundation.errors.Interrupted` in the
task, which ends the operation with ``cancelled`` instead of ``failure``.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.store.database import Store
from letterdesk.core.store.journal import Journal
from letterdesk.gui.qt import QObject, Signal

T = TypeVar("T")
_log = logging.getLogger(__name__)


class Job:
    """Progress and cancelling of one operation; safe to use from any thread."""

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


class Op(Generic[T]):
    """One task on a lane, with what to do on the GUI thread when it ends."""

    def __init__(self, lane: Lane, task: Callable[[Any], T]) -> None:
        self.lane = lane
        self.task = task
        self.job = Job()
        self.on_success: Callable[[T], object] | None = None
        self.on_failure: Callable[[BaseException], object] | None = None
        self.on_progress: Callable[[int, int], object] | None = None
        self.on_cancelled: Callable[[], object] | None = None

    def success(self, callback: Callable[[T], object]) -> Op[T]:
        """Call ``callback(result)`` on the GUI thread when the task succeeds."""
        self.on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], object]) -> Op[T]:
        """Call ``callback(error)`` when the task fails (not when it was cancelled)."""
        self.on_failure = callback
        return self

    def progress(self, callback: Callable[[int, int], object]) -> Op[T]:
        """Call ``callback(done, total)`` on the GUI thread as the task reports progress."""
        self.on_progress = callback
        return self

    def cancelled(self, callback: Callable[[], object]) -> Op[T]:
        """Call ``callback()`` on the GUI thread when the task ended because it was cancelled."""
        self.on_cancelled = callback
        return self

    def run(self) -> Job:
        """Queue the task on its lane; returns its job (to cancel it)."""
        self.lane.submit(self)
        return self.job


StoreOp = Op
"""An operation on the store lane: its task gets the window's :class:`Store`."""


class Lane(QObject):
    """A thread that runs operations in order and holds the resource that lives on it.

    The thread is a daemon: a job still running when the app quits (a training run that was
    asked to stop) does not keep the process alive; :meth:`close` waits for the queue.
    """

    _ended = Signal(object, object, object)  # operation, result, error
    _progressed = Signal(object, int, int)
    failed = Signal(object)
    """An operation without a failure callback failed: the window shows the error."""
    idle = Signal()
    """No operation is queued or running any more."""

    def __init__(
        self,
        name: str,
        open_resource: Callable[[], Any] = lambda: None,
        close_resource: Callable[[Any], None] = lambda resource: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._open, self._close = open_resource, close_resource
        self._resource: Any = None
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=f"letterdesk-{name}", daemon=True)
        self._thread.start()
        self._pending = 0
        self._closed = False
        self._ended.connect(self._deliver)
        self._progressed.connect(self._deliver_progress)

    @property
    def busy(self) -> bool:
        """True while operations are queued or running."""
        return self._pending > 0

    def submit(self, op: Op[Any]) -> None:
        """Queue an operation (use :meth:`Op.run`)."""
        if self._closed:
            # The window is closing: a late event (a list selecting its first row, a timer)
            # must not reach a closed resource. The operation is dropped as cancelled.
            op.job.cancel()
            _log.info("dropped an operation submitted after its lane was closed")
            return
        if op.on_progress is not None:
            op.job._report = lambda done, total: self._progressed.emit(op, done, total)
        self._pending += 1
        self._queue.put(lambda: self._run(op))

    def call(self, work: Callable[[Any], object]) -> None:
        """Run ``work(resource)`` on the lane's thread in turn, with no result to deliver
        (closing an engine, dropping a connection)."""
        self._queue.put(lambda: self._call(work))

    def close(self) -> None:
        """Finish every queued operation (autosaves included), then close the resource."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(self._release)
        self._queue.put(None)
        self._thread.join()

    # --- on the lane's thread --------------------------------------------------------------

    def _serve(self) -> None:
        while (work := self._queue.get()) is not None:
            work()

    def resource(self) -> Any:
        """The lane's resource, opened on first use (call only on the lane's thread)."""
        if self._resource is None:
            self._resource = self._open()
        return self._resource

    def _run(self, op: Op[Any]) -> None:
        try:
            if op.job.is_cancelled():
                raise Interrupted()
            result = op.task(self.resource())
        except Interrupted:
            self._ended.emit(op, None, Interrupted())
        except Exception as exc:  # every failure is shown to the user, on the GUI thread
            self._ended.emit(op, None, exc)
        else:
            self._ended.emit(op, result, None)

    def _call(self, work: Callable[[Any], object]) -> None:
        try:
            work(self._resource)
        except Exception:  # nothing waits for it; the log keeps it
            _log.exception("background work on a lane failed")

    def _release(self) -> None:
        if self._resource is not None:
            resource, self._resource = self._resource, None
            self._close(resource)

    # --- on the GUI thread -----------------------------------------------------------------

    def _deliver(self, op: Op[Any], result: Any, error: BaseException | None) -> None:
        self._pending -= 1
        try:
            if error is None:
                if op.on_success is not None:
                    op.on_success(result)
            elif isinstance(error, Interrupted):
                if op.on_cancelled is not None:
                    op.on_cancelled()
            elif op.on_failure is not None:
                op.on_failure(error)
            else:
                self.failed.emit(error)
        finally:
            if self._pending == 0:
                self.idle.emit()

    def _deliver_progress(self, op: Op[Any], done: int, total: int) -> None:
        if op.on_progress is not None:
            op.on_progress(done, total)


class StoreWorker(Lane):
    """The store lane: owns the window's store connection on its own thread, and for the
    department store the offline journal that corrections pass through."""

    def __init__(self, store_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__("store", lambda: Store(store_path), self._close, parent)
        self.store_path = store_path
        self._journal: Journal | None = None

    def journal_for(self, store: Store) -> Journal | None:
        """On the lane's thread: the journal of a department store (opened once), else None."""
        if store.is_department and self._journal is None:
            self._journal = Journal()
        return self._journal

    def _close(self, store: Store) -> None:
        try:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
        finally:
            store.close()
