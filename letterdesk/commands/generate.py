"""``letterdesk generate CASE.json``: import a case, write its draft letter, store and print it."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from letterdesk.commands import model_settings, report_progress, stopped_by
from letterdesk.core.foundation.files import write_text_atomically


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``generate`` with the command's subparsers."""
    parser = sub.add_parser(
        "generate",
        help="import a case file and write its draft letter with the local model",
        description="Validate and import the case, write a draft letter, store it, and print "
        "it (or write it to --output). Ctrl+C stops the letter and keeps what was written.",
    )
    parser.add_argument("case_file", type=Path, metavar="CASE.json", help="the case file")
    parser.add_argument("--model", type=Path, help="GGUF model file (default: the demo model)")
    parser.add_argument("--adapter", type=Path, help="LoRA adapter (GGUF) for the model")
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the letter to FILE (.txt, or .docx on the letterhead) instead of printing it",
    )
    parser.add_argument(
        "--max-tokens",
        type=int,
        default=1024,
        metavar="N",
        help="longest letter in tokens (default 1024)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="sampler seed (default 0; letters are greedy unless sampled)",
    )
    parser.add_argument(
        "--constrain-numbers",
        action="store_true",
        help="let the model write only numbers that are in the case (doses, dates, codes); "
        "measured in docs/grounding.md",
    )
    parser.add_argument(
        "--slots",
        action="store_true",
        help="print (or write) the letter as a slot-writing model wrote it, with its fact slots "
        "([[patient.birth_date]]) instead of the case's values; see docs/fact-slots.md",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; errors are LetterDeskErrors the CLI reports."""
    from letterdesk.core.engine.factory import open_engine
    from letterdesk.core.engine.types import DecodingOptions
    from letterdesk.core.foundation.errors import Interrupted
    from letterdesk.core.generation.draft import generate_letter
    from letterdesk.core.store.database import Store

    output: Path | None = args.output
    settings = model_settings(args.model, args.adapter)
    options = DecodingOptions(
        max_tokens=args.max_tokens, seed=args.seed, constrain_numbers=args.constrain_numbers
    ).checked()
    stop = threading.Event()
    printing = output is None
    streaming = printing and not args.slots
    with Store() as store, stopped_by(stop, signal.SIGINT):
        case_id = _import_case(store, args.case_file)
        engine = open_engine(settings)
        try:
            result = generate_letter(
                store,
                case_id,
                engine,
                options=options,
                cancel=stop.is_set,
                on_chunk=lambda chunk: _show(chunk, streaming),
            )
        except Interrupted:
            print(
                "letterdesk: stopped before the letter began; nothing was stored.", file=sys.stderr
            )
            return 130
        finally:
            engine.close()
    text = result.text
    if args.slots:
        if result.slotted is None:
            print("letterdesk: warning: this model writes no fact slots; the letter is its "
                  "plain text", file=sys.stderr)  # fmt: skip
        text = result.text if result.slotted is None else result.slotted
    if printing:
        print(text if args.slots else "", flush=True)
    elif output.suffix.lower() == ".docx":
        _export_docx(result.letter.id, result.revision.id, output)
    else:
        write_text_atomically(output, text + "\n")
    state = {"stop": "complete", "length": "cut at --max-tokens", "cancelled": "stopped"}
    print(
        f"letterdesk: draft stored for case {case_id}: letter {result.letter.id}, revision "
        f"{result.revision.number} ({state.get(result.finish_reason, result.finish_reason)}, "
        f"{result.timing.completion_tokens} tokens, {result.timing.tokens_per_s:.1f} tokens/s)",
        file=sys.stderr,
    )
    return 0


def _import_case(store: Any, path: Path) -> str:
    from letterdesk.core.desk.importing import import_files
    from letterdesk.core.foundation.errors import CaseFileError

    report = import_files(store, [path])
    if report.rejected:
        raise CaseFileError(str(path), list(report.rejected[0].problems))
    for warning in report.warnings.get(str(path), ()):
        print(f"letterdesk: warning: {warning}", file=sys.stderr)
    return report.imported[0].case_id


def _show(chunk: Any, printing: bool) -> None:
    from letterdesk.core.engine.types import TextDelta

    if isinstance(chunk, TextDelta):
        if printing:
            sys.stdout.write(chunk.text)
            sys.stdout.flush()
    else:
        report_progress(chunk)


def _export_docx(letter_id: int, revision_id: int, output: Path) -> None:
    from letterdesk.core.documents.docx import export_letter
    from letterdesk.core.store.database import Store

    with Store() as store:
        exported = export_letter(store, letter_id, revision_id, output)
    for warning in exported.warnings:
        print(f"letterdesk: warning: {warning}", file=sys.stderr)
