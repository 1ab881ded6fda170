"""The held-out evaluation of a promotion: a greedy letter from each model for each case of the
evaluation split, scored against the signed letters (ROUGE-1/2/L) and for key-fact recall."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from letterdesk.core.cases.case import Case
from letterdesk.core.models.trainer_events import Event
from training.errors import ToolchainError
from training.progress import log
from training.promote_args import PromoteArgs
from training.pseudonymise import fill_surrogates


def evaluation_cases(
    pairs: list[dict[str, Any]], args: PromoteArgs
) -> tuple[list[Case], list[str]]:
    """The evaluation cases and their signed letters, with surrogates in the placeholders."""
    chosen = pairs[: args.eval_cases] if args.eval_cases else pairs
    if not chosen:
        raise ToolchainError(
            "the dataset has no held-out letters left to evaluate the new model on (a letter "
            "that chose the fine-tuning's checkpoint cannot also judge it)",
            hint="export the dataset with letters of more patients, or a larger --heldout-fraction",
        )
    cases, references = [], []
    for i, pair in enumerate(chosen):
        case, (letter,) = fill_surrogates(
            pair["case"], [pair["letter"]], random.Random(f"{args.seed}:evaluation:{i}")
        )
        cases.append(Case(case))
        references.append(letter)
    return cases, references


def evaluate_version(
    model: Path,
    adapter: Path | None,
    cases: Sequence[Case],
    references: Sequence[str],
    args: Any,
    label: str,
) -> dict[str, Any]:
    """ROUGE-1/2/L against the references and key-fact recall of one model's greedy letters;
    ``letters`` holds each letter's ROUGE-L and key facts, which the gate compares pairwise."""
    from training.evaluate import (
        Evaluation,
        generate_letters,
        mean_rouge,
        rouge_per_letter,
        score_letter,
    )

    started = time.monotonic()
    letters = generate_letters(model, cases, args.max_tokens, args.n_ctx, lora_path=adapter)
    with (args.out / f"letters-{label}.jsonl").open("w", encoding="utf-8") as handle:
        for case, letter in zip(cases, letters, strict=True):
            handle.write(
                json.dumps({"case": case.case_id, "letter": letter}, ensure_ascii=False) + "\n"
            )
    scores = [score_letter(c, lt) for c, lt in zip(cases, letters, strict=True)]
    per_letter = rouge_per_letter(letters, references)
    metrics = {
        **mean_rouge(per_letter),
        **Evaluation(scores).summary(),
        "empty_letters": sum(1 for lt in letters if not lt.strip()),
        "seconds": round(time.monotonic() - started, 1),
    }
    log(Event.EVALUATION, model=label, **metrics)
    metrics["letters"] = [
        {
            "case": s.case_id,
            "rougeL": round(r["rougeL"], 6),
            "key_facts": s.key_facts,
            "key_facts_found": s.key_facts_found,
        }
        for s, r in zip(scores, per_letter, strict=True)
    ]
    return metrics


COLUMNS = (
    ("rouge1", "ROUGE-1"),
    ("rouge2", "ROUGE-2"),
    ("rougeL", "ROUGE-L"),
    ("key_fact_recall", "key-fact recall"),
)


def table(current: dict[str, Any] | None, new: dict[str, Any], label: str | None) -> str:
    """The comparison as a plain-text table."""
    rows = [f"{'':16} {'current':>10} {'new':>10} {'change':>10}"]
    for key, title in COLUMNS:
        before = current.get(key) if current else None
        after = new[key]
        change = f"{after - before:+.4f}" if before is not None else ""
        shown = f"{before:.4f}" if before is not None else "-"
        rows.append(f"{title:16} {shown:>10} {after:>10.4f} {change:>10}")
    if label:
        rows.append(f"(current: {label}; {new['cases']} evaluation letters)")
    return "\n".join(rows)
