"""Python's garbage collector runs on the GUI thread only.

Python collects reference cycles in whichever thread passes its allocation threshold — in
LetterDesk often a background thread (an import reading case files, the store, the engine's
reader). When such a cycle holds a Qt object, Qt destroys that object off the GUI thread, which
it does not allow, and the application crashes: measured as a segmentation fault in the GUI
tests, with the import thread "Garbage-collecting" inside jsonschema (2026-12-06). So while the
window runs, automatic collection is off and a timer on the GUI thread collects instead: every
:data:`INTERVAL_MS`, the youngest generations whose thresholds are passed (Python's counts and
thresholds), and the oldest — a walk over the whole heap — at most once every
:data:`FULL_EVERY_S` (Python itself waits until a quarter more objects would join it, a count it
does not expose).
"""

from __future__ import annotations

import gc
import time

from letterdesk.gui.qt import QObject, QTimer

INTERVAL_MS = 100
"""How often the GUI thread looks whether a collection is due."""
FULL_EVERY_S = 60.0
"""The least time between two collections of the oldest generation."""


class GuiThreadCollector(QObject):
    """Collects garbage on the GUI thread (see the module docstring) until :meth:`stop`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._last_full = time.monotonic()
        self._timer = QTimer(self, interval=INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the oldest generation that is due (see the module docstring); the
        generation collected, or -1 when none was."""
        counts, oldest = gc.get_count(), len(self._thresholds) - 1
        pairs = zip(counts, self._thresholds, strict=True)
        due = [gen for gen, (count, most) in enumerate(pairs) if most and count > most]
        if oldest in due and time.monotonic() - self._last_full < FULL_EVERY_S:
            due.remove(oldest)  # the whole heap waits; the younger ones are collected
        generation = max(due, default=-1)
        if generation == oldest:
            self._last_full = time.monotonic()
        if generation >= 0:
            gc.collect(generation)
        return generation

    def stop(self) -> None:
        """Collect everything now, on this thread, and hand collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
