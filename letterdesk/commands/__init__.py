"""Subcommands of the ``letterdesk`` command that run jobs of the core headless.

Each module offers ``add_parser(sub)``, registered in :data:`letterdesk.cli.COMMANDS`, and
imports the core only when its command runs, so ``letterdesk --help`` stays fast.
Progress goes to stderr; stdout carries only the result (a letter, a table).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def report_progress(chunk: Any) -> None:
    """Write the engine's loading steps and notices to stderr, one line each."""
    from letterdesk.core.engine.types import Notice, Progress

    if isinstance(chunk, Progress):
        print(f"letterdesk: {chunk.message}", file=sys.stderr, flush=True)
    elif isinstance(chunk, Notice):
        print(f"letterdesk: note: {chunk.message}", file=sys.stderr, flush=True)


def model_settings(model: Path | None, adapter: Path | None) -> Any:
    """The checked engine settings of the user's settings, with a model file given on the
    command line run locally and an adapter given there used."""
    from dataclasses import replace

    from letterdesk.core.engine.types import engine_settings
    from letterdesk.core.foundation.settings import load_settings

    settings = engine_settings(load_settings()).checked()
    if model is not None:  # a model file given here runs locally
        settings = replace(settings, backend="local", model_path=model)
    if adapter is not None:
        settings = replace(settings, lora_path=adapter)
    return settings


@contextmanager
def stopped_by(stop: threading.Event, *signals: int) -> Iterator[None]:
    """Within the block, these signals (Ctrl+C: ``signal.SIGINT``) set ``stop`` instead of
    ending the command; the earlier handlers come back afterwards. Off the main thread, where
    Python cannot take signals, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {number: signal.signal(number, lambda *_: stop.set()) for number in signals}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
