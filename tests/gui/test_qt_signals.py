"""The Qt binding keeps Python's reference counts right when signals are emitted: the window
emits thousands an hour (streamed text, every operation's end from a worker thread), and
PySide6 6.12.0 dropped a reference to True on every ``emit()`` and to None sent across
threads — after a few thousand, the process aborts ("deallocating True or False"). Found
while measuring pre-drafted drafts opened in the window; pyproject.toml excludes 6.12.0."""

from __future__ import annotations

import gc
import sys
import threading

from letterdesk.gui.qt import QObject, Signal

EMITS = 1000  # far fewer than True's references in a test process: a leak fails, not aborts


class _Sender(QObject):
    ended = Signal(object, object, object)  # as operations.Lane._ended: (op, result, error)


def test_emitting_signals_keeps_true_and_none_alive(qapp):
    sender, received = _Sender(), []
    sender.ended.connect(lambda op, result, error: received.append(op))
    gc.collect()
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)

    def emit_from_a_worker() -> None:
        for number in range(EMITS):
            sender.ended.emit(number, None, None)

    worker = threading.Thread(target=emit_from_a_worker)
    worker.start()
    worker.join()
    for number in range(EMITS):  # and on the GUI thread itself
        sender.ended.emit(number, None, None)
    while len(received) < 2 * EMITS:
        qapp.processEvents()
    gc.collect()
    assert sys.getrefcount(True) - true_before > -50, "emit() loses references to True"
    assert sys.getrefcount(None) - none_before > -50, "queued signals lose references to None"
