"""python -m training finetune: QLoRA on signed-off letters, the trainer of the learning loop.

The story, top to bottom: arguments (every problem reported at once) → ``main()`` reads the
dataset, puts invented names and birth dates in its placeholders, renders each prompt exactly
as the app does, loads the base model in 4-bit NF4 with double quantisation and marks the
LoRA matrices on every linear projection (q, k, v, o, gate, up, down) as the only weights that
train → ``fit()`` is the loop → ``validate()`` measures the loss on the validation letters (a
third of the held-out letters, :func:`training.dataset.split_heldout`; the others are left for
the promotion's evaluation, so the checkpoint is not chosen on the letters that judge it) →
the best adapter (lowest validation loss) is saved with ``result.json``.

The loss counts the letter's tokens only; the prompt is masked. Progress is one JSON object
per line on stdout (``"event": "progress"`` with step, loss, lr, tokens_per_s, eta_s; also
``start``, ``notice``, ``validation``, ``checkpoint``, ``resumed``, ``done``, ``stopped``,
``error``). A checkpoint (adapter, optimizer, step) is written every ``checkpoint_interval``
steps and when a stop is requested (Ctrl-C, SIGTERM or the ``--stop-file`` appearing);
``--resume`` continues from the newest one at the step it was written.

The loop is here; the arguments are :mod:`training.finetune_args`, the data and its batches
:mod:`training.finetune_data`, the model :mod:`training.finetune_model` and the checkpoints
:mod:`training.finetune_checkpoints`.

Exit codes: 0 trained, 1 failed (the message also as ``{"event": "error"}``), 2 bad
arguments, 130 stopped on request (resumable).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from letterdesk.core.models.trainer_events import EXIT_STOPPED, Event
from training.dataset import load_dataset
from training.errors import ToolchainError
from training.files import write_json
from training.finetune_args import FinetuneArgs, hyperparameters
from training.finetune_checkpoints import (
    ADAPTER_DIR,
    latest_checkpoint,
    load_checkpoint,
    save_adapter,
    save_checkpoint,
)
from training.finetune_data import Example, collate, encode_dataset, micro_batches
from training.finetune_model import load_model, mark_trainable, out_of_memory, pick_device
from training.progress import fail, log

RESULT_FILE = "result.json"


def main(args: FinetuneArgs) -> dict[str, Any]:
    """Train the adapter; return result.json's content."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if (args.out / RESULT_FILE).exists() and args.resume:
        result = json.loads((args.out / RESULT_FILE).read_text(encoding="utf-8"))
        log(Event.DONE, note="this run had already finished", **result)
        return result
    if not args.resume and latest_checkpoint(args.out) is not None:
        raise ToolchainError(
            f"{args.out} holds checkpoints of an earlier run",
            hint="pass --resume to continue it, or choose another --out folder",
        )

    device = pick_device(args.device)
    torch.manual_seed(args.seed)
    dataset = load_dataset(args.data)
    if dataset.validation and not dataset.evaluation:
        raise ToolchainError(
            "only one letter is held out: it would choose the best checkpoint, and none would be "
            "left to evaluate the new model on",
            hint="sign off letters of more patients, or export with a larger --heldout-fraction",
        )
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    train, heldout, balance = encode_dataset(dataset, tokenizer, args)
    train_pairs = sum(kind["pairs"] for kind in balance.values())
    if args.eval_pairs:
        heldout = heldout[: args.eval_pairs]
    model = load_model(args, device)
    letter_tokens = (
        sorted({t for ids, start in train for t in ids[start:]})
        if args.train_token_embeddings
        else []
    )
    model, trainable = mark_trainable(model, args, letter_tokens)
    steps = total_steps(args, len(train))
    log(
        Event.START,
        device=device,
        quantized=args.quantize,
        trainable_parameters=trainable,
        train_pairs=train_pairs,
        train_examples=len(train),
        heldout_pairs=len(heldout),
        heldout_split="validation",
        evaluation_pairs=len(dataset.evaluation),
        steps=steps,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    result = fit(model, train, heldout, args, device, steps, tokenizer.pad_token_id or 0)
    result = {
        **result,
        "base": str(args.base.resolve()),
        "dataset_manifest_sha256": dataset.manifest_sha256,
        "device": device,
        "train_pairs": train_pairs,
        "train_examples": len(train),
        "letter_types": balance,
        "heldout_pairs": len(heldout),
        "heldout_split": "validation",
        "hyperparameters": hyperparameters(args),
    }
    if result["stop_reason"] != "stopped":
        write_json(args.out / RESULT_FILE, result)
    return result


def total_steps(args: FinetuneArgs, n_train: int) -> int:
    """Optimizer steps of the whole run."""
    if args.max_steps:
        return args.max_steps
    micro_per_epoch = math.ceil(n_train / args.micro_batch_size)
    return max(1, math.ceil(args.epochs * micro_per_epoch / args.accumulation))


def learning_rate(args: FinetuneArgs, step: int, steps: int) -> float:
    """Linear warm-up, then cosine decay to zero at the last step."""
    if step < args.warmup_steps:
        return args.learning_rate * (step + 1) / args.warmup_steps
    progress = (step - args.warmup_steps) / max(1, steps - args.warmup_steps)
    return args.learning_rate * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


def make_optimizer(model, args: FinetuneArgs, device: str):
    """Paged 8-bit AdamW on a GPU (bitsandbytes), plain AdamW on the CPU."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    if device == "cuda":
        import bitsandbytes as bnb

        return bnb.optim.PagedAdamW8bit(params, lr=args.learning_rate, weight_decay=0.0)
    return torch.optim.AdamW(params, lr=args.learning_rate, weight_decay=0.0)


class StopRequest:
    """Set by Ctrl-C, SIGTERM or the stop file; the loop checks it after each step."""

    def __init__(self, stop_file: Path | None) -> None:
        self.stop_file = stop_file
        self.signalled = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame) -> None:  # noqa: ARG002 - signal handler signature
        self.signalled = True

    def __bool__(self) -> bool:
        return self.signalled or bool(self.stop_file and self.stop_file.exists())


# --- the loop ----------------------------------------------------------------------------------


def fit(model, train, heldout, args: FinetuneArgs, device: str, steps: int, pad_id: int) -> dict:
    """The training loop; returns what result.json records about it."""
    import torch

    optimizer = make_optimizer(model, args, device)
    stop = StopRequest(args.stop_file)
    state = {
        "step": 0,
        "best_loss": math.inf,
        "best_step": 0,
        "stale_evals": 0,
        "loss_before": None,
        "tokens": 0,
    }
    if args.resume and (restored := load_checkpoint(model, optimizer, args)) is not None:
        state = {k: restored[k] for k in state}
        log(Event.RESUMED, step=state["step"], best_loss=state["best_loss"])
    if state["loss_before"] is None:
        state["loss_before"] = state["best_loss"] = validate(model, heldout, pad_id, device)
        log(Event.VALIDATION, step=0, heldout_loss=state["loss_before"])

    stream = micro_batches(train, args, state["step"] * args.accumulation)
    started, first_step, run_tokens = time.monotonic(), state["step"], 0
    stop_reason, last_eval = "max_steps", state["step"]
    model.train()
    while state["step"] < steps:
        if stop:
            path = save_checkpoint(model, optimizer, state, args)
            log(Event.STOPPED, step=state["step"], checkpoint=str(path))
            return {"stop_reason": "stopped", "step": state["step"]}
        lr = learning_rate(args, state["step"], steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss_sum, step_tokens = 0.0, 0
        for _ in range(args.accumulation):
            inputs, labels, mask = collate(next(stream), pad_id, device)
            loss = model(input_ids=inputs, attention_mask=mask, labels=labels).loss
            (loss / args.accumulation).backward()
            loss_sum += loss.item()
            step_tokens += int(mask.sum())
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        state["step"] += 1
        state["tokens"] += step_tokens
        run_tokens += step_tokens
        elapsed = time.monotonic() - started
        done_here = state["step"] - first_step
        log(
            Event.PROGRESS,
            step=state["step"],
            steps=steps,
            loss=round(loss_sum / args.accumulation, 4),
            lr=lr,
            tokens_per_s=round(run_tokens / max(elapsed, 1e-6)),
            eta_s=round(elapsed / done_here * (steps - state["step"])),
        )

        if state["step"] % args.eval_interval == 0 or state["step"] == steps:
            last_eval = state["step"]
            heldout_loss = validate(model, heldout, pad_id, device)
            improved = heldout_loss < state["best_loss"]
            if improved:
                state.update(best_loss=heldout_loss, best_step=state["step"], stale_evals=0)
                save_adapter(model, args.out)
            else:
                state["stale_evals"] += 1
            log(
                Event.VALIDATION,
                step=state["step"],
                heldout_loss=heldout_loss,
                best_loss=state["best_loss"],
                best_step=state["best_step"],
            )
            model.train()
            if args.patience and state["stale_evals"] >= args.patience:
                stop_reason = "early_stopping"
                log(Event.EARLY_STOP, step=state["step"], best_step=state["best_step"])
                break
        if state["step"] % args.checkpoint_interval == 0 and state["step"] < steps:
            path = save_checkpoint(model, optimizer, state, args)
            log(Event.CHECKPOINT, step=state["step"], path=str(path))

    if state["best_step"] == 0:  # never better than the base: keep the last adapter all the same
        save_adapter(model, args.out)
    result = {
        "stop_reason": stop_reason,
        "steps": state["step"],
        "best_step": state["best_step"],
        "heldout_loss_before": state["loss_before"],
        "heldout_loss_best": state["best_loss"],
        "improved": state["best_step"] > 0,
        "last_validation_step": last_eval,
        "adapter": str((args.out / ADAPTER_DIR).resolve()),
        "train_seconds": round(time.monotonic() - started, 1),
    }
    log(Event.DONE, **result)
    return result


def validate(model, heldout: list[Example], pad_id: int, device: str) -> float:
    """Mean loss per letter token over the held-out pairs of the validation split."""
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for ids, letter_start in heldout:
            inputs, labels, mask = collate([(ids, letter_start)], pad_id, device)
            n = int((labels[:, 1:] != -100).sum())  # the model shifts labels by one
            total += model(input_ids=inputs, attention_mask=mask, labels=labels).loss.item() * n
            count += n
    return round(total / max(count, 1), 5)


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> FinetuneArgs:
    """Command-line flags for every field of :class:`FinetuneArgs`."""
    parser = argparse.ArgumentParser(
        prog="python -m training finetune", description=__doc__.split("\n")[0]
    )
    for f in dataclasses.fields(FinetuneArgs):
        flag = f"--{f.name.replace('_', '-')}"
        if f.default is dataclasses.MISSING:
            parser.add_argument(flag, type=Path, required=True)
        elif isinstance(f.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        elif f.name == "stop_file":
            parser.add_argument(flag, type=Path, default=None)
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default)
    args = FinetuneArgs(**vars(parser.parse_args(argv)))
    if problems := args.problems():
        parser.error("; ".join(problems))
    return args


def cli(argv: Sequence[str]) -> int:
    """Entry point of `python -m training finetune`; see the module docstring for exit codes."""
    args = parse_args(argv)
    try:
        result = main(args)
    except ToolchainError as exc:
        return fail(exc)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message the app can show
        if out_of_memory(exc):
            return fail(
                ToolchainError(
                    f"out of memory while training (micro-batch {args.micro_batch_size}, "
                    f"up to {args.max_seq_len} tokens)",
                    "lower --micro-batch-size or --max-seq-len, then --resume from the last "
                    "checkpoint",
                )
            )
        import traceback

        traceback.print_exc()
        return fail(
            ToolchainError(
                f"the trainer crashed: {type(exc).__name__}: {exc}",
                "the last checkpoint can be resumed with --resume; report the log above",
            )
        )
    return EXIT_STOPPED if result.get("stop_reason") == "stopped" else 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
