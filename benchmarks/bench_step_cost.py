"""Benchmark: what one llama.cpp step costs by the number of tokens in it, late in a prompt —
what a checked guess of prompt lookup costs against a plain step (docs/speed.md, "Prompt lookup").

    .venv/bin/python benchmarks/bench_step_cost.py [--model GGUF] [--context 1200] [--flash-attn]

The model (default: the demo model) evaluates ``--context`` tokens; then, for each step size,
30 times a step of that many tokens at that place (the cache cut back to ``--context`` each
time); the median milliseconds per step and per token are printed as JSON lines.
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


def fill_context(llama: Any, context: int) -> None:
    """Evaluate ``context`` ordinary tokens, the place the steps are then timed at."""
    vocabulary = llama.n_vocab()
    llama.eval([1 + i % (vocabulary - 1) for i in range(context)])


def median_step_ms(llama: Any, context: int, size: int, runs: int = 30) -> float:
    """The median milliseconds of a step of ``size`` tokens right after ``context`` tokens
    (:func:`fill_context` first): the cache is cut back to ``context`` before each run."""
    vocabulary = llama.n_vocab()
    times = []
    for _ in range(runs):
        llama._ctx.kv_cache_seq_rm(-1, context, -1)
        llama.n_tokens = context
        started = time.perf_counter()
        llama.eval([1 + (7 * i) % (vocabulary - 1) for i in range(size)])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    import llama_cpp

    from letterdesk.core.foundation.paths import resource

    parser = argparse.ArgumentParser(prog="bench_step_cost.py")
    parser.add_argument("--model", type=Path, default=resource("models", "letterdesk-demo.gguf"))
    parser.add_argument("--context", type=int, default=1200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--flash-attn", action="store_true")
    args = parser.parse_args()
    llama = llama_cpp.Llama(
        model_path=str(args.model), n_ctx=2048, n_batch=512, n_threads=args.threads,
        n_threads_batch=args.threads, n_gpu_layers=0, seed=0, verbose=False,
        flash_attn=args.flash_attn,
    )  # fmt: skip
    fill_context(llama, args.context)
    for size in (1, 2, 4, 9, 16, 32, 64):
        step = median_step_ms(llama, args.context, size)
        print(json.dumps({"tokens": size, "ms_per_step": round(step, 3),
                          "ms_per_token": round(step / size, 3)}), flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
