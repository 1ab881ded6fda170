"""Evaluating a GGUF model on held-out cases: greedy letters from llama.cpp, then key-fact
recall, the share of doses and dates that the case does not support, and fact precision
(the share of all facts found in the letters that the case supports,
:func:`letterdesk.core.facts.grounding.fact_metrics`).

A key fact counts as found as the app counts it
(:func:`letterdesk.core.facts.key_facts.contains_fact`:
verbatim and whole, so 28 fractions are not found in "28.02.2025"). :func:`paired_change`
compares two models on the same letters: the change and its paired bootstrap 95 % interval.

Letters are drafted exactly as the app drafts them
(:func:`letterdesk.core.generation.draft.write_letter`:
the engine, the model's own chat template, fact slots filled for a model that writes them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from letterdesk.core.cases.case import Case
from letterdesk.core.facts import grounding
from letterdesk.core.facts.grounding import fact_metrics
from letterdesk.core.facts.key_facts import key_facts, missing_facts


@dataclass(frozen=True)
class LetterScore:
    """How one generated letter did."""

    case_id: str
    key_facts: int
    key_facts_found: int
    numbers: int
    unsupported: list[str]
    facts: int = 0
    """Facts of every kind found in the letter (doses, dates, sides, drugs, codes …)."""
    facts_supported: int = 0
    """Those of them the case supports."""
    wrong_role: int = 0
    """Unsupported doses and dates the case holds in another role (an end date as the start,
    a dose per fraction as the total)."""


@dataclass(frozen=True)
class Evaluation:
    """Scores of every held-out letter, and their totals."""

    letters: list[LetterScore]

    def summary(self) -> dict:
        """Key-fact recall, unsupported-number rate and fact precision over all letters."""
        total = sum(s.key_facts for s in self.letters)
        found = sum(s.key_facts_found for s in self.letters)
        numbers = sum(s.numbers for s in self.letters)
        bad = sum(len(s.unsupported) for s in self.letters)
        facts = sum(s.facts for s in self.letters)
        supported = sum(s.facts_supported for s in self.letters)
        misplaced = sum(s.wrong_role for s in self.letters)
        return {
            "cases": len(self.letters),
            "key_fact_recall": round(found / total, 4) if total else 0.0,
            "unsupported_rate": round(bad / numbers, 4) if numbers else 0.0,
            "not_in_case_rate": round((bad - misplaced) / numbers, 4) if numbers else 0.0,
            "wrong_role_rate": round(misplaced / numbers, 4) if numbers else 0.0,
            "doses_and_dates": numbers,
            "fact_precision": round(supported / facts, 4) if facts else 0.0,
            "facts": facts,
        }


def score_letter(case: Case, letter: str) -> LetterScore:
    """Key facts reproduced verbatim and whole (as the app counts them), doses/dates the case
    does not contain, fact precision."""
    expected = key_facts(case.data)
    found = len(expected) - len(missing_facts(case.data, letter))
    wrong, numbers = grounding.unsupported(case, letter)
    metrics = fact_metrics(case, letter)
    return LetterScore(
        case.case_id,
        len(expected),
        found,
        numbers,
        [f.text for f in wrong],
        metrics["facts"],
        metrics["supported_facts"],
        metrics["doses_dates_wrong_role"],
    )


def generate_letters(
    model_path: Path,
    cases: Sequence[Case],
    max_tokens: int = 1024,
    n_ctx: int = 2048,
    lora_path: Path | None = None,
) -> list[str]:
    """Greedy letters for the cases, drafted exactly as the app drafts them: its engine (worker
    process, the app's engine settings for threads and GPU offload), the model's chat template,
    fact slots filled from the case for a model that writes them. A case whose prompt leaves
    less than ``max_tokens`` of the context gets what is left (at least 256 tokens, as in the
    app)."""
    from letterdesk.core.engine.local import Engine
    from letterdesk.core.engine.types import DecodingOptions, engine_settings
    from letterdesk.core.foundation.settings import load_settings
    from letterdesk.core.generation.draft import write_letter

    settings = replace(
        engine_settings(load_settings()),
        backend="local", model_path=model_path, lora_path=lora_path, max_context=n_ctx,
    )  # fmt: skip
    with Engine(settings) as engine:
        options = DecodingOptions(max_tokens=max_tokens)
        return [write_letter(engine, case, options).text for case in cases]


class _Words:
    """rouge-score's default tokenizer drops every non-ASCII letter ("Müller" → "m ller");
    German letters need Unicode words."""

    def tokenize(self, text: str) -> list[str]:
        return re.findall(r"\w+", text.casefold())


ROUGE = ("rouge1", "rouge2", "rougeL")


def rouge_per_letter(letters: Sequence[str], references: Sequence[str]) -> list[dict[str, float]]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F-measure of each letter against its reference letter."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE), tokenizer=_Words())
    return [
        {name: score[name].fmeasure for name in ROUGE}
        for score in (scorer.score(ref, lt) for lt, ref in zip(letters, references, strict=True))
    ]


def rouge(letters: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures of letters against reference letters."""
    return mean_rouge(rouge_per_letter(letters, references))


def mean_rouge(scores: Sequence[dict[str, float]]) -> dict[str, float]:
    """The mean of each ROUGE F-measure over letters (:func:`rouge_per_letter`)."""
    return {
        name: round(sum(s[name] for s in scores) / len(scores), 4) if scores else 0.0
        for name in ROUGE
    }


# --- comparing two models on the same letters --------------------------------------------------

BOOTSTRAP_RESAMPLES = 9999
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Change:
    """The change (new − current) of one metric over the same letters, with its 95 % interval."""

    change: float
    """The change of the metric over all letters."""
    low: float
    """Lower end of the paired bootstrap 95 % interval."""
    high: float
    """Upper end of the interval."""
    letters: int
    """How many letters were compared."""

    def above(self, floor: float) -> bool:
        """Whether the whole interval lies above ``floor`` (e.g. −margin: not worse by more)."""
        return self.low > floor

    def as_dict(self) -> dict[str, float | int]:
        """The change for a JSON record, rounded."""
        return {
            "change": round(self.change, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "letters": self.letters,
            "confidence": CONFIDENCE,
        }


def paired_change(
    new: Sequence[float],
    current: Sequence[float],
    weights: Sequence[float] | None = None,
    *,
    seed: int = 0,
) -> Change:
    """The weighted mean of the per-letter changes ``new − current`` and its BCa bootstrap 95 %
    interval, the letters resampled with their pairs (:func:`scipy.stats.bootstrap`, seeded,
    so the same letters give the same interval). Weights: e.g. each letter's number of key
    facts, which makes the change one of key-fact recall over all facts."""
    import numpy as np
    from scipy.stats import bootstrap

    changes = np.asarray(new, dtype=float) - np.asarray(current, dtype=float)
    weight = np.ones_like(changes) if weights is None else np.asarray(weights, dtype=float)
    if len(changes) == 0 or weight.sum() <= 0:
        raise ValueError("no letters with weight to compare")

    def mean_change(d, w, axis=-1):
        return np.sum(d * w, axis=axis) / np.sum(w, axis=axis)

    point = float(mean_change(changes, weight))
    if np.ptp(changes) == 0:  # every letter changed alike: every resample gives the same
        return Change(point, point, point, len(changes))
    interval = bootstrap(
        (changes, weight),
        mean_change,
        paired=True,
        vectorized=True,
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=CONFIDENCE,
        method="BCa",
        random_state=np.random.default_rng(seed),  # `rng=` only from SciPy 1.15 on
    ).confidence_interval
    return Change(point, float(interval.low), float(interval.high), len(changes))


def evaluate_model(
    model_path: Path, cases: Sequence[Case], letters_out: Path | None = None
) -> Evaluation:
    """Generate and score a letter for each case; optionally keep the letters as JSONL."""
    letters = generate_letters(model_path, cases)
    if letters_out is not None:
        with letters_out.open("w", encoding="utf-8") as handle:
            for case, letter in zip(cases, letters, strict=True):
                handle.write(
                    json.dumps({"case_id": case.case_id, "letter": letter}, ensure_ascii=False)
                    + "\n"
                )
    return Evaluation([score_letter(c, lt) for c, lt in zip(cases, letters, strict=True)])
