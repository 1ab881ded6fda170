"""Drafts written ahead in the window, with a real (tiny) model on a real X server: written
while the window idles, shown ready in the case list, paused by the physician's input, out
of the way when Generate is pressed — and the window stays responsive all along."""

from __future__ import annotations

from dataclasses import replace

import pytest

from letterdesk.core.foundation.settings import Settings
from letterdesk.core.store import written_ahead
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import letters_for_case, revisions
from letterdesk.gui.predrafting import IDLE_MS
from letterdesk.gui.qt import Qt
from tests.gui.conftest import AUTHOR, LONG_LETTER, RATER
from tests.gui.test_letter_pane import MAX_GAP_S, GapRecorder

AHEAD = 3


@pytest.fixture
def settings() -> Settings:
    return Settings(
        author_name=AUTHOR, rater_name=RATER, ui_language="en", predraft=True,
        predraft_ahead=AHEAD,
    )  # fmt: skip


def status_column(window) -> dict[str, str]:
    model = window.case_list.model
    return {
        row.summary.case_id: model.data(model.index(number, 3))
        for number, row in enumerate(model.rows)
    }


def tip_of(window, case_id: str) -> str:
    model = window.case_list.model
    number = model.row_of(case_id)
    return model.data(model.index(number, 3), Qt.ItemDataRole.ToolTipRole) or ""


def press_a_key(window) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(window.case_list.table, Qt.Key.Key_Shift)


def test_drafts_are_written_ahead_while_the_window_idles_and_wait_to_be_opened(
    qtbot, make_window, tiny_engine, store_path
):
    window = make_window(engine=tiny_engine, options=LONG_LETTER)
    recorder = GapRecorder()
    recorder.start()
    window.host.load()
    # the case on screen first (shown, so seen at once), then AHEAD that wait to be opened
    qtbot.waitUntil(lambda: window.predrafter.drafts_written == AHEAD + 1, timeout=60000)
    qtbot.wait(IDLE_MS + 500)  # idle again: still no more than AHEAD wait
    worst = recorder.stop()
    print(f"longest event-loop stall while drafts were written ahead: {worst * 1000:.1f} ms")
    assert worst < MAX_GAP_S, f"the event loop stalled for {worst * 1000:.0f} ms"
    assert window.predrafter.drafts_written == AHEAD + 1 and not window.predrafter.running

    order = [row.summary.case_id for row in window.case_list.model.rows]
    with Store(store_path) as store:
        waiting = written_ahead.waiting(store)
    # the first one was on screen without a draft: it was shown as soon as it was written
    shown = order[0]
    assert shown not in waiting and window.letter_pane.editor.text
    assert sorted(waiting) == sorted(order[1 : AHEAD + 1])
    qtbot.waitUntil(lambda: status_column(window)[order[1]] == "draft ready", timeout=5000)
    statuses = status_column(window)
    assert [c for c in order if statuses[c] == "draft ready"] == order[1 : AHEAD + 1]
    assert "Drafted ahead by LetterDesk" in tip_of(window, order[1])

    # opening a ready case shows its draft at once; it no longer waits, so one more is written
    window.case_list.select_case(order[1])
    with Store(store_path) as store:
        (letter,) = letters_for_case(store, order[1])
        draft = revisions(store, letter.id)[0].text
    qtbot.waitUntil(lambda: window.letter_pane.editor.text == draft, timeout=5000)
    qtbot.waitUntil(lambda: status_column(window)[order[1]] == "draft", timeout=5000)
    qtbot.waitUntil(lambda: window.predrafter.drafts_written == AHEAD + 2, timeout=60000)


def test_the_physicians_input_pauses_the_draft_written_ahead(
    qtbot, make_window, tiny_engine, store_path
):
    window = make_window(engine=tiny_engine, options=LONG_LETTER)
    window.predrafter.ahead = 24
    window.host.load()
    qtbot.waitUntil(lambda: window.predrafter.drafts_written >= 1, timeout=60000)
    qtbot.waitUntil(lambda: window.predrafter.running, timeout=10000)
    press_a_key(window)
    assert window.predrafter.paused
    written = window.predrafter.drafts_written
    for _ in range(20):  # 2 s of work at the desk: a letter takes well under a second
        qtbot.wait(100)
        press_a_key(window)
    assert window.predrafter.drafts_written == written, "a paused draft went on"
    assert window.predrafter.running and window.predrafter.paused
    # left alone again, it goes on
    qtbot.waitUntil(lambda: window.predrafter.drafts_written > written, timeout=IDLE_MS + 10000)


def test_generate_takes_the_model_from_a_draft_being_written_ahead(
    qtbot, make_window, tiny_engine, store_path
):
    window = make_window(engine=tiny_engine, options=LONG_LETTER)
    window.predrafter.ahead = 24
    pane = window.letter_pane
    window.host.load()
    qtbot.waitUntil(lambda: window.predrafter.drafts_written >= 2, timeout=60000)
    window.case_list.select_case(window.case_list.model.rows[-1].summary.case_id)
    qtbot.waitUntil(lambda: window.predrafter.running, timeout=10000)
    mine = pane.desk.case.case_id
    pane.generate_action.trigger()
    assert not window.predrafter.running or window.predrafter._stop.is_set()
    qtbot.waitUntil(lambda: pane.op is None, timeout=30000)
    with Store(store_path) as store:
        (letter,) = letters_for_case(store, mine)
        assert len(revisions(store, letter.id)[0].text) > 100
        assert mine not in written_ahead.waiting(store)  # the physician's own letter
    before = window.predrafter.drafts_written
    qtbot.waitUntil(lambda: window.predrafter.drafts_written > before, timeout=60000)


def test_the_setting_takes_effect_at_once_on_a_loaded_model(
    qtbot, make_window, tiny_engine, settings
):
    window = make_window(engine=tiny_engine, options=LONG_LETTER)
    window.apply_settings(replace(settings, predraft=False))
    window.host.load()
    qtbot.waitUntil(lambda: window.model_status.state == "ready", timeout=30000)
    qtbot.wait(IDLE_MS + 500)
    assert window.predrafter.drafts_written == 0 and not window.predrafter.enabled
    # switched on in the settings: drafts are written ahead without loading the model again
    window.apply_settings(replace(settings, predraft=True))
    qtbot.waitUntil(lambda: window.predrafter.drafts_written >= 1, timeout=60000)
    window.apply_settings(replace(settings, predraft=False))
    assert not window.predrafter.enabled and not window.predrafter.paused
