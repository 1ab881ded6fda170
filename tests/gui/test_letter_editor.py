"""The letter editor: autosave timing, undo across saves, streaming, signed letters, changes."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from letterdesk.core.desk.worklist import open_case
from letterdesk.core.store.database import Store
from letterdesk.gui.letter_editor import MAX_WAIT_MS, LetterEditor
from letterdesk.gui.qt import QKeySequence, QTextCursor
from tests.gui.conftest import DRAFT, RATER


@pytest.fixture
def letter(store_path, add_letter):
    add_letter()
    with Store(store_path) as store:
        return open_case(store, "SYN-DEMO-001", RATER).letter


@pytest.fixture
def editor(qtbot, letter):
    view = LetterEditor()
    qtbot.addWidget(view)
    view.show()
    view.show_letter(letter)
    saves = []
    view.correction_ready.connect(lambda *args: saves.append(args))
    view.saves = saves
    return view


def type_at_end(qtbot, editor, text):
    editor.text_edit.setFocus()
    editor.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.text_edit, text)


def test_the_letter_is_editable_at_once_and_saved_after_a_pause(qtbot, editor, letter):
    assert editor.text == DRAFT and editor.editable
    started = time.monotonic()
    type_at_end(qtbot, editor, " Gute")
    paused = time.monotonic()
    qtbot.wait(100)  # shorter than the idle wait: one stretch of editing
    pause = time.monotonic() - paused
    type_at_end(qtbot, editor, " Besserung.")
    typed_for = time.monotonic() - started
    assert editor.saves == []  # not on every key
    qtbot.waitUntil(lambda: len(editor.saves) == 1, timeout=1500)
    letter_id, text, seconds = editor.saves[0]
    print(f"editing time saved: {seconds:.3f} s; typed for {typed_for:.3f} s, paused {pause:.3f} s")
    assert letter_id == letter.letter.id
    assert text == DRAFT + " Gute Besserung."
    # from the first key to the last (saved to the millisecond): the pause counts, nothing more
    assert pause - 0.001 <= seconds <= typed_for + 0.001


def test_continuous_typing_is_saved_about_once_a_second(qtbot, editor):
    saved_at: list[float] = []
    editor.correction_ready.connect(lambda *_: saved_at.append(time.monotonic()))
    keys_at: list[float] = []
    started = time.monotonic()
    while time.monotonic() - started < 2.5:  # faster than the idle wait: never pauses
        keys_at.append(time.monotonic())
        type_at_end(qtbot, editor, "x")
        qtbot.wait(100)
    while_typing = [at for at in saved_at if at < keys_at[-1]]
    # each save against the first key it holds that no earlier save held
    waits = [
        at - min(key for key in keys_at if key > (while_typing[i - 1] if i else 0.0))
        for i, at in enumerate(while_typing)
    ]
    print("typed for 2.5 s; each save came " + ", ".join(f"{w:.3f}" for w in waits)
          + " s after the first key it saved")  # fmt: skip
    assert len(while_typing) >= 2
    # Qt's coarse timers fire within 5 % of their interval (measured 0.95-1.05 s), the rest is
    # the event loop's own delay
    assert max(waits) <= MAX_WAIT_MS / 1000 * 1.05 + 0.05


def test_undo_and_redo_work_across_autosaves(qtbot, editor):
    type_at_end(qtbot, editor, " Eins")
    qtbot.waitUntil(lambda: len(editor.saves) == 1, timeout=1500)
    editor.letter_saved(editor.saves[0][0], editor.saves[0][1])
    qtbot.keySequence(editor.text_edit, QKeySequence.StandardKey.Undo)
    assert editor.text == DRAFT
    qtbot.waitUntil(lambda: len(editor.saves) == 2, timeout=1500)
    assert editor.saves[1][1] == DRAFT  # the undo is saved as the next revision
    qtbot.keySequence(editor.text_edit, QKeySequence.StandardKey.Redo)
    assert editor.text == DRAFT + " Eins"
    qtbot.waitUntil(lambda: len(editor.saves) == 3, timeout=1500)


def test_flush_saves_a_waiting_change_at_once(qtbot, editor):
    type_at_end(qtbot, editor, " Ende")
    editor.autosave.flush()
    assert editor.saves[-1][1].endswith(" Ende")
    editor.autosave.flush()
    assert len(editor.saves) == 1


def test_a_signed_letter_is_read_only(qtbot, editor, letter):
    signed = replace(letter, letter=replace(letter.letter, signed_at="2025-01-01T00:00:00"))
    editor.show_letter(signed)
    assert editor.text_edit.isReadOnly() and not editor.editable
    type_at_end(qtbot, editor, "Nachtrag")
    assert editor.text == DRAFT
    qtbot.wait(400)
    assert editor.saves == []


def test_streamed_text_is_read_only_and_not_undoable(qtbot, editor, letter):
    editor.begin_stream()
    assert editor.text == "" and editor.text_edit.isReadOnly()
    for piece in ("Sehr ", "geehrte ", "Frau Kollegin,"):
        editor.append_stream(piece)
    assert editor.text == "Sehr geehrte Frau Kollegin,"
    new = replace(letter, latest=replace(letter.latest, text=editor.text))
    new = replace(new, draft=new.latest)
    editor.end_stream(new)
    assert editor.editable
    qtbot.keySequence(editor.text_edit, QKeySequence.StandardKey.Undo)
    assert editor.text == "Sehr geehrte Frau Kollegin,"
    qtbot.wait(400)
    assert editor.saves == []  # nothing was typed


def test_the_changes_view_follows_the_typing(qtbot, editor):
    editor.set_changes_visible(True)
    assert editor.changes.isVisible()
    assert "No corrections yet" in editor.changes.summary.text()
    cursor = editor.text_edit.textCursor()
    assert editor.text_edit.find("50,4")
    cursor = editor.text_edit.textCursor()
    cursor.insertText("54")
    qtbot.waitUntil(lambda: editor.changes.diff is not None and editor.changes.diff.changed)
    runs = [(r.kind, r.text.strip()) for r in editor.changes.diff.runs if r.kind != "equal"]
    assert runs == [("delete", "50,4"), ("insert", "54")]
    assert "word edit distance 1" in editor.changes.summary.text()
    editor.set_changes_visible(False)
    assert not editor.changes.isVisible()
