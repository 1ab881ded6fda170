"""The ``letterdesk`` command: no arguments opens the window; subcommands work headless."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from letterdesk import __version__, startup
from letterdesk.commands import (
    bench,
    cases,
    check,
    department,
    export,
    generate,
    pairs,
    report,
    security,
    selftest,
    server,
    study,
    write_ahead,
)
from letterdesk.core.foundation.errors import LetterDeskError

# Each subcommand registers itself here: one line per command.
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    cases.add_import,
    cases.add_cases,
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
    department.add_parser,
    server.add_parser,
    write_ahead.add_parser,
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
    startup.prepare_process()  # offline, and passphrases asked at the terminal
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
