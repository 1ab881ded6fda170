"""Benchmark: which of a portable llama.cpp build's CPU variants this processor gets, whether it
writes, and how fast — for IT, before a bundle goes to a new kind of machine (docs/installers.md):

    packaging/build_llama_cpu.sh /tmp/llama-cpu
    .venv/bin/pip install --no-deps --target /tmp/llama-portable /tmp/llama-cpu/*.whl
    .venv/bin/python benchmarks/bench_cpu_variants.py --portable /tmp/llama-portable \\
        [--model GGUF] [--variants bundle all haswell zen4 ...] [--prompt 64] [--tokens 8]

Each run is a process of its own in a folder holding only the chosen CPU modules (ggml loads
the best of the modules beside it): ``all`` — every variant of the wheel, as ggml would choose
on its own; ``bundle`` — every variant but those ``packaging/letterdesk.spec`` leaves out, as
the shipped bundle chooses; a variant's name — that variant alone. Per run one JSON line: the
module ggml loaded, load seconds, prompt tokens/s (``--prompt`` tokens in one step), decode
tokens/s (``--tokens`` single-token steps), or how the process died (a signal such as SIGILL).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "letterdesk.spec"

RUN = """
import sys, time
import llama_cpp
started = time.perf_counter()
llama = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=1024, n_threads=2, n_threads_batch=2,
                        use_mmap=False, verbose=True)
load = time.perf_counter() - started
prompt = [100 + i % 900 for i in range(int(sys.argv[2]))]
started = time.perf_counter()
llama.eval(prompt)
prompt_s = time.perf_counter() - started
tokens = int(sys.argv[3])
started = time.perf_counter()
for i in range(tokens):
    llama.eval([1000 + i])
decode_s = time.perf_counter() - started
print("RESULT", load, len(prompt) / prompt_s, tokens / decode_s, flush=True)
"""


def left_out_variants() -> tuple[str, ...]:
    """The module names the bundle leaves out, as the spec lists them."""
    found = re.search(r"LEFT_OUT_VARIANTS = \(([^)]*)\)", SPEC.read_text(encoding="utf-8"))
    return tuple(re.findall(r'"([^"]+)"', found.group(1))) if found else ()


def run(portable: Path, modules: list[Path], model: Path, prompt: int, tokens: int) -> dict:
    """One process in a folder holding only ``modules``; what it loaded and measured."""
    with tempfile.TemporaryDirectory(prefix="letterdesk-variants-") as folder:
        for module in modules:
            os.symlink(module, Path(folder) / module.name)
        done = subprocess.run(
            [sys.executable, "-c", RUN, str(model), str(prompt), str(tokens)],
            cwd=folder, capture_output=True, text=True, check=False,
            env={**os.environ, "PYTHONPATH": str(portable)},
        )  # fmt: skip
    output = done.stdout + done.stderr
    loaded = re.search(r"loaded CPU backend from (\S+)", output)
    figures: dict = {"loaded": Path(loaded.group(1)).name if loaded else None}
    if done.returncode < 0:
        figures["died"] = signal.Signals(-done.returncode).name
    elif done.returncode != 0:
        figures["failed"] = (output.strip().splitlines() or ["no output"])[-1]
    result = re.search(r"RESULT (\S+) (\S+) (\S+)", output)
    if result:
        load, prompt_rate, decode_rate = (float(x) for x in result.groups())
        figures.update(load_s=round(load, 2), prompt_tokens_per_s=round(prompt_rate, 2),
                       decode_tokens_per_s=round(decode_rate, 2))  # fmt: skip
    return figures


def main() -> int:
    from letterdesk.core.foundation.paths import resource

    parser = argparse.ArgumentParser(prog="bench_cpu_variants.py")
    parser.add_argument("--portable", type=Path, required=True,
                        help="where the portable wheel was installed (pip --target)")  # fmt: skip
    parser.add_argument("--model", type=Path, default=resource("models", "letterdesk-demo.gguf"))
    parser.add_argument("--variants", nargs="+", default=["all", "bundle"])
    parser.add_argument("--prompt", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=8)
    args = parser.parse_args()
    lib = args.portable / "llama_cpp" / "lib"
    modules = sorted(p for p in lib.glob("*ggml-cpu-*") if not p.is_symlink())
    if not modules:
        parser.error(f"{lib} holds no ggml-cpu-* modules: not a portable build")
    left_out = left_out_variants()
    for variant in args.variants:
        if variant == "all":
            chosen = modules
        elif variant == "bundle":
            chosen = [m for m in modules if not any(name in m.name for name in left_out)]
        else:
            chosen = [m for m in modules if m.name.split(".")[0].endswith(f"-{variant}")]
            if not chosen:
                parser.error(f"no module for the variant {variant!r} in {lib}")
        figures = run(
            args.portable.resolve(), chosen, args.model.resolve(), args.prompt, args.tokens
        )
        print(json.dumps({"variants": variant, **figures}), flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
