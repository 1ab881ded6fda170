"""The promotion gate: a new version becomes the default only if the evaluation letters show it
is not worse (paired bootstrap 95 % interval above −margin, at least 30 letters), or a blinded
study that names both models by SHA-256 preferred it."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from training.promote_args import PromoteArgs
from training.promote_decision import MIN_EVALUATION_LETTERS, decide
from training.promote_export import identity


def version(rouge_l: Sequence[float], found: Sequence[int], facts: int = 10) -> dict:
    """A model's metrics as evaluate_version reports them, from per-letter scores."""
    letters = [
        {"case": f"case-{i}", "rougeL": r, "key_facts": facts, "key_facts_found": k}
        for i, (r, k) in enumerate(zip(rouge_l, found, strict=True))
    ]
    return {
        "rougeL": sum(rouge_l) / len(rouge_l),
        "key_fact_recall": sum(found) / (facts * len(found)),
        "cases": len(letters),
        "empty_letters": 0,
        "letters": letters,
    }


def current_model(n: int = 40) -> tuple[list[float], list[int]]:
    draw = random.Random(1)
    return [draw.uniform(0.35, 0.6) for _ in range(n)], [draw.choice((9, 10)) for _ in range(n)]


def args(**overrides) -> PromoteArgs:
    return PromoteArgs(Path("b"), Path("r"), Path("d"), Path("o"), **overrides)


def shifted(values: Sequence[float], by: float, noise: float, seed: int = 2) -> list[float]:
    draw = random.Random(seed)
    return [v + by + draw.gauss(0, noise) for v in values]


def test_a_clearly_worse_version_is_refused():
    rouge_l, found = current_model()
    current = version(rouge_l, found)

    fewer_facts = version(rouge_l, [k - (i % 2) for i, k in enumerate(found)])  # −5 points
    decision = decide(current, fewer_facts, args(), {"improved": True})
    assert decision["promote"] is False
    assert decision["reason"].startswith("Kept, not made the default: the new version may be worse")
    assert "key-fact recall -5.0 points (95 % interval" in decision["reason"]
    assert "more than the 1.0 points allowed" in decision["reason"]
    recall = decision["changes"]["key_fact_recall"]
    assert recall["high"] < -0.01 and recall["letters"] == 40

    less_fluent = version(shifted(rouge_l, -0.05, 0.01), found)
    decision = decide(current, less_fluent, args(), {"improved": True})
    assert decision["promote"] is False
    assert "ROUGE-L -0.05" in decision["reason"] and "key-fact recall" not in decision["reason"]


def test_an_equal_or_better_version_is_promoted():
    rouge_l, found = current_model()
    current = version(rouge_l, found)

    same = decide(current, version(rouge_l, found), args(), {"improved": True})
    assert same["promote"] is True
    assert same["reason"].startswith(
        "Made the default: not measurably worse than the current model on 40 evaluation letters"
    )
    assert same["changes"]["rougeL"] == {
        "change": 0.0, "low": 0.0, "high": 0.0, "letters": 40, "confidence": 0.95,
    }  # fmt: skip

    better = version(shifted(rouge_l, 0.03, 0.01), [10] * 40)
    decision = decide(current, better, args(), {"improved": True})
    assert decision["promote"] is True
    assert decision["changes"]["rougeL"]["low"] > 0
    assert decision["changes"]["key_fact_recall"]["low"] > 0
    assert decision["split"] == "evaluation" and decision["margins"] == {
        "key_fact_recall": 0.01, "rougeL": 0.01,
    }  # fmt: skip
    assert decision["changes"]["bootstrap"]["seed"] == 0
    assert decide(current, better, args(), {"improved": True}) == decision  # reproducible


def test_a_small_loss_inside_the_margin_passes_but_noise_does_not():
    rouge_l, found = current_model()
    current = version(rouge_l, found)

    slightly_lower = version(shifted(rouge_l, -0.003, 0.001), found)
    assert decide(current, slightly_lower, args(), {})["promote"] is True
    assert decide(current, slightly_lower, args(rouge_margin=0.0), {})["promote"] is False

    # the same mean, but letters that vary so much that a loss of 0.01 cannot be ruled out
    noisy = version(shifted(rouge_l, 0.0, 0.1, seed=5), found)
    decision = decide(current, noisy, args(), {})
    assert decision["promote"] is False
    assert decision["changes"]["rougeL"]["low"] < -0.01 < decision["changes"]["rougeL"]["high"]


