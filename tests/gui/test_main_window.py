"""The main window: first run, cases, letters, sign-off, rating, import, settings, keyboard."""

from __future__ import annotations

import json
import time

from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import letters_for_case, revisions
from letterdesk.core.store.ratings import ratings_for
from letterdesk.gui.qt import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    Qt,
    QTableView,
    QTextBrowser,
    QWidget,
)
from tests.gui.conftest import AUTHOR, DRAFT, RATER


def test_first_run_opens_on_the_demo_cases_with_the_first_case_selected(make_window):
    window = make_window()
    assert window.windowTitle() == "LetterDesk"
    assert window.case_list.model.rowCount() == 24
    assert window.case_list.selected_case == window.case_list.model.rows[0].summary.case_id
    assert window.case_panel.banner.isVisible()
    assert "Synthetic demo data" in window.case_panel.banner.text()
    assert window.letter_pane.generate_action.isEnabled()
    assert not window.export_action.isEnabled()  # the first case has no letter to export yet


def test_selecting_a_case_shows_its_data_and_letter(qtbot, make_window, add_letter):
    add_letter("SYN-DEMO-002")
    window = make_window()
    window.case_list.select_case("SYN-DEMO-002")
    qtbot.waitUntil(lambda: window.letter_pane.desk.case.case_id == "SYN-DEMO-002")
    assert window.letter_pane.editor.text == DRAFT
    assert window.letter_pane.editor.editable
    assert "SYN-DEMO-002" in window.case_panel.browser.toPlainText()
    assert window.letter_pane.rating.isEnabled()


def test_corrections_are_autosaved_and_the_status_becomes_corrected(
    qtbot, make_window, add_letter, store_path
):
    letter, _ = add_letter("SYN-DEMO-001")
    window = make_window()
    qtbot.waitUntil(lambda: window.letter_pane.desk.letter is not None)
    editor = window.letter_pane.editor
    editor.text_edit.setFocus()
    editor.text_edit.moveCursor(editor.text_edit.textCursor().MoveOperation.End)
    started = time.monotonic()
    qtbot.keyClicks(editor.text_edit, " Mit freundlichen")
    paused = time.monotonic()
    qtbot.wait(100)  # shorter than the idle wait: one stretch of editing
    pause = time.monotonic() - paused
    qtbot.keyClicks(editor.text_edit, " Gruessen")
    typed_for = time.monotonic() - started
    qtbot.waitUntil(
        lambda: window.letter_pane.desk.letter.latest.kind == "correction", timeout=3000
    )
    with Store(store_path) as store:
        stored = revisions(store, letter.id)
    assert stored[-1].kind == "correction" and stored[-1].author == AUTHOR
    assert stored[-1].text == DRAFT + " Mit freundlichen Gruessen"
    seconds = stored[-1].editing_seconds
    print(
        f"editing time stored: {seconds:.3f} s; typed for {typed_for:.3f} s, paused {pause:.3f} s"
    )
    assert pause - 0.001 <= seconds <= typed_for + 0.001  # first key to last, pause included
    qtbot.waitUntil(
        lambda: (
            window.case_list.model.rows[
                window.case_list.model.row_of("SYN-DEMO-001")
            ].summary.status
            == "corrected"
        )
    )


def test_sign_off_by_the_author_makes_the_letter_final(
    qtbot, make_window, add_letter, store_path, monkeypatch
):
    letter, _ = add_letter("SYN-DEMO-001")
    window = make_window()
    pane = window.letter_pane
    qtbot.waitUntil(lambda: pane.desk.letter is not None)
    assert pane.sign_action.isEnabled()
    monkeypatch.setattr(pane, "confirm_sign_off", lambda: True)
    pane.editor.text_edit.moveCursor(pane.editor.text_edit.textCursor().MoveOperation.End)
    pane.editor.text_edit.insertPlainText(" Final.")
    pane.sign_action.trigger()  # the waiting correction is saved first, then signed
    qtbot.waitUntil(lambda: pane.desk.letter.letter.is_signed, timeout=3000)
    assert pane.editor.text_edit.isReadOnly()
    assert "Signed off by Dr. Weiß" in pane.status.state.text()
    assert not pane.sign_action.isEnabled()
    with Store(store_path) as store:
        stored = letters_for_case(store, "SYN-DEMO-001")[0]
        assert stored.signed_by == AUTHOR
        assert [
            r.text for r in revisions(store, letter.id) if r.id == stored.signed_revision_id
        ] == [DRAFT + " Final."]
    qtbot.waitUntil(
        lambda: (
            window.case_list.model.rows[
                window.case_list.model.row_of("SYN-DEMO-001")
            ].summary.status
            == "signed"
        )
    )


def test_only_the_author_can_sign_off(qtbot, make_window, add_letter):
    add_letter("SYN-DEMO-001", author="Dr. Someone Else")
    window = make_window()
    pane = window.letter_pane
    qtbot.waitUntil(lambda: pane.desk.letter is not None)
    assert not pane.sign_action.isEnabled()
    assert "Dr. Someone Else" in pane.sign_action.toolTip()


