"""Benchmark: a model's resident memory on the CPU, its file mapped or read in.

    .venv/bin/python benchmarks/bench_mmap_resident.py --model build/llama3-8b-shape/q4_k_m.gguf

Each way (``use_mmap`` on, as llama.cpp does by default; off, as LetterDesk's worker loads a
model on the CPU) ``--repeat`` times, each in a fresh process: ``llama_cpp.Llama`` with
``--threads`` threads loads the model; its resident memory (``/proc/self/status``: all,
anonymous, file-backed), the load time and the decode speed of 8 single tokens after an
8-token prompt are printed as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def _resident_mb() -> dict[str, int]:
    keys = ("VmRSS", "RssAnon", "RssFile")
    found = {}
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition(":")
        if name in keys:
            found[name] = int(value.split()[0]) // 1024
    return found


def one(model: str, mmap: bool, threads: int) -> dict[str, object]:
    import llama_cpp

    started = time.perf_counter()
    llama = llama_cpp.Llama(
        model_path=model, n_ctx=2048, n_batch=512, n_threads=threads, n_threads_batch=threads,
        n_gpu_layers=0, use_mmap=mmap, seed=0, verbose=False,
    )  # fmt: skip
    load_s = time.perf_counter() - started
    resident = _resident_mb()
    llama.eval(list(range(1, 9)))
    started = time.perf_counter()
    for token in range(100, 108):
        llama.eval([token])
    return {
        "use_mmap": mmap,
        "load_s": round(load_s, 1),
        "resident_mb": resident,
        "decode_tokens_per_s": round(8 / (time.perf_counter() - started), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench_mmap_resident.py")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--one", choices=("mmap", "read"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(str(args.model), args.one == "mmap", args.threads)), flush=True)
        return 0
    for _ in range(args.repeat):
        for way in ("mmap", "read"):
            subprocess.run(
                [sys.executable, __file__, "--model", str(args.model), "--threads",
                 str(args.threads), "--one", way],
                check=True,
            )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
