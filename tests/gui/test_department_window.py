"""The window on the department store (issue 20): while the database server is away the
physician goes on typing, the window says it is offline, and every change is written when the
server is back."""

from __future__ import annotations

from letterdesk.core.desk.demo import seed_demo_cases
from letterdesk.core.engine.types import EngineSettings
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import (
    add_revision,
    create_letter,
    letters_for_case,
    revisions,
)
from letterdesk.gui import waiting_saves
from tests.gui.conftest import AUTHOR, DRAFT
from tests.gui.test_letter_editor import type_at_end


def department_window(qtbot, postgres, settings, letterdesk_home, monkeypatch):
    """The window on a new department store with the demo cases and a draft for the first
    case; returns the window, that case's ID and its (letter, draft)."""
    monkeypatch.setenv("LETTERDESK_STORE", postgres.store_url(postgres.new_database()))
    with Store() as store:
        seed_demo_cases(store)
        case_id = store.cases()[0].case_id
        drafted = create_letter(store, case_id, DRAFT, author=AUTHOR)
    from letterdesk.gui.main_window import MainWindow

    window = MainWindow(
        settings, engine=EngineSettings(model_path=letterdesk_home / "none.gguf"),
        load_model=False,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.letter_pane.desk is not None, timeout=10000)
    return window, case_id, drafted


def test_typing_goes_on_offline_and_lands_when_the_server_returns(
    qtbot, postgres, settings, letterdesk_home, monkeypatch
):
    monkeypatch.setattr(waiting_saves, "RETRY_MS", 300)
    window, case_id, _ = department_window(qtbot, postgres, settings, letterdesk_home, monkeypatch)
    pane, editor = window.letter_pane, window.letter_pane.editor
    assert pane.desk.case.case_id == case_id
    qtbot.waitUntil(lambda: window.store_status.isVisible(), timeout=5000)
    assert window.store_status.text() == "Department store · signed in as it_dba"

    type_at_end(qtbot, editor, " Eins.")
    editor.autosave.flush()
    qtbot.waitUntil(lambda: pane.desk.letter.latest.text == DRAFT + " Eins.", timeout=10000)
    postgres.stop()
    try:
        type_at_end(qtbot, editor, " Zwei.")
        editor.autosave.flush()
        qtbot.waitUntil(lambda: "Offline" in pane.status.progress.text(), timeout=15000)
        assert "Changes waiting on this computer: 1." in pane.status.progress.text()
        type_at_end(qtbot, editor, " Drei.")
        editor.autosave.flush()
        qtbot.waitUntil(lambda: "computer: 2." in pane.status.progress.text(), timeout=15000)
        assert editor.text == DRAFT + " Eins. Zwei. Drei." and not editor.text_edit.isReadOnly()
    finally:
        postgres.start()
    qtbot.waitUntil(lambda: "Back online" in pane.status.progress.text(), timeout=15000)
    with Store() as store:
        (letter,) = letters_for_case(store, case_id)
        texts = [r.text for r in revisions(store, letter.id)]
    assert texts == [DRAFT, DRAFT + " Eins.", DRAFT + " Eins. Zwei.", DRAFT + " Eins. Zwei. Drei."]


def test_a_conflicting_save_shows_both_texts_and_theirs_can_be_taken(
    qtbot, postgres, settings, letterdesk_home, monkeypatch
):
    window, _, (letter, draft) = department_window(
        qtbot, postgres, settings, letterdesk_home, monkeypatch
    )
    pane, editor = window.letter_pane, window.letter_pane.editor
    theirs = DRAFT + " Nachtrag von Dr. Kim."
    with Store() as elsewhere:  # another workstation saves first, from the same draft
        add_revision(elsewhere, letter.id, theirs, author="Dr. Kim", based_on=draft.id)

    type_at_end(qtbot, editor, " Meins.")
    editor.autosave.flush()
    qtbot.waitUntil(lambda: pane.conflict.isVisible(), timeout=10000)
    assert "Dr. Kim saved revision 2" in pane.conflict.summary.text()
    shown = pane.conflict.browser.toPlainText()
    assert "Nachtrag von Dr. Kim." in shown and "Meins." in shown
    pane.conflict.take.click()
    assert editor.text == theirs and not pane.conflict.isVisible()
    editor.autosave.flush()
    qtbot.waitUntil(lambda: pane.desk.letter.latest.number == 4, timeout=10000)
    with Store() as store:
        texts = [r.text for r in revisions(store, letter.id)]
    assert texts == [DRAFT, theirs, DRAFT + " Meins.", theirs]


def test_drafts_the_server_wrote_ahead_show_ready_without_a_click(
    qtbot, postgres, settings, letterdesk_home, monkeypatch
):
    from letterdesk.gui import main_window

    monkeypatch.setattr(main_window, "LIST_REFRESH_MS", 300)
    window, shown, _ = department_window(qtbot, postgres, settings, letterdesk_home, monkeypatch)
    model = window.case_list.model
    others = [row.summary.case_id for row in model.rows if row.summary.case_id != shown]

    def status(case_id: str) -> str:
        return model.data(model.index(model.row_of(case_id), 3))

    assert status(others[0]) != "draft ready"
    # the department server's write-ahead service, another connection to the same store
    with Store() as store:
        create_letter(store, others[0], DRAFT, author="write_ahead", written_ahead=True)
    qtbot.waitUntil(lambda: status(others[0]) == "draft ready", timeout=5000)
    assert window.letter_pane.desk.case.case_id == shown  # the physician's case stays on screen
