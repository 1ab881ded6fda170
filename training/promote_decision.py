"""Whether a new version becomes the default, and why, in words a physician understands.

The gate is non-inferiority: over the evaluation letters, the paired bootstrap 95 % interval of
(new − current) must lie above −margin for key-fact recall and for ROUGE-L; with fewer than
:data:`MIN_EVALUATION_LETTERS` letters a version is never promoted. A completed blinded study
that names both models by SHA-256 decides where it found a difference (``--promotion-basis
study``); a tie leaves the decision to the gate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.files import read_json
from training.promote_args import PromoteArgs

MIN_EVALUATION_LETTERS = 30
"""Fewer evaluation letters than this cannot show that a version is not worse: no promotion."""


def decide(
    current: dict[str, Any] | None,
    new: dict[str, Any],
    args: PromoteArgs,
    run_result: dict[str, Any],
    models: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Whether the new version becomes the default, and why, in words a physician understands.

    ``current`` and ``new`` are :func:`evaluate_version`'s metrics on the same evaluation
    letters; ``models`` the compared models (:func:`identity`), whom a study must name.
    """
    verdict: dict[str, Any] = {
        "basis": args.promotion_basis,
        "split": "evaluation",
        "evaluation_letters": new["cases"],
        "min_evaluation_letters": MIN_EVALUATION_LETTERS,
        "margins": {"key_fact_recall": args.recall_margin, "rougeL": args.rouge_margin},
    }
    if new["empty_letters"] == new["cases"]:
        return _verdict(verdict, False, ["the new version wrote only empty letters"])
    said = []
    if args.promotion_basis == "study":
        study = study_verdict(args.study_result, models or {})
        verdict["study"] = study
        if study["accepted"] and study["winner"] != "tie":
            return _verdict(verdict, study["winner"] == "new", [study["finding"]])
        said.append(study["finding"])  # a tie or an ignored study: the letters decide
    if current is None:
        return _verdict(verdict, True, [*said, "there was no current model to compare with"])
    promote, found, changes = non_inferiority(current, new, args)
    verdict["changes"] = changes
    if promote and not run_result.get("improved", True):
        found.append("the fine-tuning did not lower the validation loss")
    return _verdict(verdict, promote, [*said, *found])


def _verdict(verdict: dict[str, Any], promote: bool, reasons: list[str]) -> dict[str, Any]:
    prefix = "Made the default" if promote else "Kept, not made the default"
    return {**verdict, "promote": promote, "reason": f"{prefix}: " + "; ".join(reasons) + "."}


def non_inferiority(
    current: dict[str, Any], new: dict[str, Any], args: PromoteArgs
) -> tuple[bool, list[str], dict[str, Any] | None]:
    """(not worse, why, the changes with their intervals): the paired bootstrap 95 % interval
    of (new − current) over the evaluation letters must lie above −margin for key-fact recall
    and for ROUGE-L; fewer than :data:`MIN_EVALUATION_LETTERS` letters never suffice."""
    from training.evaluate import BOOTSTRAP_RESAMPLES, paired_change

    before, after = current["letters"], new["letters"]
    if [b["case"] for b in before] != [a["case"] for a in after]:
        raise ValueError("the two versions were not evaluated on the same letters")
    if len(after) < MIN_EVALUATION_LETTERS:
        return (
            False,
            [
                f"the new version was compared with the current model on only {len(after)} "
                f"letters; at least {MIN_EVALUATION_LETTERS} are needed to tell whether it is "
                "worse (sign off more letters, or hold out a larger share, and train again)"
            ],
            None,
        )

    def recall(letter: dict[str, Any]) -> float:
        return letter["key_facts_found"] / letter["key_facts"] if letter["key_facts"] else 0.0

    facts = [b["key_facts"] for b in before]
    recall_change = paired_change(
        [recall(a) for a in after], [recall(b) for b in before], facts, seed=args.seed
    )
    rouge_change = paired_change(
        [a["rougeL"] for a in after], [b["rougeL"] for b in before], seed=args.seed
    )
    checks = (
        (recall_change, args.recall_margin, "key-fact recall", 100, ".1f", " points"),
        (rouge_change, args.rouge_margin, "ROUGE-L", 1, ".3f", ""),
    )
    worse, shown = [], []
    for change, margin, name, scale, form, unit in checks:
        text = (
            f"{name} {change.change * scale:+{form}}{unit} (95 % interval "
            f"{change.low * scale:+{form}} to {change.high * scale:+{form}})"
        )
        shown.append(text)
        if not change.above(-margin):
            allowed = f"{margin * scale:{form}}{unit}"
            worse.append(f"{text}, which may be a loss of more than the {allowed} allowed")
    changes = {
        "key_fact_recall": recall_change.as_dict(),
        "rougeL": rouge_change.as_dict(),
        "bootstrap": {
            "paired": "letters",
            "method": "BCa",
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": args.seed,
        },
    }
    if worse:
        letters = f"on {len(after)} evaluation letters"
        return (
            False,
            [f"the new version may be worse than the current model {letters}: " + "; ".join(worse)],
            changes,
        )
    return (
        True,
        [
            f"not measurably worse than the current model on {len(after)} evaluation letters: "
            + ", ".join(shown)
        ],
        changes,
    )


STUDY_ROLES = {"new": "new version", "current": "current model"}


def study_verdict(path: Path | None, models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A completed blinded study's result, taken only if it names both compared models by
    SHA-256 (model file and adapter, as :func:`identity` has them); otherwise it is ignored,
    and ``finding`` says why."""
    study = read_json(path) if path else {}
    record: dict[str, Any] = {"path": str(path), "winner": study.get("winner")}
    problem = _study_problem(study, models)
    name = path.name if path else "result"
    if problem:
        return {
            **record,
            "accepted": False,
            "ignored_because": problem,
            "finding": f"the blinded study {name} was ignored ({problem}), so the evaluation "
            "letters decide",
        }
    words = {
        "new": "preferred the new version",
        "current": "preferred the current model",
        "tie": "found no difference, so the evaluation letters decide",
    }[study["winner"]]
    return {**record, "accepted": True, "finding": f"the blinded study {name} {words}"}


def _study_problem(study: dict[str, Any], models: dict[str, dict[str, Any]]) -> str | None:
    if study.get("status") != "completed":
        return "it is not completed"
    if study.get("winner") not in ("new", "current", "tie"):
        return "it names no winner between the two versions"
    for role, words in STUDY_ROLES.items():
        named, model = study.get(f"{role}_sha256"), models.get(role)
        if not named:
            return f"it does not name the {words} by SHA-256"
        if model is None or named != model["sha256"]:
            return f"the {words} it rated (SHA-256 {str(named)[:12]}…) is not the one compared here"
        if study.get(f"{role}_adapter_sha256") != model.get("adapter_sha256"):
            return f"the {words} it rated has another adapter than the one compared here"
    return None
