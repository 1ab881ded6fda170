"""``letterdesk pairs --sft FILE --preference FILE``: training data from the signed letters.

SFT pairs (prompt → signed letter) and preference pairs (signed letter chosen over the model's
draft) as JSONL. The files hold patient data as the store does; ``python -m training dataset``
pseudonymises before training. stdout names each file written with its number of pairs.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``pairs`` with the command's subparsers."""
    parser = sub.add_parser(
        "pairs",
        help="export SFT and preference pairs (JSONL) from the signed letters",
        description="Write every signed letter as a supervised fine-tuning pair (prompt → "
        "signed letter) and, where the physician changed the model's draft, as a preference "
        "pair (signed letter chosen, draft rejected). The files contain patient data and are "
        "readable by their owner only; each export is recorded in the audit log.",
    )
    parser.add_argument("--sft", type=Path, metavar="FILE", help="where to write the SFT pairs")
    parser.add_argument(
        "--preference", type=Path, metavar="FILE", help="where to write the preference pairs"
    )
    parser.set_defaults(run=run, usage_error=parser.error)


def run(args: argparse.Namespace) -> int:
    """Run the command; errors are LetterDeskErrors the CLI reports."""
    from letterdesk.core.documents.training_pairs import export_pairs
    from letterdesk.core.store.database import Store

    if args.sft is None and args.preference is None:
        args.usage_error("name --sft FILE, --preference FILE or both")
    with Store() as store:
        exported = export_pairs(store, args.sft, args.preference)
    if args.sft is not None:
        print(f"{args.sft}\t{exported.sft} SFT pairs")
    if args.preference is not None:
        print(
            f"{args.preference}\t{exported.preference} preference pairs "
            f"({exported.unchanged} letters were signed as drafted)"
        )
    return 0