def test_ctrl_return_stores_the_rating_and_moves_to_the_next_letter(
    qtbot, make_window, add_letter, store_path
):
    _, draft = add_letter("SYN-DEMO-001")
    window = make_window()
    pane = window.letter_pane
    qtbot.waitUntil(lambda: pane.desk.letter is not None)
    first = window.case_list.selected_case
    pane.focus_rating_action.trigger()
    for row, key in zip(
        pane.rating.rows, (Qt.Key.Key_4, Qt.Key.Key_3, Qt.Key.Key_3, Qt.Key.Key_2), strict=True
    ):
        assert QApplication.focusWidget() is row
        qtbot.keyClick(row, key)
        qtbot.keyClick(row, Qt.Key.Key_Down)
    qtbot.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: window.case_list.selected_case != first, timeout=3000)
    with Store(store_path) as store:
        scores = {r.dimension: r.score for r in ratings_for(store, draft.id) if r.rater == RATER}
    assert scores == {
        "factual_correctness": 4,
        "completeness": 3,
        "language_style": 3,
        "clinical_benefit": 2,
    }


def test_import_shows_rejected_files_with_their_problems(qtbot, make_window, tmp_path, store_path):
    window = make_window()
    from letterdesk.core.foundation.paths import resource

    good = json.loads(resource("demo_cases", "SYN-DEMO-001.json").read_text(encoding="utf-8"))
    good["case_id"] = "REAL-0001"
    good.pop("synthetic")
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"schema_version": 1}', encoding="utf-8")
    window.import_paths([tmp_path])
    qtbot.waitUntil(lambda: window.case_list.model.row_of("REAL-0001") is not None, timeout=5000)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    assert "1 case(s) imported, 1 file(s) rejected" in boxes[0].text()
    assert "bad.json" in boxes[0].text() and "case_id" in boxes[0].text()
    row = window.case_list.model.row_of("REAL-0001")
    assert "(demo)" not in window.case_list.model.index(row, 0).data()


def drop_file(window, path) -> None:
    """Drag a file onto the window (accepted) and drop it there."""
    from letterdesk.gui.qt import QDragEnterEvent, QDropEvent, QMimeData, QPoint, QPointF, QUrl

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    what = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    enter = QDragEnterEvent(QPoint(10, 10), *what)  # Qt's own types: a QPoint here
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    window.dropEvent(QDropEvent(QPointF(10, 10), *what))


def test_dropping_a_case_file_imports_it(qtbot, make_window, tmp_path):
    from letterdesk.core.foundation.paths import resource

    window = make_window()
    case = json.loads(resource("demo_cases", "SYN-DEMO-002.json").read_text(encoding="utf-8"))
    case["case_id"] = "DROPPED-1"
    path = tmp_path / "dropped.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    drop_file(window, path)
    qtbot.waitUntil(lambda: window.case_list.model.row_of("DROPPED-1") is not None, timeout=5000)


def test_dropping_a_fhir_bundle_imports_its_case_and_says_what_was_not_used(
    qtbot, make_window, tmp_path, monkeypatch
):
    from letterdesk.gui import case_import
    from tests.core.fhir.bundles import rectum_with_capecitabine

    shown = []
    monkeypatch.setattr(case_import, "show_list", lambda *args: shown.append(args[2]))
    window = make_window()
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(rectum_with_capecitabine(), ensure_ascii=False), encoding="utf-8")
    drop_file(window, path)
    case_id = "SYN-P2-final-report-20250210"  # the site's default letter type
    qtbot.waitUntil(lambda: window.case_list.model.row_of(case_id) is not None, timeout=5000)
    assert shown and f"Not used from {path}:" in shown[0]
    assert "mcode-procedure-intent" in shown[0]


def test_every_control_has_an_accessible_name_and_can_take_focus(make_window, add_letter, qtbot):
    add_letter("SYN-DEMO-001")
    window = make_window()
    qtbot.waitUntil(lambda: window.letter_pane.desk.letter is not None)
    window.letter_pane.changes_action.trigger()
    controls = (QAbstractButton, QLineEdit, QComboBox, QPlainTextEdit, QTextBrowser, QTableView)
    unnamed = [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, controls) and w.isVisible() and not w.accessibleName()
    ]
    assert unnamed == []
    actions = window.actions() + window.letter_pane.actions()
    assert len(actions) >= 5  # the window's keyboard actions are there to be checked
    for action in actions:
        assert action.text() and not action.shortcut().isEmpty(), action.text()


def test_settings_change_people_and_the_interface_language(qtbot, make_window, letterdesk_home):
    from letterdesk.core.foundation.settings import load_settings, with_changes
    from letterdesk.gui import i18n

    window = make_window()
    dialog = window.open_settings()
    assert dialog.isVisible()
    dialog.close()
    changed = with_changes(window.settings, author_name="Dr. Neu", ui_language="de")
    try:
        window.apply_settings(changed)
        qtbot.waitUntil(lambda: window.file_menu.title() == "&Datei")  # LanguageChange is posted
        assert window.letter_pane.generate_action.text() == "&Erstellen"
        assert window.letter_pane.author == "Dr. Neu"
        qtbot.waitUntil(lambda: (letterdesk_home / "settings.toml").exists(), timeout=3000)
        assert load_settings().author_name == "Dr. Neu"
    finally:
        i18n.apply_language("en")
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File")
