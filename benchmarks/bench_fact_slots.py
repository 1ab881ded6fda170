"""How faithful are the letters a model drafts: key facts, doses and dates not in the case, and
facts in the wrong role, on held-out generator cases and on independently written cases.

Every letter is drafted by the app's own generation job (what ``letterdesk generate`` runs:
the engine's worker process, the model's chat template, fact slots filled from the case for a
model that writes them, constrained slot names), greedy, and stored in a throw-away store.
Several models (and the number constraint) run side by side in one run, case by case:

    .venv/bin/python benchmarks/bench_fact_slots.py --model resources/models/letterdesk-demo.gguf \
        --cases 200 --json build/bench-fact-slots.json

Figures per set and model (micro-averaged over all letters):

- ``key_fact_recall``: the case's key facts (:mod:`letterdesk.core.facts.key_facts`) found verbatim
  and as a whole word or number in the letter;
- ``doses_dates_not_in_case``: the letter's doses and dates that no field or free text of the
  case holds;
- ``doses_dates_wrong_role``: the letter's doses and dates the case holds, but in another role
  (an end date written as the start, a dose per fraction called the total);
- ``gaps``: places a slot's field was empty.

The generator set is ``generate_case(7_000_003, i)``, which no demo model was trained on; the
independent set is ``training/independent_cases.py``, written apart from the generator.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from letterdesk.core.cases.case import parse_case  # noqa: E402
from letterdesk.core.engine.local import Engine  # noqa: E402
from letterdesk.core.engine.types import DecodingOptions, EngineSettings  # noqa: E402
from letterdesk.core.facts.grounding import fact_metrics  # noqa: E402
from letterdesk.core.facts.key_facts import key_facts, missing_facts  # noqa: E402
from letterdesk.core.facts.slots import GAP  # noqa: E402
from letterdesk.core.generation.draft import generate_letter  # noqa: E402
from letterdesk.core.synthetic.generator import generate_case  # noqa: E402
from training.independent_cases import independent_cases  # noqa: E402

HELDOUT_SEED = 7_000_003  # training.demo_model's held-out seed: no demo model saw these cases


def case_sets(n: int, which: str) -> dict[str, list[dict[str, Any]]]:
    """The evaluation sets asked for, ``n`` cases each."""
    sets: dict[str, list[dict[str, Any]]] = {}
    if which in ("generator", "both"):
        sets["generator"] = [generate_case(HELDOUT_SEED, i) for i in range(n)]
    if which in ("independent", "both"):
        sets["independent"] = independent_cases(n)
    return sets


def score(case: dict[str, Any], letter: str) -> dict[str, int]:
    """The counts behind the figures for one letter."""
    metrics = fact_metrics(case, letter)
    return {
        "key_facts": len(key_facts(case)),
        "key_facts_found": len(key_facts(case)) - len(missing_facts(case, letter)),
        "doses_dates": metrics["doses_dates"],
        "not_in_case": metrics["doses_dates_not_in_case"],
        "wrong_role": metrics["doses_dates_wrong_role"],
        "gaps": letter.count(GAP),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Micro-averaged figures over the letters of one set and mode."""

    def total(key: str) -> int:
        return sum(int(r[key]) for r in rows)

    seconds = sum(r["seconds"] for r in rows)
    return {
        "letters": len(rows),
        "key_fact_recall": round(total("key_facts_found") / max(1, total("key_facts")), 4),
        "doses_dates": total("doses_dates"),
        "doses_dates_not_in_case": round(total("not_in_case") / max(1, total("doses_dates")), 4),
        "doses_dates_wrong_role": round(total("wrong_role") / max(1, total("doses_dates")), 4),
        "gaps": total("gaps"),
        "tokens_per_s": round(total("tokens") / seconds, 1) if seconds else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", help="GGUF file (repeatable)")
    parser.add_argument("--constrain-numbers", action="store_true",
                        help="also draft with the number constraint, side by side")  # fmt: skip
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--set", choices=("generator", "independent", "both"), default="both")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--json", type=Path, help="write every letter and its counts here")
    args = parser.parse_args(argv)
    models = args.model or [ROOT / "resources/models/letterdesk-demo.gguf"]
    modes = [(m, False) for m in models] + ([(m, True) for m in models] * args.constrain_numbers)
    options = DecodingOptions(max_tokens=args.max_tokens)
    home = tempfile.mkdtemp(prefix="bench-fact-slots-")
    os.environ["LETTERDESK_HOME"] = home
    os.environ.setdefault("LETTERDESK_PASSPHRASE", "benchmark only, synthetic cases")
    from letterdesk.core.store.database import Store

    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    engines = {m: Engine(EngineSettings(model_path=m, n_threads=args.threads)) for m in models}
    try:
        with Store(Path(home) / "bench.sqlite3") as store:
            for set_name, cases in case_sets(args.cases, args.set).items():
                store.import_cases([parse_case(json.dumps(c)) for c in cases])
                for index, case in enumerate(cases):
                    for model, numbers in modes:
                        label = model.name + (" + constrained numbers" if numbers else "")
                        started = time.perf_counter()
                        result = generate_letter(
                            store, case["case_id"], engines[model],
                            options=replace(options, constrain_numbers=numbers),
                        )  # fmt: skip
                        rows.setdefault(set_name, {}).setdefault(label, []).append({
                            "case_id": case["case_id"], "text": result.text,
                            "slotted": result.slotted,
                            "seconds": time.perf_counter() - started,
                            "tokens": result.timing.completion_tokens,
                            **score(case, result.text),
                        })  # fmt: skip
                    print(f"{set_name} {index + 1}/{len(cases)}", file=sys.stderr, flush=True)
    finally:
        for engine in engines.values():
            engine.close()
    summary = {s: {label: summarise(r) for label, r in by.items()} for s, by in rows.items()}
    print(json.dumps({"cases": args.cases, "threads": args.threads, **summary}, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"summary": summary, "letters": rows}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
