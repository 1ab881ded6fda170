"""A fine-tuning's files: resumable checkpoints (adapter, optimizer, loop state) in
``checkpoints/step-NNNNNN``, only the newest kept, and the best adapter in ``adapter/``; each
written whole or not at all."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from letterdesk.core.models.trainer_events import Event
from training.errors import ToolchainError
from training.files import staged_dir
from training.finetune_args import FinetuneArgs, hyperparameters
from training.progress import log

ADAPTER_DIR, CHECKPOINT_DIR = "adapter", "checkpoints"


def checkpoints(out: Path) -> list[Path]:
    """Complete checkpoints in out/checkpoints, oldest first."""
    folder = out / CHECKPOINT_DIR
    found = (
        [p for p in folder.glob("step-*") if (p / "state.pt").is_file()] if folder.is_dir() else []
    )
    return sorted(found, key=lambda p: p.name)


def latest_checkpoint(out: Path) -> Path | None:
    """The newest complete checkpoint, or None."""
    found = checkpoints(out)
    return found[-1] if found else None


def fingerprint(args: FinetuneArgs) -> dict[str, Any]:
    """What a checkpoint must share with the run that resumes it."""
    manifest = (args.data / "manifest.json").read_bytes()
    return {
        "base": str(args.base.resolve()),
        "data": hashlib.sha256(manifest).hexdigest(),
        **hyperparameters(args),
    }


def save_checkpoint(model, optimizer, state: dict[str, Any], args: FinetuneArgs) -> Path:
    """Adapter, optimizer and loop state of this step, written whole or not at all."""
    import torch

    folder = args.out / CHECKPOINT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"step-{state['step']:06d}"
    with staged_dir(target) as staging:
        model.save_pretrained(staging)
        torch.save(
            {
                **state,
                "optimizer": optimizer.state_dict(),
                "rng": torch.get_rng_state(),
                "fingerprint": fingerprint(args),
            },
            staging / "state.pt",
        )
    for old in checkpoints(args.out)[: -args.keep_checkpoints]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def load_checkpoint(model, optimizer, args: FinetuneArgs) -> dict[str, Any] | None:
    """Restore the newest checkpoint into model and optimizer; its loop state, or None."""
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    found = latest_checkpoint(args.out)
    if found is None:
        log(Event.NOTICE, message=f"no checkpoint in {args.out}; starting at step 0")
        return None
    state = torch.load(found / "state.pt", weights_only=True)
    if state["fingerprint"] != fingerprint(args):
        changed = sorted(
            k for k, v in fingerprint(args).items() if state["fingerprint"].get(k) != v
        )
        raise ToolchainError(
            f"checkpoint {found} was written with other settings ({', '.join(changed)})",
            hint="resume with the same base, data and hyperparameters, or use a new --out",
        )
    set_peft_model_state_dict(model, load_file(found / "adapter_model.safetensors"))
    optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"])
    return state


def save_adapter(model, out: Path) -> Path:
    """The adapter (adapter_config.json + adapter_model.safetensors) in out/adapter."""
    target = out / ADAPTER_DIR
    with staged_dir(target) as staging:
        model.save_pretrained(staging)
    return target
