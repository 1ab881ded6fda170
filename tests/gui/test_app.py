"""Starting the app: settings, translations and the demo cases before the first event."""

from __future__ import annotations

from letterdesk.core.store.database import Store
from letterdesk.gui import i18n
from letterdesk.gui.app import build_window
from letterdesk.gui.qt import QMessageBox


def test_a_broken_settings_file_starts_on_the_defaults_and_says_why(qtbot, letterdesk_home):
    (letterdesk_home / "settings.toml").write_text("ui_language = 42\n", encoding="utf-8")
    window = build_window([])
    qtbot.addWidget(window)
    try:
        boxes = window.findChildren(QMessageBox)
        assert boxes and "ui_language must be str" in boxes[0].text()
        qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 24)  # first run: demo cases
        assert window.settings.ui_language == ""
    finally:
        i18n.apply_language("en")


def test_the_interface_follows_the_users_language_setting(qtbot, letterdesk_home):
    (letterdesk_home / "settings.toml").write_text('ui_language = "de"\n', encoding="utf-8")
    window = build_window([])
    qtbot.addWidget(window)
    try:
        assert window.file_menu.title() == "&Datei"
        assert window.letter_pane.generate_action.text() == "&Erstellen"
    finally:
        i18n.apply_language("en")


def test_a_site_that_switches_the_demo_cases_off_starts_on_an_empty_store(
    qtbot, letterdesk_home, tmp_path, monkeypatch
):
    site = tmp_path / "config.toml"
    site.write_text('demo_cases = false\nlocked = ["demo_cases"]\n', encoding="utf-8")
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(site))
    window = build_window([])
    qtbot.addWidget(window)
    try:
        with Store(read_only=True) as store:  # the window holds the writer's lock
            assert not store.has_cases()
        assert window.settings.locked == ("demo_cases",)
    finally:
        i18n.apply_language("en")
