"""``letterdesk report --output FILE``: the evaluation report as HTML, PDF or CSV.

HTML and PDF show, per model version and letter type, each rating dimension's mean ± SD and
distribution, correction effort, ROUGE, fact precision and recall, and weekly trends; CSV holds
the raw data, one row per rating. The store is read without the writer lock, so the report can
be made while LetterDesk is open. stdout names the file written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``report`` with the command's subparsers."""
    parser = sub.add_parser(
        "report",
        help="write the evaluation report (.html, .pdf or .csv)",
        description="Write how each model version's drafts fared: ratings per dimension, "
        "correction effort, ROUGE, facts and weekly trends (.html, .pdf), or the raw ratings "
        "(.csv, one row per rating).",
    )
    parser.add_argument(
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="the report file; its ending (.html, .pdf, .csv) chooses the format",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; errors are LetterDeskErrors the CLI reports."""
    from letterdesk.core.evaluation.metrics import evaluate, nothing_yet
    from letterdesk.core.evaluation.report import NOTHING_YET, write_report
    from letterdesk.core.foundation.paths import store_path
    from letterdesk.core.store.database import Store

    if store_path().exists():
        with Store(read_only=True) as store:
            evaluation = evaluate(store)
    else:  # before the first start of LetterDesk there is no store, and nothing to report
        evaluation = nothing_yet()
    path = write_report(evaluation, args.output)
    if evaluation.is_empty:
        print(f"letterdesk: {NOTHING_YET}", file=sys.stderr)
    print(path)
    return 0
