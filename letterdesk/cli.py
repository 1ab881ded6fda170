"""The ``letterdesk`` command: no arguments opens the window; subcommands work headless."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from letterdesk import __version__
from letterdesk.commands import (
    bench,
    check,
    export,
    generate,
    pairs,
    report,
    security,
    selftest,
    study,
)
from letterdesk.core.foundation.errors import LetterDeskError


def _cmd_import(args: argparse.Namespace) -> int:
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


def _cmd_cases(args: argparse.Namespace) -> int:
    from letterdesk.core.store.database import Store

    with Store() as store:
        for case in store.cases(args.search or "", args.status):
            print(
                f"{case.case_id}\t{case.patient_name}\t{case.birth_date}\t"
                f"{case.letter_type}\t{case.language}\t{case.status}"
            )
    return 0


def _add_import(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("import", help="import case files (JSON) into the store")
    parser.add_argument("files", nargs="+", help="case files or folders of case files")
    parser.set_defaults(run=_cmd_import)


def _add_cases(sub: argparse._SubParsersAction) -> None:
    from letterdesk.core.store.database import CASE_STATUSES

    parser = sub.add_parser("cases", help="list stored cases, one per line")
    parser.add_argument("--search", help="filter by name, case or patient ID, or birth date")
    parser.add_argument("--status", choices=CASE_STATUSES, help="filter by letter status")
    parser.set_defaults(run=_cmd_cases)


# Each subcommand registers itself here: one line per command.
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_import,
    _add_cases,
    generate.add_parser,
    bench.add_parser,
    export.add_parser,
    security.add_audit,
    security.add_backup,
    security.add_restore,
    security.add_rotate_key,
    security.add_provenance,
    check.add_parser,
    report.add_parser,
    study.add_parser,
    pairs.add_parser,
    selftest.add_parser,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="letterdesk",
        description="Physician letters in radiation oncology, drafted by a local language model. "
        "Without a command, the LetterDesk window opens.",
    )
    parser.add_argument("--version", action="version", version=f"LetterDesk {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m letterdesk``."""
    security.prepare_process()  # offline, and passphrases asked at the terminal
    args = build_parser().parse_args(argv)
    if not hasattr(args, "run"):
        from letterdesk.gui.app import run_app

        return run_app()
    try:
        return int(args.run(args))
    except LetterDeskError as exc:
        print(f"letterdesk: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"letterdesk: hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
