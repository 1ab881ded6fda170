"""Commands for cases: ``letterdesk import FILE…`` validates case files or FHIR R4 bundles (or
folders of them) and stores them, listing what was imported, with warnings, what of a FHIR
file was not used, and what was rejected and why (exit 1 when any was rejected);
``letterdesk cases`` lists the stored cases, one per line (``--json``: each case's document).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _run_import(args: argparse.Namespace) -> int:
    from letterdesk.core.desk.importing import import_files
    from letterdesk.core.fhir.mapping import FhirOptions
    from letterdesk.core.foundation.settings import load_settings
    from letterdesk.core.store.database import Store

    settings = load_settings()
    fhir = FhirOptions(
        letter_type=args.letter_type or settings.default_letter_type,
        language=args.language or settings.letter_language,
        case_id=args.case_id,
    )
    with Store() as store:
        report = import_files(store, [Path(p) for p in args.files], fhir=fhir)
    for outcome in report.imported:
        print(f"{outcome.action:9} {outcome.case_id}")
    for path, warnings in report.warnings.items():
        for warning in warnings:
            print(f"warning   {path}: {warning}")
    for path, not_mapped in report.not_mapped.items():
        for problem in not_mapped:
            print(f"not used  {path}: {problem}")
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
            if args.json:
                print(json.dumps(store.case(case.case_id).data, ensure_ascii=False))
                continue
            print(
                f"{case.case_id}\t{case.patient_name}\t{case.birth_date}\t"
                f"{case.letter_type}\t{case.language}\t{case.status}"
            )
    return 0


def add_import(sub: argparse._SubParsersAction) -> None:
    from letterdesk.core.cases.case import LANGUAGES, LETTER_TYPES

    parser = sub.add_parser(
        "import", help="import case files or FHIR R4 bundles (JSON) into the store"
    )
    parser.add_argument("files", nargs="+", help="case or FHIR files, or folders of them")
    fhir = parser.add_argument_group("FHIR files", "what a case needs and FHIR does not carry")
    fhir.add_argument(
        "--letter-type", choices=LETTER_TYPES, help="the letter (default: the site's setting)"
    )
    fhir.add_argument(
        "--language", choices=LANGUAGES, help="the letter's language (default: the site's)"
    )
    fhir.add_argument(
        "--case-id", help="the case's ID (default: patient ID, letter type and course start)"
    )
    parser.set_defaults(run=_run_import)


def add_cases(sub: argparse._SubParsersAction) -> None:
    from letterdesk.core.store.database import CASE_STATUSES

    parser = sub.add_parser("cases", help="list stored cases, one per line")
    parser.add_argument("--search", help="filter by name, case or patient ID, or birth date")
    parser.add_argument("--status", choices=CASE_STATUSES, help="filter by letter status")
    parser.add_argument(
        "--json", action="store_true", help="print each case as one line of JSON (case format)"
    )
    parser.set_defaults(run=_run_cases)
