"""``letterdesk export``: stored letters to Word (.docx) on the institution's letterhead.

One letter: ``letterdesk export CASE_ID|--letter ID [--revision N] --output FILE.docx``
(a case's newest letter; the signed revision, else the newest one); a signed letter as an HL7
FHIR R4 document bundle: ``letterdesk export CASE_ID|--letter ID --fhir FILE.json``. Every
signed letter: ``letterdesk export --all-signed [CASE_ID] --folder DIR``. stdout lists each file
written with ``final`` or ``draft`` and its SHA-256; warnings and progress go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``export`` with the command's subparsers."""
    parser = sub.add_parser(
        "export",
        help="export stored letters to Word (.docx) on the institution's letterhead",
        description="Write a stored letter as a Word document on the letterhead: the signed "
        "revision, else the newest one (unsigned letters are marked as drafts). Every export is "
        "recorded in the audit log with the file's SHA-256.",
    )
    parser.add_argument(
        "case_id",
        nargs="?",
        metavar="CASE_ID",
        help="the case whose newest letter to export (with --all-signed: only "
        "this case's signed letters)",
    )
    parser.add_argument("--letter", type=int, metavar="ID", help="the letter to export")
    parser.add_argument(
        "--revision",
        type=int,
        metavar="N",
        help="revision number N of the letter (default: the signed revision, else the newest)",
    )
    parser.add_argument("--output", type=Path, metavar="FILE.docx", help="the file to write")
    parser.add_argument(
        "--fhir",
        type=Path,
        metavar="FILE.json",
        help="write the signed letter as a FHIR R4 document (Composition, Patient, "
        "Practitioner, DocumentReference with the Word file, PDF and text)",
    )
    parser.add_argument(
        "--all-signed", action="store_true", help="export every signed letter into --folder"
    )
    parser.add_argument(
        "--folder",
        type=Path,
        metavar="DIR",
        help="where --all-signed writes its files (created if missing)",
    )
    parser.add_argument(
        "--template",
        type=Path,
        metavar="FILE",
        help="letterhead (.docx or .dotx) instead of the letterhead_template setting",
    )
    parser.set_defaults(run=run, usage_error=parser.error)


def _check(args: argparse.Namespace) -> None:
    """Report every misuse of the options at once (argparse exits with status 2)."""
    problems = []
    if args.all_signed:
        if args.folder is None:
            problems.append("--all-signed needs --folder DIR")
        problems += [
            f"{flag} does not go with --all-signed"
            for flag, value in (
                ("--output", args.output),
                ("--fhir", args.fhir),
                ("--letter", args.letter),
                ("--revision", args.revision),
            )
            if value is not None
        ]
    else:
        if (args.output is None) == (args.fhir is None):
            problems.append("name either --output FILE.docx or --fhir FILE.json")
        if args.fhir is not None and args.revision is not None:
            problems.append("--fhir writes the signed revision; --revision does not go with it")
        if (args.case_id is None) == (args.letter is None):
            problems.append("name either CASE_ID or --letter ID")
        if args.folder is not None:
            problems.append("--folder goes with --all-signed; use --output for one letter")
    if problems:
        args.usage_error("; ".join(problems))


def run(args: argparse.Namespace) -> int:
    """Run the command; errors are LetterDeskErrors the CLI reports."""
    from letterdesk.core.store.database import Store

    _check(args)
    with Store() as store:
        if args.fhir is not None:
            return _export_fhir(store, args)
        if args.all_signed:
            results = _export_all(store, args)
        else:
            results = [_export_one(store, args)]
    _print_warnings(w for result in results for w in result.warnings)
    for result in results:
        state = "final" if result.final else "draft"
        print(f"{result.path}\t{state}\t{result.sha256}")
    return 0


def _export_fhir(store: Any, args: argparse.Namespace) -> int:
    from letterdesk.core.documents.fhir_document import export_fhir_document

    done = export_fhir_document(store, _letter_id(store, args), args.fhir, template=args.template)
    _print_warnings(done.warnings)
    print(f"{done.path}\tfinal\t{done.sha256}\t{', '.join(done.attachments)}")
    return 0


def _letter_id(store: Any, args: argparse.Namespace) -> int:
    """The letter named by --letter, else the case's newest letter."""
    from letterdesk.core.foundation.errors import StoreError
    from letterdesk.core.store.letters import letters_for_case

    letter_id = args.letter
    if letter_id is None:
        store.case(args.case_id)  # a StoreError names a case that does not exist
        letters = letters_for_case(store, args.case_id)
        if not letters:
            raise StoreError(
                f"Case {args.case_id} has no letter yet.",
                "Write one first, e.g. with `letterdesk generate`.",
            )
        letter_id = letters[-1].id
    return int(letter_id)


def _export_one(store: Any, args: argparse.Namespace) -> Any:
    from letterdesk.core.documents.docx import export_letter
    from letterdesk.core.foundation.errors import StoreError
    from letterdesk.core.store.letters import revisions

    letter_id = _letter_id(store, args)
    revision_id = None
    if args.revision is not None:
        numbers = {r.number: r.id for r in revisions(store, letter_id)}
        if args.revision not in numbers:
            raise StoreError(
                f"Letter {letter_id} has no revision {args.revision}; it has "
                f"revisions 1 to {max(numbers, default=0)}."
            )
        revision_id = numbers[args.revision]
    return export_letter(store, letter_id, revision_id, args.output, template=args.template)


def _export_all(store: Any, args: argparse.Namespace) -> list[Any]:
    from letterdesk.core.documents.docx import export_signed

    cases = [args.case_id] if args.case_id else None
    if cases:
        store.case(args.case_id)

    def progress(done: int, total: int) -> None:
        if total == 0:
            print("letterdesk: there are no signed letters to export", file=sys.stderr)
        elif done:
            print(f"letterdesk: exported {done} of {total}", file=sys.stderr, flush=True)

    return export_signed(store, cases, args.folder, template=args.template, progress=progress)


def _print_warnings(warnings: Iterable[str]) -> None:
    for warning in dict.fromkeys(warnings):  # a batch repeats the letterhead's warning
        print(f"letterdesk: warning: {warning}", file=sys.stderr)
