"""Starting the desktop application."""

from __future__ import annotations

import sys

from letterdesk.core.demo import seed_demo_cases
from letterdesk.core.store import Store
from letterdesk.gui.main_window import MainWindow
from letterdesk.gui.qt import QApplication


def run_app(argv: list[str] | None = None) -> int:
    """Open the LetterDesk window and run until it is closed."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("LetterDesk")
    with Store() as store:  # before the event loop starts: the first run gets the demo cases
        seed_demo_cases(store)
    window = MainWindow()
    window.show()
    return int(app.exec())
