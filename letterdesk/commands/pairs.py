"""``letterdesk pairs --sft FILE --preference FILE``: training data from the signed letters.

SFT pairs (prompt → signed letter) and preference pairs (signed letter chosen over the model's
draft) as JSONL, pseudonymised (names, birth date, IDs and address as placeholders) unless
``--identified``. stdout names each file written with its number of pairs.
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
        "pair (signed letter chosen, draft rejected). The patient's names, birth date, IDs "
        "and address are replaced by placeholders unless --identified is given; the files "
        "still contain clinical data, are readable by their owner only, and each export is "
        "recorded in the audit log.",
    )
    parser.add_argument(
        "--identified",
        action="store_true",
        help="write the pairs as the store holds them, with the patients' names and birth dates",
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
        exported = export_pairs(store, args.sft, args.preference, identified=args.identified)
    kind = "identified" if args.identified else "pseudonymised"
    if args.sft is not None:
        print(f"{args.sft}\t{exported.sft} SFT pairs ({kind})")
    if args.preference is not None:
        print(
            f"{args.preference}\t{exported.preference} preference pairs ({kind}; "
            f"{exported.unchanged} letters were signed as drafted)"
        )
    return 0
