"""The evaluation view: opened from the File menu, tables and charts of test_evaluation's store
(numbers worked out by hand there), and the report saved from it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

from letterdesk.core.evaluation.report import NOTHING_YET
from letterdesk.core.store.database import Store
from letterdesk.gui.evaluation_view import EvaluationView
from letterdesk.gui.qt import QAbstractButton, QTextBrowser, QWidget
from tests.core.evaluation.test_evaluation import build_store


def opened(qtbot, window) -> EvaluationView:
    window.evaluation_action.trigger()
    view = window.findChild(EvaluationView)
    qtbot.waitUntil(lambda: view.evaluation is not None, timeout=10000)
    return view


def test_an_empty_store_says_there_is_nothing_yet(qtbot, make_window):
    view = opened(qtbot, make_window())
    assert view.summary.text() == NOTHING_YET
    assert view.score_figure.texts[0].get_text() == "Nothing to show yet"
    controls = (QAbstractButton, QTextBrowser, FigureCanvasQTAgg)
    unnamed = [
        w
        for w in view.findChildren(QWidget)
        if isinstance(w, controls) and w.isVisible() and not w.accessibleName()
    ]
    assert unnamed == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is needed")
def test_tables_charts_and_the_saved_report(qtbot, make_window, store_path, monkeypatch, tmp_path):
    with Store(store_path) as store:
        build_store(store, monkeypatch)
    view = opened(qtbot, make_window())
    assert "2 model version(s), 3 letter(s), 6 score(s) by 3 rater(s)" in view.summary.text()
    tables = view.tables.toPlainText()
    for expected in ("3.00 ± 1.00 (n=3)", "2.50 ± 1.29 (n=4)", "0.844", "90%", "2025-W07"):
        assert expected in tables, expected
    assert isinstance(view.score_canvas, FigureCanvasQTAgg)
    assert [a.get_title(loc="left") for a in view.score_figure.axes][:2] == [
        "Factual correctness",
        "Completeness",
    ]
    assert [line.get_label() for line in view.trend_figure.axes[0].lines] == [
        "demo 1.0",
        "demo 2.0",
    ]
    with qtbot.waitSignal(view.saved, timeout=20000) as saved:
        view.save_report(tmp_path / "evaluation.pdf")
    assert saved.args[0] == tmp_path / "evaluation.pdf"
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "evaluation.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "3.00 ± 1.00 (n=3)" in text
    assert "Report saved" in view.summary.text()
