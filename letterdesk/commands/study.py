"""``letterdesk study STEP``: blinded comparison studies of model versions, headless.

``models`` lists the registered versions; ``create --name N --case ID… --model ID…`` sets a
study up; ``draft STUDY`` writes all its letters, each version loaded in turn (Ctrl+C stops
after keeping what was drafted; run it again to go on); raters score in the window; ``complete
STUDY`` freezes the ratings; ``results STUDY`` prints the result (``--json FILE`` also writes
it, with ``--new ID --current ID`` the winner ``python -m training promote`` reads).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from letterdesk.commands import stopped_by


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``study`` and its steps with the command's subparsers."""
    parser = sub.add_parser(
        "study",
        help="blinded comparison studies of model versions",
        description="Set up, draft, complete and evaluate a blinded study in which raters "
        "score letters of several model versions without knowing which version wrote which.",
    )
    steps = parser.add_subparsers(title="steps", metavar="STEP", required=True)
    steps.add_parser("models", help="list the registered model versions").set_defaults(run=_models)
    steps.add_parser("list", help="list the studies").set_defaults(run=_list)
    create = steps.add_parser("create", help="set up a study of cases and model versions")
    create.add_argument("--name", required=True, help="what the study is called")
    create.add_argument("--case", nargs="+", required=True, metavar="ID", help="case IDs")
    create.add_argument(
        "--model", nargs="+", type=int, required=True, metavar="ID", help="model version IDs"
    )
    create.set_defaults(run=_create)
    draft = steps.add_parser("draft", help="write every letter of a study (resumable)")
    draft.add_argument("study", type=int, metavar="STUDY", help="the study's number")
    draft.add_argument(
        "--max-tokens", type=int, default=1024, metavar="N", help="longest letter (default 1024)"
    )
    draft.set_defaults(run=_draft)
    complete = steps.add_parser("complete", help="close a study: its ratings are frozen")
    complete.add_argument("study", type=int, metavar="STUDY", help="the study's number")
    complete.set_defaults(run=_complete)
    results = steps.add_parser("results", help="print a study's result")
    results.add_argument("study", type=int, metavar="STUDY", help="the study's number")
    results.add_argument("--json", type=Path, metavar="FILE", help="also write it as JSON")
    results.add_argument("--new", type=int, metavar="ID", help="the version to be promoted")
    results.add_argument("--current", type=int, metavar="ID", help="the current default")
    results.set_defaults(run=_results, usage_error=results.error)


def _models(args: argparse.Namespace) -> int:
    from letterdesk.core.evaluation.metrics import model_labels
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.model_versions import versions

    with Store(read_only=True) as store:
        labels = model_labels(store)
        for version in sorted(versions(store), key=lambda v: v.id):
            print(f"{version.id}\t{labels[version.id]}\t{version.path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.studies import studies

    with Store(read_only=True) as store:
        for study in studies(store):
            print(
                f"{study.id}\t{study.name}\t{study.status}\t{len(study.case_ids)} cases\t"
                f"{len(study.model_ids)} versions\t{study.drafted} of {study.items} drafted"
            )
    return 0


def _create(args: argparse.Namespace) -> int:
    from letterdesk.core.evaluation.study import create_study
    from letterdesk.core.store.database import Store

    with Store() as store:
        study = create_study(store, args.name, args.case, args.model)
    print(f"{study.id}\t{study.name}\t{study.items} letters to draft")
    return 0


def _draft(args: argparse.Namespace) -> int:
    from letterdesk.core.engine.types import DecodingOptions, engine_settings
    from letterdesk.core.evaluation.study_drafting import draft_study
    from letterdesk.core.foundation.errors import Interrupted
    from letterdesk.core.foundation.settings import load_settings
    from letterdesk.core.store.database import Store

    settings = engine_settings(load_settings()).checked()
    options = DecodingOptions(max_tokens=args.max_tokens).checked()
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        print(f"letterdesk: {done} of {total} letters drafted", file=sys.stderr, flush=True)

    try:
        with stopped_by(stop, signal.SIGINT), Store() as store:
            study = draft_study(
                store, args.study, settings, options=options, progress=progress,
                cancel=stop.is_set,
            )  # fmt: skip
    except Interrupted:
        print("letterdesk: stopped; run the command again to go on.", file=sys.stderr)
        return 130
    print(f"{study.id}\t{study.name}\t{study.status}\t{study.drafted} of {study.items} drafted")
    return 0


def _complete(args: argparse.Namespace) -> int:
    from letterdesk.core.evaluation.study import complete_study
    from letterdesk.core.store.database import Store

    with Store() as store:
        study = complete_study(store, args.study)
    print(f"{study.id}\t{study.name}\t{study.status}")
    return 0


def _results(args: argparse.Namespace) -> int:
    from letterdesk.core.evaluation.report_tables import study_tables
    from letterdesk.core.evaluation.study_result import model_hashes, study_result
    from letterdesk.core.store.database import Store

    if (args.new is None) != (args.current is None):
        args.usage_error("--new and --current go together")
    with Store(read_only=True) as store:
        result = study_result(store, args.study)
        hashes = model_hashes(store, [m for m in (args.new, args.current) if m is not None])
    print(f"Study {result.study_id}: {result.name} ({result.status})")
    for table in study_tables(result):
        print(f"\n{table.title}")
        for row in (table.header, *table.rows):
            print("\t".join(row))
    if args.json is not None:
        _write_json(args.json, result.to_dict(args.new, args.current, hashes))
    return 0


def _write_json(path: Path, data: dict[str, Any]) -> None:
    from letterdesk.core.foundation.files import write_text_atomically

    write_text_atomically(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
