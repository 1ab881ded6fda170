"""Pre-drafting in the window: while the physician is not using it, the model writes the
worklist's next drafts ahead (:mod:`letterdesk.core.desk.predraft` decides which).

It runs on the engine lane, one draft at a time, only with a local model and the setting
``predraft`` on, once the window has been idle for :data:`IDLE_MS`. Any key press, click or
scroll in the application pauses the letter being written ahead at once (the engine's pause
flag; the worker stops at the next token, see :meth:`Engine.pause`); it goes on after the
next idle spell. Pressing Generate (or anything else that needs the model) cancels it: the
physician's letter starts within milliseconds, and the draft written ahead is written again
later from its beginning. When a draft is done, ``drafted`` names its case so the case list
can show it ready.

Slots here never do I/O: choosing the case and writing the draft happen on the engine lane.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from letterdesk.core.desk.predraft import Drafted, claimed_case, model_key, write_ahead
from letterdesk.gui.operations import Op
from letterdesk.gui.qt import QApplication, QEvent, QObject, QTimer, Signal

if TYPE_CHECKING:
    from letterdesk.core.engine.types import LetterModel
    from letterdesk.gui.generation_op import ModelHost, _Seat

IDLE_MS = 1500
"""How long the window must be left alone before a draft is written ahead (or goes on)."""

_USER_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
    }
)


class Predrafter(QObject):
    """Writes drafts ahead while the window is idle; see the module docstring."""

    drafted = Signal(str)
    """A draft was written ahead for this case."""
    failed = Signal(str)
    """A case's draft could not be written ahead (recorded against the case)."""
    trouble = Signal(object)
    """Writing ahead stopped for another reason (the store, the engine): the error."""

    def __init__(self, host: ModelHost, ahead: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.ahead = ahead
        self.author = ""
        self.enabled = False
        self.running = False
        """A draft is being written ahead (perhaps paused)."""
        self.paused = False
        self.drafts_written = 0
        self._stop = threading.Event()
        self._engine: LetterModel | None = None  # set on the lane; pause/resume are flags
        self._nothing_left = False
        self._idle = QTimer(self, singleShot=True, interval=IDLE_MS)
        self._idle.timeout.connect(self._on_idle)
        host.needs_model.connect(self.make_way)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # --- what the window tells it ----------------------------------------------------------

    def start(self, author: str) -> None:
        """The model is loaded: write drafts ahead for ``author`` whenever the window idles."""
        self.author, self.enabled = author, True
        self._nothing_left = False
        self._idle.start()

    def stop(self) -> None:
        """No more drafts ahead (model changed, setting off, window closing)."""
        self.enabled = False
        self._idle.stop()
        self.make_way()

    def cases_changed(self) -> None:
        """Cases arrived or changed: there may be new ones to draft ahead."""
        self._nothing_left = False
        if self.enabled and not self.running:
            self._idle.start()

    def make_way(self) -> None:
        """The physician needs the model now: cancel the draft written ahead (it is written
        again later) and let the engine run unpaused."""
        if self.running:
            self._stop.set()
        self._set_paused(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _USER_INPUT and self.enabled:
            if self.running:
                self._set_paused(True)
            self._idle.start()  # (re)start: idle again IDLE_MS after the last input
        return False

    # --- the loop --------------------------------------------------------------------------

    def _on_idle(self) -> None:
        if not self.enabled:
            return
        if self.running:
            self._set_paused(False)  # go on with the draft written ahead
            return
        if self._nothing_left:
            return
        if self.host.busy:  # a letter, a load or the warm-up runs: look again after it
            self._idle.start()
            return
        self.running = True
        self._stop.clear()
        author, ahead = self.author, self.ahead
        Op(self.host.lane, lambda seat: self._write_one(seat, author, ahead)).success(
            self._written
        ).failure(self._gave_up).cancelled(self._cancelled).run()

    def _write_one(self, seat: _Seat, author: str, ahead: int) -> Drafted | None:
        """On the engine lane: the next case's draft, written ahead; None when nothing is left
        to draft."""
        store = seat.store_now()
        engine = seat.engine_for(self.host.settings)
        self._engine = engine
        if self.paused:  # input arrived while this waited in the lane's queue
            engine.pause()
        with claimed_case(store, model_key(engine), ahead) as case_id:
            if case_id is None:
                return None
            return write_ahead(
                store, case_id, engine, author=author, options=self.host.options,
                cancel=self._stop.is_set,
            )  # fmt: skip

    def _written(self, drafted: Drafted | None) -> None:
        self.running = False
        self._set_paused(False)
        if drafted is None:
            self._nothing_left = True  # until cases change
            return
        if drafted.result is not None:
            self.drafts_written += 1
            self.drafted.emit(drafted.case_id)
        elif drafted.failure is not None:
            self.failed.emit(drafted.case_id)
        # overtaken (the case got a letter or changed meanwhile): nothing kept, look again
        if self.enabled:
            self._idle.start()

    def _cancelled(self) -> None:
        self.running = False
        self._set_paused(False)
        if self.enabled:
            self._idle.start()

    def _gave_up(self, error: BaseException) -> None:
        # the store or the engine failed outside a case (recorded cases do not come here):
        # no loop of retries until cases change; the status bar says so, Generate still works
        self.running = False
        self._set_paused(False)
        self._nothing_left = True
        self.trouble.emit(error)

    def _set_paused(self, paused: bool) -> None:
        self.paused = paused
        engine = self._engine
        if engine is not None:
            if paused:
                engine.pause()
            else:
                engine.resume()
