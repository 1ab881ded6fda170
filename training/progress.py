"""What the trainer tells the app: one JSON line per event on stdout, in the vocabulary of
:mod:`letterdesk.core.models.trainer_events`, and a failure as the app shows it."""

from __future__ import annotations

import sys
from typing import Any

from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.models.trainer_events import Event, TrainerEvent
from training.errors import ToolchainError


def log(event: Event, /, **fields: Any) -> None:
    """One event as one JSON line on stdout, flushed at once: the app reads it as it comes."""
    print(TrainerEvent.of(event, **fields).to_json(), flush=True)


def fail(error: ToolchainError | LetterDeskError) -> int:
    """Report a failure: an ``error`` event for the app, the message on stderr; returns the
    exit code 1."""
    log(Event.ERROR, message=error.message, hint=error.hint or None)
    print(f"error: {error}", file=sys.stderr)
    return 1
