"""Benchmark: the first letter after a start, with and without the saved prompt prefix — the
``restart_*`` keys of ``letterdesk bench`` on their own, for a model too slow for the whole
bench (an 8B-shaped model on a CPU writes its lookup series for most of an hour):

    .venv/bin/python benchmarks/bench_restart.py [--model GGUF] [--repeat 5] [--threads 2]

It runs ``letterdesk bench``'s own measurement (:func:`letterdesk.commands.bench_speedups.
restart_ttft`) on the first synthetic case of the bench's series (seed 7, German final
report): a fresh worker's first letter, written with the app's decoding, at the very first
start (the prefix evaluated and saved), then ``--repeat`` times in turn cold and after a
restart (the saved prefix loaded after the model's load, as the window does, and loaded
before the letter); the medians and their ratios are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from letterdesk.commands.bench_speedups import restart_ttft, synthetic_cases
    from letterdesk.core.engine.types import EngineSettings

    parser = argparse.ArgumentParser(prog="bench_restart.py")
    parser.add_argument("--model", type=Path, help="GGUF model file (default: the demo model)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    settings = EngineSettings(model_path=args.model, n_threads=args.threads).checked()
    case = synthetic_cases(7, 1, "de", "final_report")[0]
    print(json.dumps(restart_ttft(settings, case, args.repeat), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
