"""Benchmark: how the time to evaluate a prompt grows with its length, in llama.cpp (with and
without its flash attention) and in transformers, side by side in one run — where the raw
llama.cpp / transformers ratio of ``letterdesk bench`` loses to the prompt (docs/speed.md, "raw
llama.cpp ÷ transformers on the 58M model").

    .venv/bin/python benchmarks/scaled_model.py --out build/scaled
    .venv/bin/python benchmarks/bench_prompt_length.py --model build/scaled/q8_0.gguf \
        --hf-checkpoint build/scaled/hf --threads 2

Each length is the start of one sequence: the start token, then the demo prompts of held-out
cases (``generate_case(7_000_003, i)``) one after another, as the engine tokenizes a prompt;
each is evaluated ``--repeat`` times from an empty cache and the fastest time counts (the
others are the machine's noise). llama.cpp runs in a process of its own with ``n_batch`` 512
(the bench's setting), transformers in this one with float32 weights, its default attention
(SDPA) and only the last token's logits, as ``generate`` evaluates a prompt. Prints one JSON
object: per length, the seconds and tokens/s of each, and transformers' time ÷ llama.cpp's.

Needs the ``train`` extra (torch, transformers).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _prompt_ids(llama: Any, count: int) -> list[int]:
    """The start token and the first ``count`` tokens of the demo prompts of held-out cases
    one after another, tokenized as the engine tokenizes a prompt."""
    from letterdesk.core.synthetic.generator import generate_case
    from training.demo_data import demo_chat_template, letter_pair

    template = demo_chat_template()
    ids: list[int] = [llama.token_bos()]
    case = 0
    while len(ids) <= count:
        prompt, _ = letter_pair(generate_case(7_000_003, case), template, fact_slots=True)
        ids += llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        case += 1
    return ids[: count + 1]


def _llama_cpp(
    model: str, lengths: list[int], repeat: int, threads: int, flash: bool
) -> tuple[dict[int, float], list[int]]:
    """The fastest of ``repeat`` evaluations of each length, in seconds; the token ids."""
    import llama_cpp

    llama = llama_cpp.Llama(
        model_path=model, n_ctx=max(lengths) + 64, n_batch=512, n_threads=threads,
        n_threads_batch=threads, n_gpu_layers=0, flash_attn=flash, seed=0, verbose=False,
    )  # fmt: skip
    try:
        ids = _prompt_ids(llama, max(lengths))
        llama.eval(ids[:1])  # as the bench warms up
        best = {}
        for length in lengths:
            times = []
            for _ in range(repeat):
                llama.reset()
                started = time.perf_counter()
                llama.eval(ids[:length])
                times.append(time.perf_counter() - started)
            best[length] = min(times)
        return best, ids
    finally:
        llama.close()


def _transformers(
    checkpoint: Path, ids: list[int], lengths: list[int], repeat: int, threads: int
) -> dict[int, float]:
    """The fastest of ``repeat`` evaluations of each length, in seconds."""
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(threads)
    model = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32).eval()
    if max(ids) >= model.config.vocab_size:
        raise SystemExit("the checkpoint's vocabulary is not the GGUF's")
    tokens = torch.tensor([ids])
    best = {}
    with torch.inference_mode():
        model(tokens[:, :16], logits_to_keep=1)  # warm-up
        for length in lengths:
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                model(tokens[:, :length], logits_to_keep=1)
                times.append(time.perf_counter() - started)
            best[length] = min(times)
    return best


def _own_process(function: Any, *args: Any) -> Any:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench_prompt_length.py")
    parser.add_argument("--model", type=Path, required=True, help="GGUF")
    parser.add_argument("--hf-checkpoint", type=Path, required=True, help="the same weights")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lengths", default="128,256,512,1024,1130")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lengths = [int(n) for n in args.lengths.split(",")]
    plain, ids = _own_process(
        _llama_cpp, str(args.model), lengths, args.repeat, args.threads, False
    )
    flash, _ = _own_process(_llama_cpp, str(args.model), lengths, args.repeat, args.threads, True)
    hf = _transformers(args.hf_checkpoint, ids, lengths, args.repeat, args.threads)
    rows = [
        {
            "tokens": n,
            "llama_cpp_s": round(plain[n], 3),
            "llama_cpp_flash_attn_s": round(flash[n], 3),
            "transformers_s": round(hf[n], 3),
            "llama_cpp_tokens_per_s": round(n / plain[n]),
            "llama_cpp_flash_attn_tokens_per_s": round(n / flash[n]),
            "transformers_tokens_per_s": round(n / hf[n]),
            "transformers_vs_llama_cpp": round(hf[n] / plain[n], 3),
        }
        for n in lengths
    ]
    print(
        json.dumps({"model": args.model.name, "threads": args.threads, "lengths": rows}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
