"""The changes view marks insertions (green, underlined) and deletions (red, struck through)."""

from __future__ import annotations

from letterdesk.gui.changes_view import ChangesView
from letterdesk.gui.qt import QTextCursor


def formats_of(view: ChangesView, word: str):
    document = view.browser.document()
    cursor = document.find(word)
    assert not cursor.isNull(), word
    probe = QTextCursor(document)
    probe.setPosition(cursor.selectionStart() + 1)
    return probe.charFormat()


def test_insertions_and_deletions_are_marked_without_relying_on_colour(qtbot):
    view = ChangesView()
    qtbot.addWidget(view)
    view.show()
    diff = view.show_diff(
        "Gesamtdosis 50 Gy.\nGut vertragen.", "Gesamtdosis 50,4 Gy.\nGut vertragen."
    )
    assert diff.edit_distance == 1
    assert view.browser.toPlainText() == "Gesamtdosis 50 50,4 Gy.\nGut vertragen."
    deleted, inserted, kept = (formats_of(view, w) for w in ("50 ", "50,4", "Gut"))
    assert deleted.fontStrikeOut() and not deleted.fontUnderline()
    assert inserted.fontUnderline() and not inserted.fontStrikeOut()
    assert deleted.foreground().color().red() > deleted.foreground().color().green()
    assert inserted.foreground().color().green() > inserted.foreground().color().red()
    assert not kept.fontUnderline() and not kept.fontStrikeOut()
    assert view.summary.text() == "80% of the draft's words kept · word edit distance 1"


def test_markup_in_a_letter_is_shown_as_text(qtbot):
    view = ChangesView()
    qtbot.addWidget(view)
    view.show_diff("a <b>b</b> & c", "a <b>b</b> & c d")
    assert view.browser.toPlainText() == "a <b>b</b> & c d"