def test_fewer_than_30_evaluation_letters_never_promote():
    assert MIN_EVALUATION_LETTERS == 30
    rouge_l, found = current_model(29)
    decision = decide(version(rouge_l, found), version(rouge_l, found), args(), {})
    assert decision["promote"] is False
    assert decision["reason"] == (
        "Kept, not made the default: the new version was compared with the current model on "
        "only 29 letters; at least 30 are needed to tell whether it is worse (sign off more "
        "letters, or hold out a larger share, and train again)."
    )
    assert decision["changes"] is None

    rouge_l, found = current_model(30)
    assert decide(version(rouge_l, found), version(rouge_l, found), args(), {})["promote"]


def test_empty_letters_and_no_current_model():
    rouge_l, found = current_model()
    empty = {**version([0.0] * 40, [0] * 40), "empty_letters": 40}
    decision = decide(version(rouge_l, found), empty, args(), {})
    assert decision["promote"] is False and "only empty letters" in decision["reason"]

    decision = decide(None, version([0.1] * 3, [1] * 3), args(), {})
    assert decision["promote"] is True and "no current model" in decision["reason"]


# --- a blinded study ---------------------------------------------------------------------------


@pytest.fixture
def models(tmp_path) -> dict[str, dict]:
    """Two model files (and an adapter of the new one), as promote identifies them."""
    (tmp_path / "current.gguf").write_bytes(b"GGUF current model")
    (tmp_path / "new.gguf").write_bytes(b"GGUF new model")
    (tmp_path / "new-lora.gguf").write_bytes(b"GGUF new adapter")
    return {
        "current": identity(tmp_path / "current.gguf", None),
        "new": identity(tmp_path / "new.gguf", tmp_path / "new-lora.gguf"),
    }


def study(tmp_path: Path, winner: str, **fields) -> PromoteArgs:
    path = tmp_path / "study.json"
    path.write_text(
        json.dumps({"status": "completed", "winner": winner, **fields}), encoding="utf-8"
    )
    return args(promotion_basis="study", study_result=path)


def named(models: dict[str, dict]) -> dict[str, str]:
    return {
        "new_sha256": models["new"]["sha256"],
        "new_adapter_sha256": models["new"]["adapter_sha256"],
        "current_sha256": models["current"]["sha256"],
    }


def test_a_study_that_names_both_models_decides(tmp_path, models):
    rouge_l, found = current_model()
    current, worse = version(rouge_l, found), version(shifted(rouge_l, -0.05, 0.01), found)

    decision = decide(current, worse, study(tmp_path, "new", **named(models)), {}, models)
    assert decision["promote"] is True
    assert decision["reason"] == (
        "Made the default: the blinded study study.json preferred the new version."
    )
    assert decision["study"]["accepted"] is True

    decision = decide(current, current, study(tmp_path, "current", **named(models)), {}, models)
    assert decision["promote"] is False and "preferred the current model" in decision["reason"]


def test_a_study_without_matching_sha256_is_ignored(tmp_path, models):
    rouge_l, found = current_model()
    current, worse = version(rouge_l, found), version(shifted(rouge_l, -0.05, 0.01), found)

    decision = decide(current, worse, study(tmp_path, "new"), {}, models)
    assert decision["promote"] is False
    assert decision["study"]["accepted"] is False
    assert decision["reason"].startswith(
        "Kept, not made the default: the blinded study study.json was ignored (it does not "
        "name the new version by SHA-256), so the evaluation letters decide; the new version "
        "may be worse"
    )

    other = {**named(models), "current_sha256": "0" * 64}
    decision = decide(current, worse, study(tmp_path, "new", **other), {}, models)
    assert decision["promote"] is False
    assert "the current model it rated (SHA-256 000000000000…)" in decision["reason"]

    no_adapter = {**named(models), "new_adapter_sha256": None}
    decision = decide(current, worse, study(tmp_path, "new", **no_adapter), {}, models)
    assert decision["promote"] is False and "another adapter" in decision["reason"]

    unfinished = study(tmp_path, "new", status="running", **named(models))
    decision = decide(current, current, unfinished, {}, models)
    assert "was ignored (it is not completed)" in decision["reason"]
    assert decision["promote"] is True  # the evaluation letters show it is not worse


def test_a_study_tie_leaves_the_decision_to_the_evaluation_letters(tmp_path, models):
    rouge_l, found = current_model(5)
    tie = study(tmp_path, "tie", **named(models))
    decision = decide(version(rouge_l, found), version(rouge_l, found), tie, {}, models)
    assert decision["promote"] is False
    assert "found no difference, so the evaluation letters decide" in decision["reason"]
    assert "only 5 letters" in decision["reason"]

    rouge_l, found = current_model(40)
    decision = decide(version(rouge_l, found), version(rouge_l, found), tie, {}, models)
    assert decision["promote"] is True
