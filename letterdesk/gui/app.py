"""Starting the desktop application."""

from __future__ import annotations

import sys
from pathlib import Path

from letterdesk.core.demo import seed_demo_cases
from letterdesk.core.engine import DecodingOptions, EngineSettings
from letterdesk.core.errors import LetterDeskError
from letterdesk.core.settings import Settings, load_settings
from letterdesk.core.store import Store
from letterdesk.gui import i18n
from letterdesk.gui.main_window import MainWindow
from letterdesk.gui.messages import show_error
from letterdesk.gui.qt import QApplication


def build_window(
    argv: list[str] | None = None,
    *,
    engine: EngineSettings | None = None,
    options: DecodingOptions | None = None,
) -> MainWindow:
    """Everything up to the first event: settings, translations, demo cases, the window."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("LetterDesk")
    problem: LetterDeskError | None = None
    try:
        settings = load_settings()
    except LetterDeskError as exc:  # start on the defaults and say why
        settings, problem = Settings(), exc
    i18n.load_translations()
    i18n.apply_language(settings.ui_language)
    store_path = Path(settings.store_path) if settings.store_path else None
    # before the event loop starts: the first run gets the demo cases
    with Store(store_path) as store:
        seed_demo_cases(store)
    window = MainWindow(settings, store_path=store_path, engine=engine, options=options)
    if problem is not None:
        show_error(window, problem)
    return window


def run_app(argv: list[str] | None = None) -> int:
    """Open the LetterDesk window and run until it is closed."""
    window = build_window(argv)
    window.show()
    return int(QApplication.instance().exec())
