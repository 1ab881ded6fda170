"""Benchmark: exporting signed letters to Word on the letterhead (goal: at least 20 letters/s).

Run: .venv/bin/python benchmarks/bench_export.py [--letters N] [--json FILE]
It stores N synthetic letters (German and English, all letter types) and signs them off, then
measures side by side in one run: the whole export job (letterhead, layout, a temporary file
fsynced and renamed, one audit transaction per letter) and the floor python-docx sets (open the
letterhead and save it, nothing else). It prints letters per second, the ratio to the goal and
the job's cost relative to that floor.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from letterdesk.core.cases.case import parse_case
from letterdesk.core.documents.docx import export_signed
from letterdesk.core.documents.letterhead import load_letterhead
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter, sign_off
from letterdesk.core.synthetic.generator import generate_cases, reference_letter

GOAL_PER_S = 20.0


def fill_store(store: Store, n: int) -> None:
    documents = generate_cases(n, seed=42)
    cases = [parse_case(json.dumps(d, ensure_ascii=False)) for d in documents]
    store.import_cases(cases, user="bench")
    for number, document in enumerate(documents):
        text = reference_letter(document, "AB"[number % 2])
        letter, revision = create_letter(store, document["case_id"], text, author="bench")
        sign_off(store, letter.id, revision.id, user="bench")


def python_docx_floor(n: int) -> float:
    """Seconds to open the letterhead and save it n times: python-docx's own cost."""
    head = load_letterhead()
    started = time.perf_counter()
    for _ in range(n):
        head.new_document().save(io.BytesIO())
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=120)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LETTERDESK_HOME"] = str(Path(tmp) / "home")
        with Store(Path(tmp) / "store.sqlite3") as store:
            fill_store(store, args.letters)
            started = time.perf_counter()
            results = export_signed(store, None, Path(tmp) / "out", user="bench")
            job_s = time.perf_counter() - started
        assert len(results) == args.letters, len(results)
        floor_s = python_docx_floor(args.letters)
    rate = args.letters / job_s
    result = {
        "letters": args.letters,
        "job_seconds": round(job_s, 3),
        "letters_per_second": round(rate, 1),
        "goal_letters_per_second": GOAL_PER_S,
        "rate_over_goal": round(rate / GOAL_PER_S, 2),
        "python_docx_floor_seconds": round(floor_s, 3),
        "job_over_floor": round(job_s / floor_s, 2),
    }
    print(
        f"letterdesk export of {args.letters} signed letters: {job_s:.2f} s, "
        f"{rate:.1f} letters/s ({rate / GOAL_PER_S:.1f}x the {GOAL_PER_S:.0f}/s goal); "
        f"python-docx alone (open + save the letterhead): {floor_s:.2f} s, "
        f"so the job costs {job_s / floor_s:.1f}x that floor"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if rate >= GOAL_PER_S else 1


if __name__ == "__main__":
    sys.exit(main())
