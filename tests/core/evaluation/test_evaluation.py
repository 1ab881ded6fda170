"""Evaluation from the store (letterdesk.core.evaluation.metrics): every expected number worked out
by
hand from the small store below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.evaluation.metrics import (
    ALL_TYPES,
    UnicodeWords,
    evaluate,
    model_labels,
    rouge,
    summarise_scores,
)
from letterdesk.core.models.identity import ModelIdentity, register
from letterdesk.core.store import letters as letters_module
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import add_revision, create_letter, sign_off
from letterdesk.core.store.ratings import rate
from tests.core.sample_cases import case

AUTHOR = "Dr. Weiß"
# Two signed letters of version 1.0 and one unsigned of version 2.0. No draft states a fact
# (a name after a title, a dose, a date, a code …), so fact precision is 1 and recall 0.
L1_DRAFT, L1_FINAL = "Die Patientin hat Übelkeit", "Die Patientin hat keine Übelkeit"
L2_DRAFT, L2_FINAL = "a b c d e", "a b x d e"
L3_DRAFT = "Entwurf ohne Korrektur"


def model(store: Store, version: str, digit: str) -> int:
    """Register a model version without a file (only its identity is needed here)."""
    identity = ModelIdentity(
        name="demo",
        version=version,
        path=f"/models/demo-{version}.gguf",
        sha256=digit * 64,
        size_bytes=1,
        quantization="Q4_K_M",
        architecture="llama",
        chat_template=None,
    )
    return register(store, identity, user=AUTHOR)


def build_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The store every evaluation and report test reads; returns the model ids."""
    store.import_cases(
        [
            parse_case(json.dumps(case(case_id=case_id, letter_type=letter_type)))
            for case_id, letter_type in (
                ("SYN-EVAL-1", "final_report"),
                ("SYN-EVAL-2", "follow_up"),
                ("SYN-EVAL-3", "final_report"),
            )
        ]
    )
    v1, v2 = model(store, "1.0", "a"), model(store, "2.0", "b")
    with monkeypatch.context() as patch:
        patch.setattr(letters_module, "now_iso", lambda: "2025-02-11T09:00:00.000000+00:00")
        l1, d1 = create_letter(store, "SYN-EVAL-1", L1_DRAFT, author=AUTHOR, model_ref=v1)
        patch.setattr(letters_module, "now_iso", lambda: "2025-02-18T09:00:00.000000+00:00")
        l2, d2 = create_letter(store, "SYN-EVAL-2", L2_DRAFT, author=AUTHOR, model_ref=v1)
    _, d3 = create_letter(store, "SYN-EVAL-3", L3_DRAFT, author=AUTHOR, model_ref=v2)
    for rater, score in (("rater-1", 2), ("rater-2", 3), ("rater-3", 4)):
        rate(store, d1.id, rater, {"factual_correctness": score})
    rate(store, d1.id, "rater-1", {"factual_correctness": 2, "completeness": 4})
    rate(store, d2.id, "rater-1", {"factual_correctness": 1})
    rate(store, d3.id, "rater-2", {"factual_correctness": 4})
    for letter, final, seconds in ((l1, L1_FINAL, 90.0), (l2, L2_FINAL, 30.0)):
        final_revision = add_revision(
            store, letter.id, final, author=AUTHOR, editing_seconds=seconds
        )
        sign_off(store, letter.id, final_revision.id, user=AUTHOR)
    return {"1.0": v1, "2.0": v2}


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def test_an_empty_store_has_nothing_to_evaluate(store):
    evaluation = evaluate(store)
    assert evaluation.is_empty
    assert evaluation.groups == () and evaluation.trends == () and evaluation.models == ()
    assert evaluation.dimensions[:2] == ("factual_correctness", "completeness")


