"""``letterdesk write-ahead``: drafts written ahead where the model runs — on a department server.

A desk writes drafts ahead itself only with a local model (``letterdesk.gui.predrafting``).
Where the model runs on the department's server, this command runs there beside it, as a
service: it loads the model as the server's settings say (a GGUF file, or the letter server on
that machine), opens the store the settings name (the department store the desks share) and
writes the worklist's next drafts ahead — the same cases, prompt, decoding and fact slots as
at a desk (:func:`letterdesk.core.desk.predraft.write_ahead_all`), marked as written ahead so
no one signs one unopened. Then it waits and looks again. The desks' case lists show the
drafts as ready.

It runs under a login of its own with the ``drafter`` role (``letterdesk store grant
write-ahead --role drafter``): that login reads cases and writes drafts, and the database
refuses it anything else — a correction, a sign-off, a rating. One service per store: a second
is refused while one runs (:meth:`Store.hold_write_ahead`). Ctrl+C or SIGTERM stops it; a
draft stopped midway leaves nothing behind and is written again on the next start.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from letterdesk.commands import model_settings, report_progress, stopped_by

if TYPE_CHECKING:
    from letterdesk.core.desk.predraft import Drafted

EVERY_S = 30.0
"""Seconds between two looks at the worklist once nothing is left to draft."""
AHEAD = 20
"""Drafts waiting unopened, department-wide, before the service waits (a desk's default is 3,
for one physician; a department's server drafts for all of them)."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``write-ahead``."""
    parser = sub.add_parser(
        "write-ahead",
        help="write the worklist's drafts ahead where the model runs (a department server)",
        description="Load the model, then write the drafts of the worklist's next cases ahead "
        "into the configured store (the department store), in list order, until enough wait "
        "unopened; look again every --every seconds. Ctrl+C or SIGTERM stops it.",
    )
    parser.add_argument("--model", type=Path, help="GGUF model file (default: the settings')")
    parser.add_argument("--adapter", type=Path, help="LoRA adapter (GGUF) for the model")
    parser.add_argument(
        "--ahead",
        type=int,
        default=AHEAD,
        metavar="N",
        help=f"drafts waiting unopened before it waits (default {AHEAD})",
    )
    parser.add_argument(
        "--every",
        type=float,
        default=EVERY_S,
        metavar="SECONDS",
        help=f"how often to look for new cases (default {EVERY_S:g})",
    )
    parser.add_argument(
        "--once", action="store_true", help="draft what there is now, then end (a timer job)"
    )
    parser.add_argument("--max-tokens", type=int, metavar="N", help="longest draft in tokens")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; errors are LetterDeskErrors the CLI reports."""
    from letterdesk.core.desk.predraft import write_ahead_all
    from letterdesk.core.engine.factory import open_engine
    from letterdesk.core.engine.types import DecodingOptions
    from letterdesk.core.foundation.errors import ConfigurationError, Interrupted, StoreError
    from letterdesk.core.store.database import Store

    if args.ahead < 1 or args.every <= 0:
        raise ConfigurationError("--ahead must be at least 1 and --every more than 0.")
    settings = model_settings(args.model, args.adapter)
    options = DecodingOptions()
    if args.max_tokens is not None:
        options = replace(options, max_tokens=args.max_tokens)
    options = options.checked()
    stop = threading.Event()
    with stopped_by(stop, signal.SIGINT, signal.SIGTERM), Store() as store:
        if not store.hold_write_ahead():
            raise ConfigurationError(
                f"A write-ahead service is already running for the store {store.location}.",
                "One service per department store: stop the other one first.",
            )
        engine = open_engine(settings)
        try:
            engine.load(report_progress)  # a model that cannot load ends the service at once
            author = store.acting_user()
            while not stop.is_set():
                try:
                    for drafted in write_ahead_all(
                        store, engine, author=author, ahead=args.ahead, options=options,
                        cancel=stop.is_set,
                    ):  # fmt: skip
                        _say(drafted)
                except StoreError as exc:
                    if args.once:
                        raise
                    # the store away for a moment, the model not registered yet: say so, and
                    # look again later rather than end the service
                    hint = f" ({exc.hint})" if exc.hint else ""
                    print(f"letterdesk: {exc.message}{hint} Trying again in {args.every:g} s.",
                          file=sys.stderr, flush=True)  # fmt: skip
                if args.once:
                    break
                stop.wait(args.every)
        except Interrupted:
            pass  # stopped midway through a draft: nothing of it was stored
        finally:
            engine.close()
    print("letterdesk: writing ahead stopped.", file=sys.stderr, flush=True)
    return 0


def _say(drafted: Drafted) -> None:
    """One line on stderr per case: drafted (tokens, seconds), or why not."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    if drafted.result is not None:
        timing = drafted.result.timing
        print(f"letterdesk: {stamp} draft written ahead for case {drafted.case_id} "
              f"(letter {drafted.result.letter.id}, {timing.completion_tokens} tokens, "
              f"{timing.total_s:.1f} s)", file=sys.stderr, flush=True)  # fmt: skip
    elif drafted.failure is not None:
        print(f"letterdesk: {stamp} case {drafted.case_id} could not be drafted ahead: "
              f"{drafted.failure.reason}", file=sys.stderr, flush=True)  # fmt: skip
    else:
        print(f"letterdesk: {stamp} the draft written ahead for case {drafted.case_id} was not "
              f"kept: {drafted.overtaken}", file=sys.stderr, flush=True)  # fmt: skip
