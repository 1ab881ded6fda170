"""Errors reach the physician in their words; a bug says so and keeps its details for IT."""

from __future__ import annotations

from letterdesk.core.foundation.errors import StoreError
from letterdesk.gui.messages import show_error, show_list
from letterdesk.gui.qt import QWidget


def test_a_letterdesk_error_shows_its_message_and_the_hint_for_it(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_error(parent, StoreError("The letter store is damaged.", "Restore a backup."))
    assert box.isVisible() and box.text() == "The letter store is damaged."
    assert box.informativeText() == "Hint for IT: Restore a backup."
    assert not box.detailedText()


def test_a_bug_is_admitted_and_its_traceback_kept(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        raise KeyError("revision")
    except KeyError as exc:
        box = show_error(parent, exc)
    assert "Something went wrong" in box.text() and "saved work is safe" in box.text()
    assert "KeyError" in box.detailedText()


def test_a_long_list_is_shown_with_the_rest_folded_away(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_list(parent, "Import", "2 files rejected", "a.json: …\nb.json: …")
    assert box.windowTitle() == "Import" and "b.json" in box.detailedText()
