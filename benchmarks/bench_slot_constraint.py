"""Constrained slot names two ways, side by side: LetterDesk's logits processor
(:class:`letterdesk.core.engine.constrained.SlotConstraint`) and a llama.cpp grammar (GBNF) that
allows the same slot names, against unconstrained decoding, on one slot-writing model.

    .venv/bin/python benchmarks/bench_slot_constraint.py --cases 20

Per mode: tokens per second over all letters (prompt included, as a user waits for it), and how
many letters came out identical to the processor's (both constrain the same thing, so a
difference means one of them constrains something else). The cases are held-out generator
cases (``generate_case(7_000_003, i)``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from letterdesk.core.cases.case import Case  # noqa: E402
from letterdesk.core.engine.constrained import SlotConstraint, token_texts  # noqa: E402
from letterdesk.core.facts.slots import slot_names  # noqa: E402
from letterdesk.core.generation.prompts import build_prompt  # noqa: E402
from letterdesk.core.synthetic.generator import generate_case  # noqa: E402

MODES = ("free", "processor", "grammar")


def grammar_text(names: tuple[str, ...]) -> str:
    """A GBNF grammar: any text in which every ``[[`` opens one of ``names``."""
    alternatives = " | ".join(json.dumps(name) for name in sorted(names))
    return (
        'root ::= (plain | "[" plain | slot)*\n'
        "plain ::= [^[]\n"
        'slot ::= "[[" name "]]"\n'
        f"name ::= {alternatives}\n"
    )


def draft(llm: Any, case: Case, mode: str, texts: list[str], max_tokens: int) -> dict:
    """One greedy letter in ``mode`` and how long it took."""
    from llama_cpp import LlamaGrammar, LogitsProcessorList

    prompt = build_prompt(case, llm.metadata.get("tokenizer.chat_template"))
    tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
    names = slot_names(case.data)
    processor = None
    grammar = None
    if mode == "processor":
        processor = LogitsProcessorList([SlotConstraint(texts, names)])
    elif mode == "grammar":
        grammar = LlamaGrammar.from_string(grammar_text(names), verbose=False)
    started = time.perf_counter()
    out = llm.create_completion(
        tokens, max_tokens=max_tokens, temperature=0.0, top_k=1, repeat_penalty=1.0,
        logits_processor=processor, grammar=grammar,
    )  # fmt: skip
    return {
        "text": out["choices"][0]["text"],
        "tokens": out["usage"]["completion_tokens"],
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, default=ROOT / "resources/models/letterdesk-demo.gguf"
    )
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=1024)
    args = parser.parse_args(argv)

    from llama_cpp import Llama

    llm = Llama(model_path=str(args.model), n_ctx=3072, n_threads=args.threads,
                n_threads_batch=args.threads, verbose=False, seed=0)  # fmt: skip
    texts = token_texts(llm)
    rows: dict[str, list[dict]] = {mode: [] for mode in MODES}
    try:
        for index in range(args.cases):
            case = Case(generate_case(7_000_003, index))
            for mode in MODES:  # side by side, so all see the same machine load
                rows[mode].append(draft(llm, case, mode, texts, args.max_tokens))
            print(f"{index + 1}/{args.cases}", file=sys.stderr, flush=True)
    finally:
        llm.close()
    summary = {
        mode: {
            "tokens_per_s": round(
                sum(r["tokens"] for r in rows[mode]) / sum(r["seconds"] for r in rows[mode]), 1
            ),
            "same_as_processor": sum(
                a["text"] == b["text"] for a, b in zip(rows[mode], rows["processor"], strict=True)
            ),
        }
        for mode in MODES
    }
    print(json.dumps({"model": str(args.model), "cases": args.cases, **summary}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
