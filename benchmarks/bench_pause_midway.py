"""Benchmark: how fast a pause takes the CPU back from a letter being written ahead, with and
without llama.cpp stopping a step midway (``worker.STOP_MIDWAY_AFTER_S``).

    .venv/bin/python benchmarks/bench_pause_midway.py --model build/llama3-8b-shape/q4_k_m.gguf

For each way (``off``: steps only end whole; ``on``: the worker's rule, which installs the
abort check on a model whose warm-up token takes over 20 ms) a fresh LetterDesk worker, in
this process, loads the model and starts a synthetic final report; ``--after`` seconds in,
while the prompt is being evaluated, the letter is paused; the process's CPU time in the
next 100 ms and in the second after that is measured (``time.process_time``, all threads),
then the letter is cancelled. Printed as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(model: Path, midway: bool, after: float, threads: int) -> dict[str, object]:
    from letterdesk.commands.bench_speedups import synthetic_cases
    from letterdesk.core.engine import worker
    from letterdesk.core.engine.protocol import Generate, Load
    from letterdesk.core.engine.types import DecodingOptions
    from letterdesk.core.generation.draft import case_options
    from letterdesk.core.generation.prompts import build_prompt

    rule = worker.STOP_MIDWAY_AFTER_S
    worker.STOP_MIDWAY_AFTER_S = rule if midway else float("inf")
    pause, cancel = threading.Event(), threading.Event()
    ahead = worker._Worker(lambda reply: None, cancel, pause)
    try:
        ahead.load(Load("model", str(model), None, 2048, 512, threads, 0, None, None, None))
    finally:
        worker.STOP_MIDWAY_AFTER_S = rule
    case = synthetic_cases(7, 1, "de", "final_report")[0]
    prompt = build_prompt(case, ahead.llama.metadata.get("tokenizer.chat_template"))
    options = asdict(case_options(case, DecodingOptions(max_tokens=4)))
    installed = ahead._abort_check is not None
    result: dict[str, object] = {"midway": midway, "check_installed": installed}

    def pause_then_cancel() -> None:
        time.sleep(after)
        pause.set()
        start = time.process_time()
        time.sleep(0.1)
        first = time.process_time()
        time.sleep(1.0)
        result["cpu_s_100ms_after_pause"] = round(first - start, 3)
        result["cpu_s_next_second"] = round(time.process_time() - first, 3)
        cancel.set()
        pause.clear()

    typing = threading.Thread(target=pause_then_cancel)
    typing.start()
    started = time.perf_counter()
    ahead.generate(Generate(1, prompt, options))
    result["letter_ended_after_s"] = round(time.perf_counter() - started, 2)
    typing.join()
    result["steps_stopped_midway"] = ahead.stopped_midway
    ahead.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench_pause_midway.py")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--after", type=float, default=3.0, help="seconds before the pause")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    for midway in (False, True):
        print(json.dumps(measure(args.model, midway, args.after, args.threads)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
