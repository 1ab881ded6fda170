"""A whole blinded study through the window: set up from the File menu, letters drafted by two
real tiny models, two raters scoring with the rating panel's keys, results shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.models.gguf_header import read_header
from letterdesk.core.models.identity import identify, register
from letterdesk.core.store.database import Store
from letterdesk.gui.qt import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    Qt,
    QTableView,
    QTextBrowser,
    QWidget,
)
from letterdesk.gui.study_view import StudyView
from tests.gui.conftest import RATER, TINY_CHAT_TEMPLATE

CASES = ("SYN-DEMO-001", "SYN-DEMO-002")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory) -> tuple[Path, Path]:
    """One tiny random LLaMA as F32 and as F16 GGUF: two files, two model versions."""
    from training.convert import convert
    from training.tiny import build_tiny_model

    checkpoint = build_tiny_model(tmp_path_factory.mktemp("study") / "tiny-study", rope="llama3")
    folder = tmp_path_factory.mktemp("study-versions")
    return (
        convert(checkpoint, folder / "v1.gguf", outtype="f32").path,
        convert(checkpoint, folder / "v2.gguf", outtype="f16").path,
    )


@pytest.fixture
def window(make_window, store_path, two_versions):
    with Store(store_path) as store:
        for path in two_versions:
            register(store, identify(read_header(path)))
    engine = EngineSettings(
        model_path=two_versions[0], chat_template=TINY_CHAT_TEMPLATE, n_threads=1, max_context=512
    )
    return make_window(engine=engine, options=DecodingOptions(max_tokens=12))


def model_of(store_path: Path, item_id: int) -> int:
    with Store(store_path) as store:
        return store.conn.execute(
            "SELECT model_ref FROM study_items WHERE id = ?", (item_id,)
        ).fetchone()[0]


def rate_every_letter(qtbot, view: StudyView, store_path: Path, scores: dict[int, int]) -> None:
    """Score each letter shown with the keyboard, as a rater does, until all are rated."""
    qtbot.waitUntil(lambda: view.rating.current is not None, timeout=20_000)
    for _ in range(len(view.rating.items.rows)):
        shown = view.rating.current
        score = scores[model_of(store_path, shown.assignment.item_id)]
        view.rating.panel.focus_first()
        for row in view.rating.panel.rows:
            qtbot.keyClick(row, getattr(Qt.Key, f"Key_{score}"))
        qtbot.mouseClick(view.rating.panel.save_button, Qt.MouseButton.LeftButton)
        at = shown.assignment.position - 1
        qtbot.waitUntil(lambda i=at: view.rating.items.rows[i].rated, timeout=20_000)
        if not all(a.rated for a in view.rating.items.rows):
            qtbot.waitUntil(lambda s=shown: view.rating.current is not s, timeout=20_000)
    assert "All your letters of this study are rated" in view.rating.panel.message.text()


def test_a_blinded_study_from_set_up_to_results(qtbot, window, store_path):
    window.study_action.trigger()
    view = window.findChild(StudyView)
    setup = view.setup
    qtbot.waitUntil(lambda: setup.models.rowCount() == 2, timeout=20_000)
    labels = [text.split(" · ")[0] for _, text in setup.models.rows]
    v1, v2 = (key for key, _ in setup.models.rows)

    qtbot.keyClicks(setup.name, "F32 gegen F16")
    for case_id in CASES:
        setup.cases.set_checked(case_id)
    for key in (v1, v2):
        setup.models.set_checked(key)
    qtbot.mouseClick(setup.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.study is not None, timeout=20_000)
    assert view.study.items == 4 and view.study.status == "drafting"
    assert "0 of 4 letters drafted" in setup.state.text()

    qtbot.mouseClick(setup.draft_button, Qt.MouseButton.LeftButton)
    assert setup.cancel_button.isEnabled() and not setup.draft_button.isEnabled()
    qtbot.waitUntil(lambda: view.study.status == "rating", timeout=180_000)
    assert "All 4 letters are drafted" in setup.state.text()
    assert setup.complete_button.isEnabled()

    view.pages_group.button(1).click()  # Rate
    assert view.rating.isVisible() and not setup.isVisible()
    for rater, scores in ((RATER, {v1: 4, v2: 2}), ("rater-2", {v1: 3, v2: 1})):
        view.set_rater(rater)
        qtbot.waitUntil(lambda r=rater: view.rating.rater_label.text() == f"Rater: {r}")
        assert view.rating.current is None and not view.rating.panel.isEnabled()
        qtbot.waitUntil(lambda: len(view.rating.items.rows) == 4, timeout=20_000)
        assert not any(a.rated for a in view.rating.items.rows)
        blinded = " ".join(
            w.text() for w in view.rating.findChildren(QWidget) if hasattr(w, "text")
        )
        assert not any(label in blinded for label in labels)  # the model is never named
        rate_every_letter(qtbot, view, store_path, scores)
        assert len({a.label for a in view.rating.items.rows}) == 4

    qtbot.mouseClick(view.page_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(setup.complete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.study.status == "completed", timeout=20_000)
    with qtbot.waitSignal(view.result_shown, timeout=20_000):
        qtbot.mouseClick(view.page_buttons[2], Qt.MouseButton.LeftButton)
    results = view.results.toPlainText()
    # each case: version 1 scored 4 and 3 (mean 3.5), version 2 scored 2 and 1 (mean 1.5)
    assert "F32 gegen F16 (completed)" in results
    assert f"{labels[0]}\n2\n16\n3.50 [3.50, 3.50]" in results
    assert f"{labels[1]}\n2\n16\n1.50 [1.50, 1.50]" in results
    assert "Paired comparison (Wilcoxon signed-rank test)" in results
    assert f"{RATER}\n4" in results and "rater-2\n4" in results

    controls = (QAbstractButton, QLineEdit, QComboBox, QPlainTextEdit, QTextBrowser, QTableView)
    for page in range(3):
        view.show_page(page)
        unnamed = [
            w
            for w in view.findChildren(QWidget)
            if isinstance(w, controls) and w.isVisible() and not w.accessibleName()
        ]
        assert unnamed == [], page
