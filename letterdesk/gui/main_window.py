"""The main window: the case list, the case's data and the letter (built out by the GUI issue)."""

from __future__ import annotations

from letterdesk import __version__
from letterdesk.gui.qt import QLabel, QMainWindow, Qt


class MainWindow(QMainWindow):
    """The window physicians work in."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("LetterDesk")
        self.setAccessibleName("LetterDesk main window")
        placeholder = QLabel(f"LetterDesk {__version__}")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(placeholder)
        self.resize(1280, 800)
