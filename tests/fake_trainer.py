"""A stand-in for ``python -m training``: it speaks the trainer's JSON-lines protocol in
milliseconds, so the app's side of training (core job, GUI dialog) is tested fast.

:func:`fake_python` writes an executable that
:class:`~letterdesk.core.models.trainer_job.TrainerJob`
starts in place of Python (``LearningSettings.python``); it drops ``-m training`` and runs this
file with the subcommand's arguments. The environment steers it:

``FAKE_TRAINER_LOG``
    a file to which each start appends ``{"argv": [...], "pid": N}``
``FAKE_TRAINER_STEPS``
    fine-tuning steps (default 6)
``FAKE_TRAINER_PAUSE_AT``
    a fresh fine-tuning (not ``--resume``) waits after this step until it is stopped
``FAKE_TRAINER_MODEL``
    the GGUF file the candidate names; ``FAKE_TRAINER_PROMOTE=0`` decides against it
``FAKE_TRAINER_FAIL``
    the stage that fails with an ``error`` event
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

EXIT_STOPPED = 130
NEW = {"rouge1": 0.61, "rouge2": 0.42, "rougeL": 0.55, "key_fact_recall": 0.97}
CURRENT = {"rouge1": 0.52, "rouge2": 0.31, "rougeL": 0.44, "key_fact_recall": 0.95}


def fake_python(folder: Path) -> Path:
    """An executable that runs this fake for ``python -m training ...`` (POSIX)."""
    wrapper = folder / "fake-python"
    wrapper.write_text(
        f'#!/bin/sh\nshift 2  # "-m training"\nexec "{sys.executable}" "{__file__}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    return wrapper


def log(**record: object) -> None:
    print(json.dumps(record), flush=True)


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def dataset(argv: list[str]) -> None:
    out = Path(option(argv, "--out"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text("{}", encoding="utf-8")
    log(event="done", out=str(out), train=8, heldout=2)


def finetune(argv: list[str]) -> None:
    out, stop = Path(option(argv, "--out")), Path(option(argv, "--stop-file"))
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = out / "checkpoints" / "step"
    steps = int(os.environ.get("FAKE_TRAINER_STEPS", "6"))
    pause = int(os.environ.get("FAKE_TRAINER_PAUSE_AT", "0"))
    step = 0
    if "--resume" in argv:
        step = int(checkpoint.read_text(encoding="utf-8"))
        log(event="resumed", step=step, best_loss=2.0)
    else:
        log(event="validation", step=0, heldout_loss=2.5)
    log(event="start", steps=steps)
    while step < steps:
        waited = time.monotonic()
        while pause and "--resume" not in argv and step == pause and not stop.exists():
            if time.monotonic() - waited > 60:
                break  # never hang a test run
            time.sleep(0.02)
        if stop.exists():
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            checkpoint.write_text(str(step), encoding="utf-8")
            log(event="stopped", step=step, checkpoint=str(checkpoint.parent))
            sys.exit(EXIT_STOPPED)
        step += 1
        log(event="progress", step=step, steps=steps, loss=round(3.0 / step, 4), lr=0.0002,
            tokens_per_s=900, eta_s=(steps - step) * 100)  # fmt: skip
    log(event="validation", step=steps, heldout_loss=1.5, best_loss=1.5, best_step=steps)
    (out / "result.json").write_text("{}", encoding="utf-8")
    log(event="done", steps=steps, stop_reason="max_steps")


def promote(argv: list[str]) -> None:
    out = Path(option(argv, "--out"))
    out.mkdir(parents=True, exist_ok=True)
    log(event="stage", stage="export", kind="merged")
    log(event="stage", stage="evaluate", cases=2)
    log(event="evaluation", model="new", cases=2, **NEW)
    log(event="evaluation", model="current", cases=2, **CURRENT)
    promote = os.environ.get("FAKE_TRAINER_PROMOTE", "1") == "1"
    reason = (
        "Made the default: not worse than the current model."
        if promote
        else "Kept, not made the default: ROUGE-L fell from 0.550 to 0.440."
    )
    decision = {"promote": promote, "reason": reason}
    log(event="decision", **decision)
    lineage = {"evaluation": {"new": NEW, "current": CURRENT, "current_sha256": None,
                              "current_adapter": None}}  # fmt: skip
    candidate = {"format": 1, "version": "ft-fake", "model_path": os.environ["FAKE_TRAINER_MODEL"],
                 "adapter_path": None, "lineage": lineage, "decision": decision}  # fmt: skip
    (out / "candidate.json").write_text(json.dumps(candidate), encoding="utf-8")


def main(argv: list[str]) -> None:
    if "FAKE_TRAINER_LOG" in os.environ:
        with open(os.environ["FAKE_TRAINER_LOG"], "a", encoding="utf-8") as record:
            record.write(json.dumps({"argv": argv, "pid": os.getpid()}) + "\n")
    stage = argv[0]
    if os.environ.get("FAKE_TRAINER_FAIL") == stage:
        log(event="error", message=f"The fake {stage} failed.", hint="It was told to.")
        sys.exit(1)
    {"dataset": dataset, "finetune": finetune, "promote": promote}[stage](argv)


if __name__ == "__main__":
    main(sys.argv[1:])
