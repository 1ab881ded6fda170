"""Benchmark: `letterdesk import` of 1,000 generated cases (goal: under 5 s).

Run: .venv/bin/python benchmarks/bench_import.py [--cases N] [--json FILE]
It measures, side by side in one run, the whole command (process start included) and the
in-process import job, and prints the ratio to the goal.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from letterdesk.core.desk.importing import import_files
from letterdesk.core.store.database import Store
from letterdesk.core.synthetic.generator import generate_cases

GOAL_S = 5.0


def write_cases(folder: Path, n: int) -> None:
    for case in generate_cases(n, seed=42):
        path = folder / f"{case['case_id']}.json"
        path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cases"
        folder.mkdir()
        write_cases(folder, args.cases)
        env = {**os.environ, "LETTERDESK_HOME": str(Path(tmp) / "cli-home")}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "letterdesk", "import", str(folder)],
            env=env,
            capture_output=True,
            text=True,
        )
        cli_s = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:])
            return 1
        home = Path(tmp) / "job-home"
        home.mkdir()
        with Store(home / "store.sqlite3") as store:
            started = time.perf_counter()
            report = import_files(store, [folder])
            job_s = time.perf_counter() - started
        assert len(report.imported) == args.cases, report.rejected[:3]
    result = {
        "cases": args.cases,
        "cli_seconds": round(cli_s, 3),
        "job_seconds": round(job_s, 3),
        "goal_seconds": GOAL_S,
        "cli_over_goal": round(cli_s / GOAL_S, 3),
        "cases_per_second": round(args.cases / job_s),
    }
    print(
        f"letterdesk import of {args.cases} cases: {cli_s:.2f} s via the command "
        f"({cli_s / GOAL_S:.0%} of the {GOAL_S:.0f} s goal), {job_s:.2f} s in-process "
        f"({result['cases_per_second']} cases/s)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if cli_s < GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
