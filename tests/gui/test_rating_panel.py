"""The rating panel: keys 1-4 score the focused dimension, arrows move, every dimension needed."""

from __future__ import annotations

import pytest

from letterdesk.core.store.ratings import DEFAULT_DIMENSIONS
from letterdesk.gui.qt import QApplication, Qt
from letterdesk.gui.rating_dimensions import load_dimensions
from letterdesk.gui.rating_panel import RatingPanel


@pytest.fixture
def panel(qtbot):
    view = RatingPanel(load_dimensions())
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.set_revision(1)
    return view


def test_keys_rate_the_focused_dimension_and_arrows_move(qtbot, panel):
    panel.focus_first()
    rows = panel.rows
    assert QApplication.focusWidget() is rows[0]
    qtbot.keyClick(rows[0], Qt.Key.Key_3)
    qtbot.keyClick(rows[0], Qt.Key.Key_Down)
    assert QApplication.focusWidget() is rows[1]
    qtbot.keyClick(rows[1], Qt.Key.Key_4)
    qtbot.keyClick(rows[1], Qt.Key.Key_Left)
    qtbot.keyClick(rows[1], Qt.Key.Key_Up)
    qtbot.keyClick(rows[0], Qt.Key.Key_1)
    assert panel.scores == {"factual_correctness": 1, "completeness": 3}
    assert rows[1].anchor.text().startswith("3 – A minor detail is missing")


def test_saving_needs_every_dimension_and_says_which_is_missing(qtbot, panel):
    requests = []
    panel.rate_requested.connect(lambda scores, comment: requests.append((scores, comment)))
    panel.rows[0].set_score(4)
    assert not panel.submit()
    assert "Completeness" in panel.message.text()
    assert QApplication.focusWidget() is panel.rows[1]
    for row in panel.rows[1:]:
        row.set_score(2)
    panel.comment.setPlainText("  Dosis falsch übernommen. ")
    assert panel.submit()
    assert requests == [
        (
            {
                "factual_correctness": 4,
                "completeness": 2,
                "language_style": 2,
                "clinical_benefit": 2,
            },
            "Dosis falsch übernommen.",
        )
    ]


def test_a_stored_rating_is_shown_and_nothing_to_rate_disables_the_panel(qtbot, panel):
    panel.set_revision(3, {"completeness": 2}, "ok")
    assert panel.scores == {"completeness": 2} and panel.comment.toPlainText() == "ok"
    assert "revision 3" in panel.title.text()
    panel.set_revision(None)
    assert not panel.isEnabled() and panel.scores == {}


def test_every_control_is_named_for_assistive_technology(panel):
    assert [row.dimension.key for row in panel.rows] == list(DEFAULT_DIMENSIONS)
    for row in panel.rows:
        assert row.accessibleName() and "1 to 4" in row.accessibleDescription()
        assert [button.text() for button in row.buttons.buttons()] == ["1", "2", "3", "4"]
        for button in row.buttons.buttons():
            assert button.accessibleName() and button.toolTip()
    assert panel.comment.accessibleName() and panel.save_button.accessibleName()
