"""Commands for cases: ``letterdesk import FILE…`` validates case files (or folders of them)
and stores them, listing what was imported, with warnings, and what was rejected and why (exit
1 when any was rejected); ``letterdesk cases`` lists the stored cases, one per line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _run_import(args: argparse.Namespace) -> int:
    from letterdesk.core.desk.importing import import_files
    from letterdesk.core.store.database import Store

    with Store() as store:
        report = import_files(store, [Path(p) for p in args.files])
    for outcome in report.imported:
        print(f"{outcome.action:9} {outcome.case_id}")
    for path, warnings in report.warnings.items():
        for warning in warnings:
            print(f"warning   {path}: {warning}")
    for rejected in report.rejected:
        print(f"rejected  {rejected.path}", file=sys.stderr)
        for problem in rejected.problems:
            print(f"          - {problem}", file=sys.stderr)
    print(f"{len(report.imported)} imported, {len(report.rejected)} rejected")
    return 1 if report.rejected else 0


def _run_cases(args: argparse.Namespace) -> int:
    from letterdesk.core.store.database import Store

    with Store() as store:
        for case in store.cases(args.search or "", args.status):
            print(
                f"{case.case_id}\t{case.patient_name}\t{case.birth_date}\t"
                f"{case.letter_type}\t{case.language}\t{case.status}"
            )
    return 0


def add_import(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("import", help="import case files (JSON) into the store")
    parser.add_argument("files", nargs="+", help="case files or folders of case files")
    parser.set_defaults(run=_run_import)


def add_cases(sub: argparse._SubParsersAction) -> None:
    from letterdesk.core.store.database import CASE_STATUSES

    parser = sub.add_parser("cases", help="list stored cases, one per line")
    parser.add_argument("--search", help="filter by name, case or patient ID, or birth date")
    parser.add_argument("--status", choices=CASE_STATUSES, help="filter by letter status")
    parser.set_defaults(run=_run_cases)
