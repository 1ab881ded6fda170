"""python -m training promote: a trained adapter → GGUF → held-out evaluation → promotion decision.

The story: arguments (every problem at once) → export: merge the adapter into the 16-bit base,
convert and quantize (``--export merged``, the default), or write the adapter as a GGUF LoRA
next to the base's GGUF (``--export lora``) → generate a letter for each case of the
evaluation split (the held-out letters fine-tuning did not choose its checkpoint on,
:func:`training.dataset.split_heldout`) with the current model and the new one (greedy,
llama.cpp, the app's prompt) and score them: ROUGE-1/2/L against the signed letters and
key-fact recall → print the table → decide (:func:`training.promote_decision.decide`) → write
``candidate.json``, which the app files in its store
(:func:`letterdesk.core.models.registry.register_candidate`); ``--register`` files it here.

The gate is non-inferiority: the new version becomes the default only if, over the
evaluation letters, the paired bootstrap 95 % interval of (new − current) lies above −margin
for key-fact recall and for ROUGE-L; with fewer than
:data:`~training.promote_decision.MIN_EVALUATION_LETTERS` letters it is never promoted. With
``--promotion-basis study`` a completed blinded study that names both models by SHA-256 decides
when it found a difference; a tie leaves the decision to the gate, and a study that is not
completed or names other models is ignored, with the reason.

The story is here; the arguments are :mod:`training.promote_args`, the export
:mod:`training.promote_export`, the evaluation :mod:`training.promote_evaluation` and the
decision :mod:`training.promote_decision`.

The current model is ``--current`` (a GGUF, optionally with ``--current-adapter``), else the
store's default version, else the base checkpoint itself converted the same way.
A new version that cannot be exported or run is never registered; one that is not shown to
be no worse is registered (so its lineage is kept) but not promoted, and the reason is said.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.models.trainer_events import Event
from letterdesk.core.store.database import store_location
from training.dataset import load_dataset
from training.errors import ToolchainError
from training.files import read_json, write_json
from training.progress import fail, log
from training.promote_args import PromoteArgs
from training.promote_decision import decide
from training.promote_evaluation import evaluate_version, evaluation_cases, table
from training.promote_export import current_model, export, identity

CANDIDATE_FILE = "candidate.json"


def main(args: PromoteArgs) -> dict[str, Any]:
    """Export, evaluate and decide; return the candidate (also written to candidate.json)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    name = args.name or args.base.resolve().name
    version_label = datetime.now(UTC).strftime("ft-%Y%m%d-%H%M%S")
    run_result = read_json(args.run / "result.json")
    dataset = load_dataset(args.data)

    log(Event.STAGE, stage="export", kind=args.export)
    model_path, adapter_path, export_info = export(args, name, version_label)
    current = current_model(args, export_info)
    new = identity(model_path, adapter_path)
    cases, references = evaluation_cases(dataset.evaluation, args)
    log(
        Event.STAGE,
        stage="evaluate",
        cases=len(cases),
        split="evaluation",
        validation_letters=len(dataset.validation),
    )
    new_metrics = evaluate_version(model_path, adapter_path, cases, references, args, "new")
    current_metrics = evaluate_version(
        current["path"], current["adapter_path"], cases, references, args, "current"
    )
    print(table(current_metrics, new_metrics, current["label"]), flush=True)
    decision = decide(
        current_metrics, new_metrics, args, run_result, {"new": new, "current": current}
    )
    print(decision["reason"], flush=True)
    log(Event.DECISION, **decision)

    lineage = {
        "kind": "fine-tuned",
        "base": {"checkpoint": str(args.base.resolve()), "name": args.base.resolve().name},
        "dataset": {
            "manifest_sha256": dataset.manifest_sha256,
            "counts": dataset.manifest.get("counts", {}),
            "letters_signed": dataset.manifest.get("letters_signed", {}),
        },
        "hyperparameters": run_result.get("hyperparameters", {}),
        "training": {
            k: run_result.get(k)
            for k in (
                "steps",
                "best_step",
                "heldout_loss_before",
                "heldout_loss_best",
                "stop_reason",
                "device",
                "train_seconds",
                "train_pairs",
            )
        },
        "export": export_info["lineage"],
        "evaluation": {
            "split": "evaluation",
            "heldout_cases": len(cases),
            "validation_letters": len(dataset.validation),
            "new_sha256": new["sha256"],
            "new_adapter": new["adapter_sha256"],
            "new": new_metrics,
            "current": current_metrics,
            "current_label": current["label"],
            "current_sha256": current["sha256"],
            "current_adapter": current["adapter_sha256"],
        },
        "decision": decision,
    }
    candidate = {
        "format": 1,
        "name": name,
        "version": version_label,
        "model_path": str(model_path.resolve()),
        "adapter_path": str(adapter_path.resolve()) if adapter_path else None,
        "lineage": lineage,
        "decision": decision,
    }
    write_json(args.out / CANDIDATE_FILE, candidate)
    if args.register:
        candidate["registered"] = file_candidate(args.store, args.out / CANDIDATE_FILE)
    return candidate


# --- filing the candidate in the store ----------------------------------------------------------


def file_candidate(store_path: Path | str | None, candidate: Path) -> dict[str, Any]:
    """Register (and maybe promote) the candidate in the store from this process."""
    from letterdesk.core.models.registry import register_candidate
    from letterdesk.core.store.database import Store

    with Store(store_path) as store:
        outcome = register_candidate(store, candidate)
    log(
        Event.REGISTERED,
        model_id=outcome.version.id,
        promoted=outcome.promoted,
        reason=outcome.reason,
    )
    return {"model_id": outcome.version.id, "promoted": outcome.promoted, "reason": outcome.reason}


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> PromoteArgs:
    """Command-line flags for every field of :class:`PromoteArgs`."""
    parser = argparse.ArgumentParser(
        prog="python -m training promote", description=__doc__.split("\n")[0]
    )
    for f in dataclasses.fields(PromoteArgs):
        flag = f"--{f.name.replace('_', '-')}"
        if f.default is dataclasses.MISSING:
            parser.add_argument(flag, type=Path, required=True)
        elif isinstance(f.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        elif f.name == "store":  # a file, or the department store's postgresql:// URL
            parser.add_argument(flag, type=store_location, default=None)
        elif f.default is None:
            parser.add_argument(flag, type=Path, default=None)
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default)
    args = PromoteArgs(**vars(parser.parse_args(argv)))
    if problems := args.problems():
        parser.error("; ".join(problems))
    return args


def cli(argv: Sequence[str]) -> int:
    """Entry point of `python -m training promote`: 0 whether promoted or not, 1 on failure."""
    args = parse_args(argv)
    try:
        main(args)
    except (ToolchainError, LetterDeskError) as exc:
        return fail(exc)
    return 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
