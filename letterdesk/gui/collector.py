"""Python's garbage collector runs on the GUI thread only.

Python collects reference cycles in whichever thread passes its allocation threshold — in
LetterDesk often a background thread (an import reading case files, the store, the engine's
reader). When such a cycle holds a Qt object, Qt destroys that object off the GUI thread, which
it does not allow, and the application crashes: measured as a segmentation fault in the GUI
tests, with the import thread "Garbage-collecting" inside jsonschema (2026-12-06). So while the
window runs, automatic collection is off and a timer on the GUI thread collects instead: every
:data:`INTERVAL_MS`, the generations whose thresholds Python's own rule says are passed.
"""

from __future__ import annotations

import gc

from letterdesk.gui.qt import QObject, QTimer

INTERVAL_MS = 100
"""How often the GUI thread looks whether a collection is due."""


class GuiThreadCollector(QObject):
    """Collects garbage on the GUI thread (see the module docstring) until :meth:`stop`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self, interval=INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the oldest generation whose threshold is passed, as Python would have; the
        generation collected, or -1 when none was due."""
        due = -1
        for generation, (count, threshold) in enumerate(
            zip(gc.get_count(), self._thresholds, strict=True)
        ):
            if threshold and count > threshold:
                due = generation
        if due >= 0:
            gc.collect(due)
        return due

    def stop(self) -> None:
        """Collect everything now, on this thread, and hand collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
