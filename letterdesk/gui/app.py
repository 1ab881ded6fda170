"""Starting the desktop application."""

from __future__ import annotations

import sys

from letterdesk.gui.main_window import MainWindow
from letterdesk.gui.qt import QApplication


def run_app(argv: list[str] | None = None) -> int:
    """Open the LetterDesk window and run until it is closed."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("LetterDesk")
    window = MainWindow()
    window.show()
    return int(app.exec())
