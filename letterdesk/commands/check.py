"""``letterdesk check CASE.json LETTER.txt [--json FILE]``: the letter's facts against its case.

stdout lists each fact of the letter the case does not support (``line:column``, the fact, what
the case says instead) and each case fact the letter omits (with the case field's JSON path),
then a count. ``--json FILE`` writes the findings as JSON as well (``-`` writes them to stdout
instead of the list). Exit status: 0 when there are no findings, 1 when there are, 2 when the
case or the letter cannot be read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.files import write_text_atomically

MAX_LETTER_BYTES = 2_000_000


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``check`` with the command's subparsers."""
    parser = sub.add_parser(
        "check",
        help="check a letter's facts against its case (doses, dates, sides, drugs …)",
        description="List the facts of the letter that the case does not support and the case's "
        "key facts that the letter omits. Exit status 0: nothing found; 1: findings; 2: the "
        "case or the letter cannot be read.",
    )
    parser.add_argument("case_file", type=Path, metavar="CASE.json", help="the case file")
    parser.add_argument("letter_file", type=Path, metavar="LETTER.txt", help="the letter (UTF-8)")
    parser.add_argument(
        "--json",
        dest="json_file",
        metavar="FILE",
        help="also write the findings as JSON to FILE ('-': to stdout, instead of the list)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; unreadable input is a LetterDeskError the CLI reports with status 2."""
    from letterdesk.core.cases.case import load_case
    from letterdesk.core.facts.grounding import check

    case = load_case(args.case_file)
    letter = read_letter(args.letter_file)
    findings = check(case, letter)
    report = {"case": str(args.case_file), "letter": str(args.letter_file), **findings.to_dict()}
    if args.json_file == "-":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(findings, letter, args.letter_file.name)
        if args.json_file:
            write_text_atomically(
                Path(args.json_file), json.dumps(report, ensure_ascii=False, indent=2) + "\n"
            )
    return 1 if findings.flagged else 0


def read_letter(path: Path) -> str:
    """The letter's text; a LetterDeskError naming the problem if it cannot be read."""
    from letterdesk.core.foundation.errors import LetterDeskError

    hint = "Give the letter as a UTF-8 text file."
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_LETTER_BYTES + 1)
    except OSError as exc:
        raise LetterDeskError(f"The letter {path} cannot be read ({exc.strerror}).", hint) from exc
    if len(raw) > MAX_LETTER_BYTES:
        raise LetterDeskError(f"The file {path} is too large to be a letter.", hint)
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise LetterDeskError(f"The letter {path} is not UTF-8 text ({exc.reason}).", hint) from exc


def _print(findings: Any, letter: str, name: str) -> None:
    for item in findings.unsupported:
        line = letter.count("\n", 0, item.start) + 1
        column = item.start - (letter.rfind("\n", 0, item.start) + 1) + 1
        where = f" ({item.case_path})" if item.case_path else ""
        print(f"{name}:{line}:{column}: {item.message()}{where}")
    for item in findings.omitted:
        print(f"{name}: {item.message()} ({item.path})")
    print(f"{len(findings.unsupported)} unsupported, {len(findings.omitted)} omitted")
