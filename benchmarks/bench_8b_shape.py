"""What a CPU-only desk sees with an 8B model: the app's engine on a LLaMA-3-8B-shaped Q4_K_M
(``benchmarks/llama3_8b_shape.py``), measured in one run beside this machine's memory bandwidth.

    .venv/bin/python benchmarks/bench_8b_shape.py --model build/llama3-8b-shape/q4_k_m.gguf \
        --json build/llama3-8b-shape/bench.json [--threads 2] [--tokens 48]

Measured, in this order, all through LetterDesk's engine (its worker process, greedy):

- **memory read bandwidth**: ``--threads`` threads each summing its own half of a 1 GiB
  float32 array (numpy releases the GIL), best of 5 — what streaming the weights can reach;
- **load**: from starting the worker to the model ready (read in, one warm-up token), and the
  worker's resident memory then and after the letter (``/proc/PID/status``);
- **prompt**: a synthetic final report's prompt as the app builds it (the demo chat template),
  tokens per second to the first letter token;
- **decode**: ``--tokens`` tokens (end-of-turn suppressed), tokens per second after the first;
- **bound**: bandwidth ÷ bytes read per token (every weight once; of the embedding matrix only
  one row), and decode speed as a fraction of it;
- **a 600-token letter**: prompt time plus 600 tokens at the measured decode speed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GIB = 1 << 30
LETTER_TOKENS = 600


def bandwidth(threads: int) -> float:
    """Bytes per second that ``threads`` threads read from memory (best of 5)."""
    import numpy as np

    data = np.ones(GIB // 4, dtype=np.float32)
    parts = np.array_split(data, threads)
    best = 0.0
    for _ in range(5):
        started = time.perf_counter()
        workers = [threading.Thread(target=part.sum) for part in parts]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        best = max(best, data.nbytes / (time.perf_counter() - started))
    return best


def bytes_per_token(model: Path) -> int:
    """Bytes of weights read to produce one token: all of them, of token_embd one row."""
    from gguf import GGUFReader

    total = 0
    for tensor in GGUFReader(model).tensors:
        size = int(tensor.n_bytes)
        if tensor.name == "token_embd.weight":
            size //= int(tensor.shape[-1])  # rows of the vocabulary: one is read
        total += size
    return total


def resident_bytes(pid: int | None) -> int | None:
    """The process's resident memory (Linux), None where it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench_8b_shape.py")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--tokens", type=int, default=48)
    args = parser.parse_args()

    from letterdesk.core.cases.case import parse_case
    from letterdesk.core.engine.local import Engine
    from letterdesk.core.engine.types import DecodingOptions, EngineSettings, Finished, TextDelta
    from letterdesk.core.generation.prompts import build_prompt
    from letterdesk.core.models.gguf_header import read_header
    from letterdesk.core.synthetic.generator import generate_case

    read_bps = bandwidth(args.threads)
    per_token = bytes_per_token(args.model)
    demo_template = read_header(ROOT / "resources/models/letterdesk-demo.gguf").chat_template
    case = parse_case(json.dumps(generate_case(7, 0, language="de")), "synthetic case")
    prompt = build_prompt(case, demo_template)
    settings = EngineSettings(model_path=args.model, n_threads=args.threads, max_context=4096)
    with Engine(settings) as engine:
        started = time.perf_counter()
        engine.load()
        load_s = time.perf_counter() - started
        rss_loaded = resident_bytes(engine.worker_pid)
        options = DecodingOptions(max_tokens=args.tokens, ignore_eos=True, prompt_lookup=0)
        started = time.perf_counter()
        first = finished = None
        for chunk in engine.stream(prompt, options):
            if isinstance(chunk, TextDelta) and first is None:
                first = time.perf_counter()
            elif isinstance(chunk, Finished):
                finished = chunk
        ended = time.perf_counter()
        rss_after = resident_bytes(engine.worker_pid)
    assert finished is not None and first is not None
    timing = finished.timing
    prompt_s = first - started
    decode_tps = (timing.completion_tokens - 1) / (ended - first)
    bound_tps = read_bps / per_token
    results = {
        "model": str(args.model),
        "model_bytes": args.model.stat().st_size,
        "threads": args.threads,
        "memory_read_gb_per_s": read_bps / 1e9,
        "bytes_per_token": per_token,
        "load_s": load_s,
        "resident_bytes_loaded": rss_loaded,
        "resident_bytes_after_letter": rss_after,
        "prompt_tokens": timing.prompt_tokens,
        "prompt_tokens_per_s": timing.prompt_tokens / prompt_s,
        "decode_tokens": timing.completion_tokens,
        "decode_tokens_per_s": decode_tps,
        "bound_tokens_per_s": bound_tps,
        "decode_share_of_bound": decode_tps / bound_tps,
        "letter_600_tokens_s": prompt_s + LETTER_TOKENS / decode_tps,
    }
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
