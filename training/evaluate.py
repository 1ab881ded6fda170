"""Evaluating a GGUF model on held-out cases: greedy letters from llama.cpp, then key-fact
recall, the share of doses and dates that the case does not support, and fact precision
(the share of all facts found in the letters that the case supports,
:func:`letterdesk.core.grounding.fact_metrics`).

The prompt is built exactly as the app builds it, with the chat template stored in the
model file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from letterdesk.core import facts
from letterdesk.core.cases import Case
from letterdesk.core.grounding import fact_metrics
from letterdesk.core.key_facts import key_facts
from letterdesk.core.prompts import build_prompt


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
        return {
            "cases": len(self.letters),
            "key_fact_recall": round(found / total, 4) if total else 0.0,
            "unsupported_rate": round(bad / numbers, 4) if numbers else 0.0,
            "doses_and_dates": numbers,
            "fact_precision": round(supported / facts, 4) if facts else 0.0,
            "facts": facts,
        }


def score_letter(case: Case, letter: str) -> LetterScore:
    """Key facts reproduced exactly, doses/dates the case does not contain, fact precision."""
    expected = key_facts(case.data)
    found = sum(1 for fact in expected if fact.value in letter)
    wrong, numbers = facts.unsupported(case, letter)
    metrics = fact_metrics(case, letter)
    return LetterScore(
        case.case_id,
        len(expected),
        found,
        numbers,
        [f.text for f in wrong],
        metrics["facts"],
        metrics["supported_facts"],
    )


def generate_letters(
    model_path: Path,
    cases: Sequence[Case],
    max_tokens: int = 1024,
    n_ctx: int = 2048,
    lora_path: Path | None = None,
) -> list[str]:
    """Greedy letters for the cases, drafted by llama.cpp with the model's chat template
    (and a GGUF LoRA adapter on top, if given)."""
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(model_path),
        lora_path=str(lora_path) if lora_path else None,
        n_ctx=n_ctx,
        n_threads=2,
        verbose=False,
        seed=0,
    )
    try:
        template = llm.metadata.get("tokenizer.chat_template")
        letters = []
        for case in cases:
            prompt = build_prompt(case, template)
            tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
            budget = min(max_tokens, n_ctx - len(tokens))
            out = llm.create_completion(
                tokens, max_tokens=budget, temperature=0.0, top_k=1, repeat_penalty=1.0
            )
            letters.append(out["choices"][0]["text"])
        return letters
    finally:
        llm.close()


class _Words:
    """rouge-score's default tokenizer drops every non-ASCII letter ("Müller" → "m ller");
    German letters need Unicode words."""

    def tokenize(self, text: str) -> list[str]:
        return re.findall(r"\w+", text.casefold())


def rouge(letters: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures of letters against reference letters."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=_Words())
    scores = [scorer.score(ref, letter) for letter, ref in zip(letters, references, strict=True)]
    return {
        name: round(sum(s[name].fmeasure for s in scores) / len(scores), 4) if scores else 0.0
        for name in ("rouge1", "rouge2", "rougeL")
    }


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
