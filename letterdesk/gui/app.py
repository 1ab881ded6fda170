"""Starting the desktop application."""

from __future__ import annotations

import sys
from pathlib import Path

from letterdesk.core.desk.demo import seed_demo_cases
from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.foundation.settings import Settings, load_settings
from letterdesk.core.security import passphrase
from letterdesk.core.store.database import Store
from letterdesk.gui import i18n
from letterdesk.gui.collector import GuiThreadCollector
from letterdesk.gui.main_window import MainWindow
from letterdesk.gui.messages import show_error
from letterdesk.gui.passphrase_dialog import ask_passphrase
from letterdesk.gui.qt import QApplication


def build_window(
    argv: list[str] | None = None,
    *,
    engine: EngineSettings | None = None,
    options: DecodingOptions | None = None,
) -> MainWindow:
    """Everything up to the first event: settings, translations, the store, the window.

    Raises a LetterDeskError when the store cannot be opened.
    """
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("LetterDesk")
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)  # garbage is collected on this thread only, for the app's life
    problem: LetterDeskError | None = None
    try:
        settings = load_settings()
    except LetterDeskError as exc:  # start on the defaults and say why
        settings, problem = Settings(), exc
    i18n.load_translations()
    i18n.apply_language(settings.ui_language)
    passphrase.use_passphrase_provider(ask_passphrase)
    store_path = Path(settings.store_path) if settings.store_path else None
    # on the GUI thread before the event loop: a passphrase is asked here, once, and the
    # first run gets the demo cases (unless IT switched them off)
    with Store(store_path) as store:
        if settings.demo_cases:
            seed_demo_cases(store)
    window = MainWindow(settings, store_path=store_path, engine=engine, options=options)
    if problem is not None:
        show_error(window, problem)
    return window


def run_app(argv: list[str] | None = None) -> int:
    """Open the LetterDesk window and run until it is closed."""
    try:
        window = build_window(argv)
    except LetterDeskError as exc:  # the store is locked, in use by another window, damaged
        show_error(None, exc, wait=True)
        return 1
    window.show()
    _mark_when_exposed(window)
    app = QApplication.instance()
    assert app is not None  # build_window made it
    return int(app.exec())


def _mark_when_exposed(window: MainWindow) -> None:
    """Write the time the window is first on screen to ``LETTERDESK_STARTUP_MARKER`` if set
    (packaging/measure_startup.py times launch to usable window with it)."""
    import os
    import time

    from letterdesk.gui.qt import QTimer

    marker = os.environ.get("LETTERDESK_STARTUP_MARKER")
    if not marker:
        return
    handle = window.windowHandle()
    if handle is None or not handle.isExposed():
        QTimer.singleShot(5, lambda: _mark_when_exposed(window))
        return
    Path(marker).write_text(f"{time.time():.6f}\n", encoding="utf-8")
