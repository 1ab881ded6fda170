"""`letterdesk report`, `letterdesk pairs` and `letterdesk study` as a user runs them: real
processes on a real store file."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest

from letterdesk.core.evaluation.study import assignments
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter
from letterdesk.core.store.ratings import rate
from letterdesk.core.store.studies import record_draft
from tests.core.evaluation.test_evaluation import build_store


def letterdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "letterdesk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )


@pytest.fixture
def evaluated(monkeypatch) -> dict[str, int]:
    """The user's store with test_evaluation's letters, ratings and two model versions."""
    with Store() as store:
        return build_store(store, monkeypatch)


@pytest.mark.parametrize("store", ["empty", "not there yet"])
def test_report_of_an_empty_store_says_there_is_nothing_yet(store, tmp_path, letterdesk_home):
    if store == "empty":
        Store().close()
    done = letterdesk("report", "--output", str(tmp_path / "report.html"))
    assert done.returncode == 0, done.stderr
    assert "nothing to report yet" in done.stderr
    assert done.stdout.strip() == str(tmp_path / "report.html")
    assert "There is nothing to report yet" in (tmp_path / "report.html").read_text("utf-8")
    assert (letterdesk_home / "letterdesk.sqlite3").exists() == (store == "empty")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is needed")
def test_report_as_pdf_and_csv(evaluated, tmp_path):
    pdf, table = tmp_path / "report.pdf", tmp_path / "ratings.csv"
    assert letterdesk("report", "--output", str(pdf)).returncode == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert "3.00 ± 1.00 (n=3)" in text.decode("utf-8")
    assert letterdesk("report", "--output", str(table)).returncode == 0
    with table.open(encoding="utf-8") as raw:
        assert len(list(csv.DictReader(raw))) == 6
    refused = letterdesk("report", "--output", str(tmp_path / "report.docx"))
    assert refused.returncode == 2 and ".html, .pdf, .csv" in refused.stderr


def test_pairs_export_the_signed_letters(evaluated, tmp_path):
    sft, preference = tmp_path / "sft.jsonl", tmp_path / "preference.jsonl"
    done = letterdesk("pairs", "--sft", str(sft), "--preference", str(preference))
    assert done.returncode == 0, done.stderr
    assert f"{sft}\t2 SFT pairs (pseudonymised)" in done.stdout
    assert (
        f"{preference}\t2 preference pairs (pseudonymised; 0 letters were signed as drafted)"
        in done.stdout
    )
    chosen = [json.loads(line)["chosen"] for line in preference.read_text("utf-8").splitlines()]
    assert chosen == ["Die Patientin hat keine Übelkeit", "a b x d e"]
    usage = letterdesk("pairs")
    assert usage.returncode == 2 and "--sft FILE, --preference FILE or both" in usage.stderr


def test_study_from_set_up_to_the_result_the_trainer_reads(evaluated, tmp_path):
    models = letterdesk("study", "models")
    assert models.stdout.splitlines()[0].startswith(f"{evaluated['1.0']}\tdemo 1.0\t")
    old, new = evaluated["1.0"], evaluated["2.0"]
    created = letterdesk(
        "study", "create", "--name", "1.0 gegen 2.0", "--case", "SYN-EVAL-1",
        "--model", str(old), str(new),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    study_id = int(created.stdout.split("\t")[0])
    with Store() as store:
        for model_id in (old, new):
            _, draft = create_letter(store, "SYN-EVAL-1", "Brief", author="a", model_ref=model_id)
            record_draft(store, study_id, "SYN-EVAL-1", model_id, draft.id)
        for item in assignments(store, study_id, "r1"):
            revision_id = store.conn.execute(
                "SELECT revision_id FROM study_items WHERE id = ?", (item.item_id,)
            ).fetchone()[0]
            model_id = store.conn.execute(
                "SELECT model_ref FROM revisions WHERE id = ?", (revision_id,)
            ).fetchone()[0]
            rate(store, revision_id, "r1", {"completeness": 2 if model_id == old else 4})
    drafted = letterdesk("study", "draft", str(study_id))  # all drafted: no model is loaded
    assert drafted.returncode == 0 and "rating\t2 of 2 drafted" in drafted.stdout
    assert letterdesk("study", "complete", str(study_id)).returncode == 0
    listed = letterdesk("study", "list").stdout
    assert f"{study_id}\t1.0 gegen 2.0\tcompleted\t1 cases\t2 versions" in listed
    result_file = tmp_path / "study.json"
    shown = letterdesk(
        "study", "results", str(study_id), "--json", str(result_file),
        "--new", str(new), "--current", str(old),
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "Paired comparison (Wilcoxon signed-rank test)" in shown.stdout
    assert "demo 2.0\t1\t1\t4.00 (n=1)" in shown.stdout
    result = json.loads(result_file.read_text("utf-8"))
    # one case cannot show a difference: p = 1 with a single pair
    assert (result["status"], result["winner"]) == ("completed", "tie")
    assert result["comparisons"][0]["p_value"] == 1.0
