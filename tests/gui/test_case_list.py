"""The case list: search and filter ask for a query, rows show, selection survives refreshes."""

from __future__ import annotations

from dataclasses import replace

from letterdesk.core.desk.worklist import case_rows
from letterdesk.core.store.database import Store
from letterdesk.gui.case_list import CaseList
from letterdesk.gui.i18n import apply_language
from letterdesk.gui.qt import Qt


def rows(store_path, search="", status=None):
    with Store(store_path) as store:
        return case_rows(store, search, status)


def test_rows_show_patient_birth_date_case_and_status_with_a_demo_mark(qtbot, store_path):
    view = CaseList()
    qtbot.addWidget(view)
    view.set_rows(rows(store_path))
    model = view.model
    assert model.rowCount() == 24 and model.columnCount() == 4
    first = model.row_of("SYN-DEMO-001")
    shown = [model.index(first, c).data() for c in range(4)]
    assert shown == ["Kühn, Anna (demo)", "1972-06-17", "SYN-DEMO-001", "new"]
    assert "Synthetic" in model.index(first, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert view.count.text() == "Cases listed: 24"


def test_typing_a_search_asks_once_after_a_pause_and_status_filters(qtbot):
    view = CaseList()
    qtbot.addWidget(view)
    queries = []
    view.query_changed.connect(lambda search, status: queries.append((search, status)))
    qtbot.keyClicks(view.search, "Anna")  # QTest types ASCII only
    qtbot.waitUntil(lambda: len(queries) > 0, timeout=2000)
    assert queries == [("Anna", None)]
    view.status.setCurrentIndex(view.status.findData("signed"))
    assert queries[-1] == ("Anna", "signed")
    assert view.search.accessibleName() and view.status.accessibleName()


def test_selection_survives_a_refresh_and_next_moves_down(qtbot, store_path):
    view = CaseList()
    qtbot.addWidget(view)
    view.set_rows(rows(store_path))
    with qtbot.waitSignal(view.case_selected) as selected:
        assert view.select_case("SYN-DEMO-003")
    assert selected.args == ["SYN-DEMO-003"]
    view.set_rows(list(reversed(rows(store_path))))
    assert view.selected_case == "SYN-DEMO-003"
    with qtbot.waitSignal(view.case_selected) as moved:
        assert view.select_next()
    assert moved.args[0] != "SYN-DEMO-003"
    view.set_rows(rows(store_path, "Kühn"))
    assert view.selected_case is None
    assert not view.select_case("SYN-DEMO-003")


def test_keyboard_reaches_the_table_and_arrow_keys_select(qtbot, store_path):
    view = CaseList()
    qtbot.addWidget(view)
    view.show()
    view.set_rows(rows(store_path))
    view.select_case(view.model.rows[0].summary.case_id)
    view.table.setFocus()
    with qtbot.waitSignal(view.case_selected) as selected:
        qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert selected.args[0] == view.model.rows[1].summary.case_id


def test_the_status_column_shows_draft_ready_whole_in_either_language(qtbot, store_path):
    # a draft written ahead reads "draft ready"; cut to "draft rea…" it reads badly
    listed = rows(store_path)
    listed[1] = replace(listed[1], ready=True)
    view = CaseList()
    qtbot.addWidget(view)
    view.resize(420, 600)
    view.show()
    view.set_rows(listed)
    assert view.model.index(1, 3).data() == "draft ready"
    table = view.table

    def shown_whole() -> bool:
        # the width the view says its cells need (text, margins, grid), "draft ready" among them
        return (
            table.columnWidth(3) >= table.sizeHintForColumn(3)
            and table.visualRect(view.model.index(1, 3)).right() <= table.viewport().width()
        )

    assert shown_whole()
    try:  # switched to German in the settings while the window is open
        apply_language("de")
        assert view.model.index(1, 3).data() == "Entwurf bereit"
        qtbot.waitUntil(shown_whole, timeout=2000)  # once the view has retranslated itself
    finally:
        apply_language("en")
