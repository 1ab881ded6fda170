"""The main window opens, titled LetterDesk, on the offscreen platform."""

from __future__ import annotations

from letterdesk.gui.main_window import MainWindow


def test_main_window_is_titled_letterdesk(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "LetterDesk"
    assert window.accessibleName()
