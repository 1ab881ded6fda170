"""The trainer's progress events: the one vocabulary ``training`` writes and the app reads.

``python -m training SUBCOMMAND`` writes one JSON object per line on stdout, its ``event``
first: ``{"event": "progress", "step": 12, "steps": 75, "loss": 1.23, "lr": 0.0002,
"tokens_per_s": 850, "eta_s": 340}``. The trainer writes each line with
:meth:`TrainerEvent.to_json` (through ``training.progress.log``);
:mod:`letterdesk.core.models.trainer_job` reads them back with :meth:`TrainerEvent.from_json`.
A subcommand stopped on request exits with :data:`EXIT_STOPPED` and can be resumed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

EXIT_STOPPED = 130
"""The exit code of a trainer stopped on request (Ctrl-C, SIGTERM, its --stop-file)."""


class Event(StrEnum):
    """The ``event`` of a trainer line, and the fields each one carries."""

    START = "start"
    """finetune: device, quantized, trainable_parameters, train_pairs, heldout_pairs, ..., steps"""
    PROGRESS = "progress"
    """step, steps, loss, lr, tokens_per_s, eta_s (demo-model: without steps)"""
    VALIDATION = "validation"
    """step, heldout_loss; after the first also best_loss, best_step"""
    CHECKPOINT = "checkpoint"
    """step, path"""
    RESUMED = "resumed"
    """step, best_loss"""
    STOPPED = "stopped"
    """step, checkpoint: stopped on request, resumable"""
    EARLY_STOP = "early_stop"
    """step, best_step"""
    SKIPPED_LONG_PAIRS = "skipped_long_pairs"
    """pairs longer than the longest sequence: per split, or count"""
    NOTICE = "notice"
    """message: something the user should know that is not an error"""
    STAGE = "stage"
    """stage (export, evaluate, base, dataset) and what it works on"""
    EXPORTED = "exported"
    """promote: model, adapter"""
    EVALUATION = "evaluation"
    """promote: model (new, current, ...) and its metrics"""
    DECISION = "decision"
    """promote: promote, reason, ... (the promotion decision)"""
    REGISTERED = "registered"
    """promote --register: model_id, promoted, reason"""
    DATA = "data"
    """demo-model: train_pairs, heldout"""
    MODEL = "model"
    """demo-model: parameters, examples"""
    CURVE = "curve"
    """demo-model: minutes, step and the quality of one checkpoint"""
    REMEASURED = "remeasured"
    """demo-model --remeasure: the installed model's quality"""
    DONE = "done"
    """the subcommand finished; what it produced"""
    ERROR = "error"
    """message (for the user), hint (for IT, or null): the subcommand failed"""
    LOG = "log"
    """Read side only: a line that is not a JSON object, kept as {"line": ...}."""


@dataclass(frozen=True)
class TrainerEvent:
    """One line of the trainer's progress."""

    kind: str
    """The line's ``event`` (an :class:`Event`, or a newer one this app does not know);
    ``log`` for a line that is not JSON."""
    data: dict[str, Any]
    """The whole JSON object, ``event`` included (``{"line": ...}`` for ``log``)."""
    stage: str = ""
    """The subcommand that wrote it: dataset, finetune, promote, ..."""

    @classmethod
    def of(cls, kind: str, /, **fields: Any) -> TrainerEvent:
        """The event ``kind`` with ``fields``, as the trainer writes it."""
        return cls(str(kind), {"event": str(kind), **fields})

    @classmethod
    def from_json(cls, line: str, stage: str = "") -> TrainerEvent:
        """A line the trainer wrote; a JSON object without ``event`` is progress, any other
        line is ``log``."""
        text = line.rstrip("\n")
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if isinstance(data, dict):
                return cls(str(data.get("event", Event.PROGRESS)), data, stage)
        return cls(str(Event.LOG), {"line": text}, stage)

    def to_json(self) -> str:
        """The line the trainer writes for this event (no newline)."""
        if self.kind == Event.LOG:
            return str(self.data.get("line", ""))
        return json.dumps(self.data, ensure_ascii=False)

    @property
    def fraction(self) -> float | None:
        """How far a ``progress`` event is (step / steps), None for other events."""
        steps = self.data.get("steps")
        if self.kind != Event.PROGRESS or not steps:
            return None
        return min(1.0, float(self.data.get("step", 0)) / float(steps))

    @property
    def message(self) -> str:
        """What an ``error`` or ``notice`` says ("" if nothing)."""
        return str(self.data.get("message", ""))

    @property
    def hint(self) -> str:
        """An ``error``'s hint for IT ("" if none)."""
        return str(self.data.get("hint") or "")
