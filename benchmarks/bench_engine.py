"""Benchmark: tokens/s of llama.cpp, LetterDesk's engine and transformers, and KV-cache reuse.

Run: .venv/bin/python benchmarks/bench_engine.py [--model GGUF] [--hf-checkpoint DIR] --json FILE
This forwards to ``letterdesk bench`` (see letterdesk/commands/bench.py), which measures all
paths side by side in one run. ``letterdesk bench`` in turn runs this file as
``bench_engine.py transformers …`` for path (c): transformers may be imported here, in a
process of its own, never in the app.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def transformers_main(argv: list[str]) -> int:
    """Greedy generate() of exactly --tokens tokens from prompt ids on stdin; JSON on stdout.

    As llama.cpp in ``letterdesk bench``: the same CPU threads, the same prompts' tokens (a
    JSON list of token lists, used in turn), warmed up by one untimed call, timed --repeat
    times; float32, the checkpoint's own precision. Then the prompt alone, --repeat times
    (``prompt_runs_s``), so that a run can be split into its prompt and its decoding.
    """
    parser = argparse.ArgumentParser(prog="bench_engine.py transformers")
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--tokens", type=int, required=True)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    prompts = json.loads(sys.stdin.read())

    import torch
    from transformers import AutoModelForCausalLM

    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = AutoModelForCausalLM.from_pretrained(args.checkpoint, dtype=torch.float32).to(device)
    model.eval()
    inputs = [torch.tensor([ids], device=device) for ids in prompts]

    def generate(input_ids: torch.Tensor, tokens: int) -> int:
        with torch.no_grad():
            output = model.generate(
                input_ids,
                attention_mask=torch.ones_like(input_ids),
                max_new_tokens=tokens,
                min_new_tokens=tokens,
                do_sample=False,
                pad_token_id=model.config.pad_token_id or model.config.eos_token_id,
            )
        return int(output.shape[1] - input_ids.shape[1])

    generate(inputs[-1], 8)  # the first call sets up kernels and caches: a warm-up, untimed
    runs, generated = [], 0
    for i in range(args.repeat):
        started = time.perf_counter()
        generated = generate(inputs[i % len(inputs)], args.tokens)
        runs.append(generated / (time.perf_counter() - started))
    prompt_runs = []  # the prompt alone: the forward pass generate() starts each run with
    for i in range(args.repeat):
        started = time.perf_counter()
        with torch.no_grad():
            model(inputs[i % len(inputs)], use_cache=True, logits_to_keep=1)  # as generate()
        if device == "cuda":
            torch.cuda.synchronize()
        prompt_runs.append(time.perf_counter() - started)
    print(json.dumps({
        "runs": runs, "prompt_runs_s": prompt_runs, "completion_tokens": generated,
        "device": device,
    }))  # fmt: skip
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["transformers"]:
        return transformers_main(argv[1:])
    from letterdesk.cli import main as letterdesk

    return letterdesk(["bench", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
