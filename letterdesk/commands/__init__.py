"""Subcommands of the ``letterdesk`` command that run jobs of the core headless.

Each module offers ``add_parser(sub)``, registered in :data:`letterdesk.cli.COMMANDS`, and
imports the core only when its command runs, so ``letterdesk --help`` stays fast.
Progress goes to stderr; stdout carries only the result (a letter, a table).
"""

from __future__ import annotations

import sys
from typing import Any


def report_progress(chunk: Any) -> None:
    """Write the engine's loading steps and notices to stderr, one line each."""
    from letterdesk.core.engine.types import Notice, Progress

    if isinstance(chunk, Progress):
        print(f"letterdesk: {chunk.message}", file=sys.stderr, flush=True)
    elif isinstance(chunk, Notice):
        print(f"letterdesk: note: {chunk.message}", file=sys.stderr, flush=True)
