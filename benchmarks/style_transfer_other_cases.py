"""Score a kept style-transfer run's models on other evaluation cases than the run's own —
cases that chose nothing (README and docs/training.md, "Session 11": 98.30 % on cases
100–199, where the quick run reports cases 0–99).

    .venv/bin/python -m training experiment style-transfer --quick --json F --work-dir W ...
    .venv/bin/python benchmarks/style_transfer_other_cases.py W [--first 100] [--cases 100]

Cases ``--first`` to ``--first + --cases - 1`` of the experiment's evaluation series; the
letters are written as the experiment writes them (the app's engine, greedy, up to 800
tokens) by the run's ``export/style-b-after.q8_0.gguf`` and ``export/before.q8_0.gguf``.
Prints per model ROUGE-L, key-fact recall and the letters that lost facts (case, how many)
as JSON lines; the letters go to ``W/other-cases``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from letterdesk.core.cases.case import Case
    from letterdesk.core.synthetic.generator import generate_case, reference_letter
    from training.experiment import EVAL_SEED, STYLE_AFTER
    from training.promote_evaluation import evaluate_version

    parser = argparse.ArgumentParser(prog="style_transfer_other_cases.py")
    parser.add_argument("work_dir", type=Path, help="the experiment's --work-dir")
    parser.add_argument("--first", type=int, default=100)
    parser.add_argument("--cases", type=int, default=100)
    args = parser.parse_args()
    out = args.work_dir / "other-cases"
    out.mkdir(exist_ok=True)
    cases = [Case(generate_case(EVAL_SEED, i)) for i in range(args.first, args.first + args.cases)]
    references = [reference_letter(c.data, STYLE_AFTER) for c in cases]
    settings = SimpleNamespace(max_tokens=800, n_ctx=2048, out=out)
    for label, name in (("before", "before.q8_0.gguf"), ("after", "style-b-after.q8_0.gguf")):
        model = args.work_dir / "export" / name
        scored = evaluate_version(model, None, cases, references, settings, label)
        lost = [
            (letter["case"], letter["key_facts"] - letter["key_facts_found"])
            for letter in scored["letters"]
            if letter["key_facts"] != letter["key_facts_found"]
        ]
        print(json.dumps({"model": label, "first": args.first, "cases": args.cases,
                          "rougeL": scored["rougeL"], "key_fact_recall": scored["key_fact_recall"],
                          "letters_losing_facts": lost}), flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
