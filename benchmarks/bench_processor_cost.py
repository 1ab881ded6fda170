"""Benchmark: what the fact-slot rules cost a letter — per step, and once per letter — beside a
step of the model itself, measured in one run.

A slot model's letter runs two logits processors at every token (``docs/fact-slots.md``):
:class:`letterdesk.core.engine.constrained.SlotConstraint` and
:class:`letterdesk.core.engine.lists.ListConstraint`, built per letter by the worker's own
:func:`letterdesk.core.engine.processors.letter_processors`. This replays the slotted
house-style letters of held-out synthetic cases (``generate_case(7_000_003, i)``) token by
token through both, with logits that make each letter token the model's choice, and times
them; then it times the model's own one-token step late in a prompt (``--context`` tokens, as
in ``bench_step_cost.py``). The processors are timed twice: at the model's vocabulary, and at
LLaMA-3's (128,256 tokens; the vocabulary's texts padded with empty tokens, so every pass over
the scores or the vocabulary is that long):

    .venv/bin/python benchmarks/bench_processor_cost.py [--model GGUF] [--cases 20]

Prints one JSON object: per vocabulary size, the microseconds per step (mean, median, 99th
percentile, and each rule's mean), the milliseconds to build both processors for a letter, and
the share of the model's step (``model_ms_per_step``) a step of the rules costs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LLAMA3_VOCABULARY = 128_256


def _letters(llama: Any, cases: int) -> list[tuple[dict[str, Any], list[int]]]:
    """(case, the token ids of its slotted style-A letter) for ``cases`` held-out cases."""
    from letterdesk.core.facts.slotting import slot_letter
    from letterdesk.core.synthetic.generator import generate_case
    from letterdesk.core.synthetic.letters import reference_letter

    letters = []
    for i in range(cases):
        case = generate_case(7_000_003, i)
        text = slot_letter(case, reference_letter(case, "A")).text
        letters.append((case, list(llama.tokenize(text.encode("utf-8"), add_bos=False))))
    return letters


def _replay(
    texts: list[str], tokenize: Any, letters: list[tuple[dict[str, Any], list[int]]]
) -> dict[str, float]:
    """Both processors over every letter, at a vocabulary of ``len(texts)`` tokens."""
    import numpy as np

    from letterdesk.core.engine.processors import letter_processors
    from letterdesk.core.facts.slots import key_slot_names, slot_names

    steps: list[float] = []
    each = [0.0, 0.0]  # seconds in SlotConstraint, in ListConstraint
    builds: list[float] = []
    noise = np.random.default_rng(0).standard_normal(len(texts)).astype(np.float32)
    for case, ids in letters:
        started = time.perf_counter()
        options = {"slot_names": slot_names(case), "key_slots": key_slot_names(case)}
        processors = letter_processors(options, lambda: texts, tokenize, frozenset())
        builds.append(time.perf_counter() - started)
        written = np.array([1], dtype=np.intc)  # the prompt, as far as the rules care
        for token in ids:
            scores = noise.copy()  # a copy per step, as llama.cpp hands over fresh logits
            scores[token] = 100.0  # the letter's token is the model's choice
            started = time.perf_counter()
            scores = processors[0](written, scores)
            between = time.perf_counter()
            scores = processors[1](written, scores)
            ended = time.perf_counter()
            steps.append(ended - started)
            each[0] += between - started
            each[1] += ended - between
            written = np.append(written, np.intc(token))
    ordered = sorted(steps)
    return {
        "vocabulary": len(texts),
        "steps": len(steps),
        "us_per_step_mean": round(statistics.mean(steps) * 1e6, 1),
        "us_per_step_median": round(statistics.median(steps) * 1e6, 1),
        "us_per_step_p99": round(ordered[int(0.99 * len(ordered))] * 1e6, 1),
        "us_per_step_slot_rule": round(each[0] / len(steps) * 1e6, 1),
        "us_per_step_list_rule": round(each[1] / len(steps) * 1e6, 1),
        "ms_to_build_per_letter": round(statistics.median(builds) * 1e3, 2),
    }


def _model_step_ms(llama: Any, context: int) -> float:
    """The median milliseconds of one token's step after ``context`` tokens."""
    vocabulary = llama.n_vocab()
    llama.eval([1 + i % (vocabulary - 1) for i in range(context)])
    times = []
    for i in range(30):
        llama._ctx.kv_cache_seq_rm(-1, context, -1)
        llama.n_tokens = context
        started = time.perf_counter()
        llama.eval([1 + (7 * i) % (vocabulary - 1)])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    import llama_cpp

    from letterdesk.core.engine.constrained import token_texts
    from letterdesk.core.foundation.paths import resource

    parser = argparse.ArgumentParser(prog="bench_processor_cost.py")
    parser.add_argument("--model", type=Path, default=resource("models", "letterdesk-demo.gguf"))
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--context", type=int, default=1100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    llama = llama_cpp.Llama(
        model_path=str(args.model), n_ctx=2048, n_batch=512, n_threads=args.threads,
        n_threads_batch=args.threads, n_gpu_layers=0, seed=0, verbose=False,
    )  # fmt: skip
    texts = token_texts(llama)

    def tokenize(text: str) -> list[int]:  # as the worker cuts a forced start
        return list(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    letters = _letters(llama, args.cases)
    rows = [_replay(texts, tokenize, letters)]
    if len(texts) < LLAMA3_VOCABULARY:
        rows.append(_replay(texts + [""] * (LLAMA3_VOCABULARY - len(texts)), tokenize, letters))
    step = _model_step_ms(llama, args.context)
    for row in rows:
        row["share_of_model_step"] = round(row["us_per_step_mean"] / 1000 / step, 4)
    result = {
        "model": args.model.name,
        "model_ms_per_step": round(step, 3),
        "context": args.context,
        "threads": args.threads,
        "processors": rows,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