def test_scores_per_model_version_and_letter_type(store, monkeypatch):
    build_store(store, monkeypatch)
    evaluation = evaluate(store)
    assert evaluation.models == ("demo 1.0", "demo 2.0")
    assert [(g.model, g.letter_type) for g in evaluation.groups] == [
        ("demo 1.0", ALL_TYPES),
        ("demo 1.0", "final_report"),
        ("demo 1.0", "follow_up"),
        ("demo 2.0", ALL_TYPES),
        ("demo 2.0", "final_report"),
    ]
    report = evaluation.group("demo 1.0", "final_report")
    factual, completeness = report.scores[0], report.scores[1]
    # ratings 2, 3, 4: mean 3, sample SD sqrt(((-1)² + 0² + 1²) / 2) = 1
    assert (factual.n, factual.mean, factual.sd, factual.counts) == (3, 3.0, 1.0, (0, 1, 1, 1))
    assert (completeness.n, completeness.mean, completeness.sd) == (1, 4.0, None)
    assert (report.letters, report.raters, report.ratings) == (1, 3, 4)

    overall = evaluation.group("demo 1.0")
    # 2, 3, 4 and 1: mean 2.5, SD sqrt((0.25 + 0.25 + 2.25 + 2.25) / 3) = sqrt(5/3) = 1.29099
    assert overall.scores[0].mean == 2.5
    assert overall.scores[0].sd == pytest.approx(1.290994, abs=1e-6)
    assert overall.scores[0].counts == (1, 1, 1, 1)
    assert (overall.letters, overall.signed_letters, overall.raters) == (2, 2, 3)
    newer = evaluation.group("demo 2.0")
    assert (newer.letters, newer.signed_letters, newer.raters) == (1, 0, 1)
    assert newer.scores[0].mean == 4.0 and newer.edit_distance is None


def test_correction_effort_rouge_and_facts_per_letter(store, monkeypatch):
    build_store(store, monkeypatch)
    evaluation = evaluate(store)
    first, second, third = evaluation.letters
    # "keine" inserted: 1 word changed, all 4 draft words kept
    assert (first.edit_distance, first.kept_share, first.editing_seconds) == (1, 1.0, 90.0)
    # draft 4 words, final 5, 4 shared: P 1, R 4/5, F 8/9; bigrams 2 of 3 and 2 of 4: F 4/7
    assert first.rouge == pytest.approx({"rouge1": 8 / 9, "rouge2": 4 / 7, "rougeL": 8 / 9})
    # "c" → "x": one substitution, 4 of 5 words kept; unigrams 4/5, bigrams 2/4, LCS 4/5
    assert (second.edit_distance, second.kept_share) == (1, 0.8)
    assert second.rouge == pytest.approx({"rouge1": 0.8, "rouge2": 0.5, "rougeL": 0.8})
    assert (third.signed, third.edit_distance, third.rouge) == (False, None, None)
    assert [(x.fact_precision, x.fact_recall) for x in evaluation.letters] == [(1.0, 0.0)] * 3

    overall = evaluation.group("demo 1.0")
    assert overall.edit_distance == 1.0
    assert overall.kept_share == pytest.approx(0.9)  # (1 + 0.8) / 2
    assert overall.editing_seconds == 60.0  # (90 + 30) / 2
    assert overall.rouge["rouge1"] == pytest.approx((8 / 9 + 0.8) / 2)
    assert overall.rouge["rouge2"] == pytest.approx((4 / 7 + 0.5) / 2)
    assert (overall.fact_precision, overall.fact_recall) == (1.0, 0.0)


def test_trends_per_iso_week_of_the_draft(store, monkeypatch):
    build_store(store, monkeypatch)
    trends = evaluate(store).trends
    by_week = {(t.week, t.model): t for t in trends}
    february_11, february_18 = by_week[("2025-W07", "demo 1.0")], by_week[("2025-W08", "demo 1.0")]
    # the letter of 11 February: scores 2, 3, 4 (factual) and 4 (completeness) → 13 / 4
    assert (february_11.letters, february_11.mean_score, february_11.kept_share) == (1, 3.25, 1.0)
    assert (february_18.letters, february_18.mean_score, february_18.kept_share) == (1, 1.0, 0.8)
    assert [t.model for t in trends if t.week not in ("2025-W07", "2025-W08")] == ["demo 2.0"]


def test_rouge_keeps_german_words_whole():
    words = UnicodeWords().tokenize("Übelkeit, Müller-Straße")
    assert words == ["übelkeit", "müller", "strasse"]  # casefolded: "Straße" is "Strasse"
    # the default tokenizer would make "m" and "ller" of both names and find them shared
    assert rouge("Frau Müller", "Frau Möller")["rouge1"] == pytest.approx(0.5)


def test_scores_of_no_rating_and_of_one():
    assert summarise_scores("completeness", []).mean is None
    one = summarise_scores("completeness", [3])
    assert (one.mean, one.sd, one.counts) == (3.0, None, (0, 0, 1, 0))


def test_model_versions_that_read_the_same_are_told_apart_by_their_hash(store):
    first, second = model(store, "1.0", "a"), model(store, "1.0", "c")
    labels = model_labels(store)
    assert labels == {first: "demo 1.0 (aaaaaaaa)", second: "demo 1.0 (cccccccc)"}
