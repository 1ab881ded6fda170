"""Test support: the real app types into a letter until it is killed (see test_kill.py).

Run as ``python -m tests.gui.kill_driver CASE_ID`` with LETTERDESK_HOME set. It builds the
window exactly as ``letterdesk`` does, opens the case's letter and types one numbered word
every 100 ms (never pausing long enough for the idle save, so only the one-second deadline
saves). After each word it prints ``<monotonic time> <words typed>`` and flushes, so the
test knows what was on screen when.
"""

from __future__ import annotations

import sys
import time

WORD_EVERY_MS = 100


def word(number: int) -> str:
    """The numbered word typed in turn ``number`` (ASCII: QTest types nothing else)."""
    return f" w{number:04d}"


def main(case_id: str) -> int:
    from PySide6.QtTest import QTest

    from letterdesk.gui.app import build_window
    from letterdesk.gui.qt import QApplication, QTextCursor, QTimer

    window = build_window([])
    window.show()
    pane = window.letter_pane
    typed = 0

    def type_word() -> None:
        nonlocal typed
        if pane.desk is None or pane.desk.case.case_id != case_id or pane.desk.letter is None:
            window.case_list.select_case(case_id)
            return
        editor = pane.editor.text_edit
        editor.moveCursor(QTextCursor.MoveOperation.End)
        typed += 1
        QTest.keyClicks(editor, word(typed))
        print(f"{time.monotonic():.6f} {typed}", flush=True)

    timer = QTimer(interval=WORD_EVERY_MS)
    timer.timeout.connect(type_word)
    timer.start()
    return int(QApplication.instance().exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
