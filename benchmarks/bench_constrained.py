"""Does keeping the model's numbers to the case's numbers make letters more faithful?

Drafts a greedy letter for each held-out synthetic case twice with llama.cpp, side by side in
one run: plainly, and with :class:`letterdesk.core.engine.constrained.NumberConstraint` as a logits
processor. Reports fact precision, key-fact recall (in any notation, and verbatim), the doses
and dates the case does not support, the unsupported facts by kind, and the speed of each.

    .venv/bin/python benchmarks/bench_constrained.py --model resources/models/letterdesk-demo.gguf \
        --cases 50 --json build/bench-constrained.json

The held-out cases are ``generate_case(7_000_003, i)``, which the demo model never saw.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from letterdesk.core.cases.case import Case  # noqa: E402
from letterdesk.core.engine.constrained import NumberConstraint, token_texts  # noqa: E402
from letterdesk.core.facts.grounding import check, fact_metrics, unsupported  # noqa: E402
from letterdesk.core.facts.key_facts import fact_recall  # noqa: E402
from letterdesk.core.generation.prompts import build_prompt, case_numbers  # noqa: E402
from letterdesk.core.synthetic.generator import generate_case  # noqa: E402

HELDOUT_SEED = 7_000_003
MODES = ("plain", "constrained")


def draft(llm: Any, case: Case, constrained: bool, texts: list[str], max_tokens: int) -> dict:
    """One greedy letter, with or without the number constraint, and how long it took."""
    from llama_cpp import LogitsProcessorList

    prompt = build_prompt(case, llm.metadata.get("tokenizer.chat_template"))
    tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
    constraint = NumberConstraint(texts, case_numbers(case)) if constrained else None
    started = time.perf_counter()
    out = llm.create_completion(
        tokens,
        max_tokens=min(max_tokens, llm.n_ctx() - len(tokens)),
        temperature=0.0,
        top_k=1,
        repeat_penalty=1.0,
        logits_processor=LogitsProcessorList([constraint]) if constraint else None,
    )
    seconds = time.perf_counter() - started
    return {
        "text": out["choices"][0]["text"],
        "tokens": out["usage"]["completion_tokens"],
        "seconds": seconds,
        "constrained_steps": constraint.steps if constraint else 0,
    }


def score(case: Case, letter: str) -> dict:
    """Fact precision and recall, verbatim recall, unsupported doses/dates, wrong kinds."""
    metrics = fact_metrics(case, letter)
    wrong, numbers = unsupported(case, letter)
    metrics |= {
        "verbatim_recall": fact_recall(case.data, letter),
        "doses_and_dates": numbers,
        "doses_and_dates_unsupported": len(wrong),
        "unsupported_kinds": dict(Counter(u.kind for u in check(case, letter).unsupported)),
    }
    return metrics


def summarise(rows: list[dict]) -> dict:
    """Micro-averaged figures over all letters of one mode."""

    def total(key: str) -> int:
        return sum(r[key] for r in rows)

    kinds: Counter[str] = Counter()
    for r in rows:
        kinds.update(r["unsupported_kinds"])
    seconds, tokens = total("seconds"), total("tokens")
    return {
        "letters": len(rows),
        "facts": total("facts"),
        "fact_precision": total("supported_facts") / max(1, total("facts")),
        "key_fact_recall": total("key_facts_present") / max(1, total("key_facts")),
        "verbatim_recall": sum(r["verbatim_recall"] for r in rows) / max(1, len(rows)),
        "doses_and_dates_unsupported_rate": total("doses_and_dates_unsupported")
        / max(1, total("doses_and_dates")),
        "unsupported_by_kind": dict(kinds.most_common()),
        "tokens_per_s": tokens / seconds if seconds else 0.0,
        "constrained_steps": total("constrained_steps"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, default=ROOT / "resources/models/letterdesk-demo.gguf"
    )
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--seed", type=int, default=HELDOUT_SEED)
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write every letter and score here")
    args = parser.parse_args(argv)

    from llama_cpp import Llama

    llm = Llama(
        model_path=str(args.model),
        n_ctx=args.n_ctx,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        verbose=False,
        seed=0,
    )
    texts = token_texts(llm)
    rows: dict[str, list[dict]] = {mode: [] for mode in MODES}
    try:
        for index in range(args.cases):
            case = Case(generate_case(args.seed, index))
            for mode in MODES:  # side by side, so both see the same machine load
                letter = draft(llm, case, mode == "constrained", texts, args.max_tokens)
                rows[mode].append(
                    {"case_id": case.case_id, **letter, **score(case, letter["text"])}
                )
            print(f"{index + 1}/{args.cases}", file=sys.stderr, flush=True)
    finally:
        llm.close()
    summary = {mode: summarise(rows[mode]) for mode in MODES}
    summary["letters_that_differ"] = sum(
        a["text"] != b["text"] for a, b in zip(rows["plain"], rows["constrained"], strict=True)
    )
    print(json.dumps({"model": str(args.model), "cases": args.cases, **summary}, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"summary": summary, "letters": rows}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
