"""The evaluation report (letterdesk.core.evaluation.report) as HTML, PDF (read back with
pdftotext) and CSV,
on the store of test_evaluation, whose numbers are worked out by hand there."""

from __future__ import annotations

import base64
import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from letterdesk.core.evaluation.metrics import evaluate
from letterdesk.core.evaluation.report import NOTHING_YET, render_html, write_report
from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.models.identity import ModelIdentity, register
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter
from letterdesk.core.store.ratings import rate
from tests.core.evaluation.test_evaluation import build_store

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is needed (scripts/system-deps.sh)"
)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


@needs_pdftotext
def test_an_empty_store_reports_that_there_is_nothing_yet(store, tmp_path):
    evaluation = evaluate(store)
    html = write_report(evaluation, tmp_path / "report.html").read_text(encoding="utf-8")
    assert NOTHING_YET in html and "<img" not in html
    assert "There is nothing to report yet" in pdf_text(
        write_report(evaluation, tmp_path / "r.pdf")
    )
    with write_report(evaluation, tmp_path / "r.csv").open(encoding="utf-8") as raw:
        rows = list(csv.reader(raw))
    assert len(rows) == 1 and rows[0][:5] == [
        "rating_id",
        "rated_at",
        "rater",
        "dimension",
        "score",
    ]


def test_html_shows_the_numbers_and_embeds_the_charts(store, monkeypatch, tmp_path):
    build_store(store, monkeypatch)
    path = write_report(evaluate(store), tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert "3.00 ± 1.00 (n=3)" in html  # version 1.0, final reports, factual correctness
    assert "2.50 ± 1.29 (n=4)" in html  # version 1.0, all letter types
    assert "4.00 (n=1)" in html
    assert re.search(r"<td>90%</td>\s*<td>1\.0 min</td>\s*<td>0\.844</td>\s*<td>0\.536</td>", html)
    assert re.search(r"<td>1 \(25%\)</td>\s*<td>1 \(25%\)</td>", html)  # scores 1 and 2 of 4
    charts = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(charts) == 2
    assert all(base64.b64decode(c).startswith(b"\x89PNG") for c in charts)
    assert not list(tmp_path.glob(".report.html.*"))  # no temporary file left behind


def test_html_escapes_what_the_store_holds(store, monkeypatch, tmp_path):
    build_store(store, monkeypatch)
    sneaky = register(
        store, ModelIdentity("<script>alert(1)</script>", "", "/x", "e" * 64, 1, None, None, None)
    )
    _, draft = create_letter(store, "SYN-EVAL-1", "Text", author="a", model_ref=sneaky)
    rate(store, draft.id, "rater-1", {"completeness": 2})
    html = render_html(evaluate(store))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@needs_pdftotext
def test_pdf_carries_the_same_numbers(store, monkeypatch, tmp_path):
    build_store(store, monkeypatch)
    text = pdf_text(write_report(evaluate(store), tmp_path / "report.pdf"))
    for expected in (
        "Ratings by model version and letter type",
        "3.00 ± 1.00 (n=3)",
        "2.50 ± 1.29 (n=4)",
        "Correction effort and overlap, signed letters",
        "0.844",
        "0.536",
        "Trends per week",
        "2025-W07",
        "Fact precision",
    ):
        assert expected in text, expected


def test_csv_has_one_row_per_rating(store, monkeypatch, tmp_path):
    build_store(store, monkeypatch)
    _, draft = create_letter(store, "SYN-EVAL-3", "Text", author="a", model_ref=1)
    rate(store, draft.id, "=HYPERLINK(1)", {"completeness": 3})
    path = write_report(evaluate(store), tmp_path / "report.csv")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 7  # 4 + 1 + 1 in test_evaluation's store, 1 here
    (rated,) = [r for r in rows if r["rater"] == "rater-2" and r["model"] == "demo 1.0"]
    assert (rated["dimension"], rated["score"], rated["letter_type"]) == (
        "factual_correctness",
        "3",
        "final_report",
    )
    assert (rated["edit_distance"], rated["kept_share"], rated["editing_seconds"]) == (
        "1",
        "1.0",
        "90.0",
    )
    assert float(rated["rouge1"]) == pytest.approx(8 / 9)
    assert rated["week"] == "2025-W07" and rated["signed"] == "1"
    assert [r["rater"] for r in rows if r["rater"].startswith("'")] == ["'=HYPERLINK(1)"]


def test_a_report_is_html_pdf_or_csv(store, tmp_path):
    with pytest.raises(ConfigurationError, match=r"\.html, \.pdf, \.csv"):
        write_report(evaluate(store), tmp_path / "report.docx")
