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
    """Greedy generate() of exactly --tokens tokens from the prompt ids on stdin; JSON on stdout."""
    parser = argparse.ArgumentParser(prog="bench_engine.py transformers")
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--tokens", type=int, required=True)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    prompt_ids = json.loads(sys.stdin.read())

    import torch
    from transformers import AutoModelForCausalLM
    from transformers.generation.streamers import BaseStreamer

    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = AutoModelForCausalLM.from_pretrained(args.checkpoint, dtype=torch.float32).to(device)
    model.eval()

    class FirstToken(BaseStreamer):
        """Notes when the first generated token arrives (the prompt comes through put() first)."""

        def __init__(self) -> None:
            self.calls, self.first = 0, None

        def put(self, value: object) -> None:
            self.calls += 1
            if self.calls == 2 and self.first is None:
                self.first = time.perf_counter()

        def end(self) -> None:
            pass

    streamer = FirstToken()
    input_ids = torch.tensor([prompt_ids], device=device)
    started = time.perf_counter()
    with torch.no_grad():
        output = model.generate(
            input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=args.tokens,
            min_new_tokens=args.tokens,
            do_sample=False,
            streamer=streamer,
            pad_token_id=model.config.pad_token_id or model.config.eos_token_id,
        )
    ended = time.perf_counter()
    generated = output.shape[1] - input_ids.shape[1]
    print(
        json.dumps(
            {
                "tokens_per_s": generated / (ended - started),
                "ttft_s": (streamer.first or ended) - started,
                "completion_tokens": generated,
                "device": device,
            }
        )
    )
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["transformers"]:
        return transformers_main(argv[1:])
    from letterdesk.cli import main as letterdesk

    return letterdesk(["bench", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
