"""The report's charts (letterdesk.core.evaluation.report_charts) on the store of
test_evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from letterdesk.core.evaluation.metrics import evaluate
from letterdesk.core.evaluation.report_charts import draw_scores, draw_trends
from letterdesk.core.store.database import Store
from tests.core.evaluation.test_evaluation import build_store


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def test_charts_draw_one_panel_per_dimension_and_two_trends(store, monkeypatch):
    empty = Figure()
    draw_scores(empty, evaluate(store))
    assert empty.axes == [] and empty.texts[0].get_text() == "Nothing to show yet"
    build_store(store, monkeypatch)
    evaluation = evaluate(store)
    scores, trends = Figure(), Figure()
    draw_scores(scores, evaluation)
    draw_trends(trends, evaluation)
    assert [a.get_title(loc="left") for a in scores.axes] == [
        "Factual correctness",
        "Completeness",
        "Language and style",
        "Clinical benefit",
    ]
    assert len(trends.axes) == 2
    assert [line.get_label() for line in trends.axes[0].lines] == ["demo 1.0", "demo 2.0"]
