"""Benchmark: what the fact-slot rules cost a letter — per step, and once per letter — beside a
step of the model itself, measured in one run.

A slot model's letter runs two logits processors at every token (``docs/fact-slots.md``):
:class:`letterdesk.core.engine.constrained.SlotConstraint` and
:class:`letterdesk.core.engine.lists.ListConstraint`, built per letter by the worker's own
:func:`letterdesk.core.engine.processors.letter_processors`. This replays the demo model's
training pairs of held-out synthetic cases (``generate_case(7_000_003, i)``: the prompt, then
the slotted house-style letter) token by token through both, with logits that make each
letter token the model's choice, and times them; then it times the model's own one-token step
late in a prompt (``--context`` tokens, as in ``bench_step_cost.py``).

``--vocab`` replays the same letters once more in another tokenizer: LLaMA-3's 128,256
tokens, as llama.cpp ships them in its test vocabularies (a GGUF of the vocabulary alone),
from the llama-cpp-python source the Makefile builds:

    pip download --no-deps --no-binary :all: -d build/sdist llama-cpp-python==0.3.36
    tar -xzf build/sdist/llama_cpp_python-0.3.36.tar.gz -C build --strip-components=4 \
        llama_cpp_python-0.3.36/vendor/llama.cpp/models/ggml-vocab-llama-bpe.gguf
    .venv/bin/python benchmarks/bench_processor_cost.py [--model GGUF] [--cases 20] \
        --vocab build/ggml-vocab-llama-bpe.gguf

Prints one JSON object: per tokenizer, the microseconds per step (mean, median, 99th
percentile, and each rule's mean), the milliseconds to build both processors for a letter and
to index the vocabulary for them once per model (``Vocabulary``); for the model's own
tokenizer also the share of the model's step (``model_ms_per_step``) a step of the rules costs.
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

Letter = tuple[dict[str, Any], list[int], list[int]]
"""The decoding options of a case, its prompt's and its letter's token ids."""


class _Tokenizer:
    """A loaded llama.cpp vocabulary: its token texts, and text cut as the worker cuts it."""

    def __init__(self, llama: Any) -> None:
        from letterdesk.core.engine.constrained import Vocabulary, token_texts

        self.llama = llama
        texts = token_texts(llama)
        started = time.perf_counter()
        self.vocabulary = Vocabulary(texts)  # as the worker keeps it, once per model
        self.index_ms = (time.perf_counter() - started) * 1000

    def ids(self, text: str) -> list[int]:
        return list(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))


def _letters(tokenizer: _Tokenizer, cases: int) -> list[Letter]:
    from letterdesk.core.facts.slots import key_slot_names, slot_names
    from letterdesk.core.synthetic.generator import generate_case
    from training.demo_data import demo_chat_template, letter_pair

    template = demo_chat_template()
    letters = []
    for i in range(cases):
        case = generate_case(7_000_003, i)
        prompt, letter = letter_pair(case, template, fact_slots=True)
        options = {"slot_names": slot_names(case), "key_slots": key_slot_names(case)}
        letters.append((options, tokenizer.ids(prompt), tokenizer.ids(letter)))
    return letters


def _replay(tokenizer: _Tokenizer, letters: list[Letter]) -> dict[str, Any]:
    """Both processors over every letter after its prompt."""
    import numpy as np

    from letterdesk.core.engine.processors import letter_processors

    texts = tokenizer.vocabulary.texts
    steps: list[float] = []
    each = [0.0, 0.0]  # seconds in SlotConstraint, in ListConstraint
    builds: list[float] = []
    noise = np.random.default_rng(0).standard_normal(len(texts)).astype(np.float32)
    for options, prompt, ids in letters:
        started = time.perf_counter()
        processors = letter_processors(
            options, lambda: tokenizer.vocabulary, tokenizer.ids, frozenset()
        )
        builds.append(time.perf_counter() - started)
        written = np.array(prompt, dtype=np.intc)
        for token in ids:
            scores = noise.copy()  # fresh logits at every step
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
        "ms_to_index_vocabulary_once": round(tokenizer.index_ms, 1),
    }


def main() -> int:
    import llama_cpp
    from bench_step_cost import fill_context, median_step_ms  # beside this script

    from letterdesk.core.foundation.paths import resource

    parser = argparse.ArgumentParser(prog="bench_processor_cost.py")
    parser.add_argument("--model", type=Path, default=resource("models", "letterdesk-demo.gguf"))
    parser.add_argument("--vocab", type=Path, help="a vocabulary-only GGUF to replay in too")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--context", type=int, default=1100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    llama = llama_cpp.Llama(
        model_path=str(args.model), n_ctx=2048, n_batch=512, n_threads=args.threads,
        n_threads_batch=args.threads, n_gpu_layers=0, seed=0, verbose=False,
    )  # fmt: skip
    own = _Tokenizer(llama)
    row = {"tokenizer": args.model.name, **_replay(own, _letters(own, args.cases))}
    fill_context(llama, args.context)
    step = median_step_ms(llama, args.context, 1)
    row["share_of_model_step"] = round(row["us_per_step_mean"] / 1000 / step, 4)
    rows = [row]
    if args.vocab:
        other = _Tokenizer(
            llama_cpp.Llama(model_path=str(args.vocab), vocab_only=True, verbose=False)
        )
        rows.append({"tokenizer": args.vocab.name, **_replay(other, _letters(other, args.cases))})
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
