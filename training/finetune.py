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

Exit codes: 0 trained, 1 failed (the message also as ``{"event": "error"}``), 2 bad
arguments, 130 stopped on request (resumable).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.cases.case import Case
from letterdesk.core.generation.prompts import build_prompt
from training.dataset import Dataset, load_dataset
from training.errors import ToolchainError
from training.pseudonymise import fill_surrogates
from training.tokenizer import writes_fact_slots

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
ADAPTER_DIR, CHECKPOINT_DIR, RESULT_FILE = "adapter", "checkpoints", "result.json"
EXIT_STOPPED = 130


@dataclass(frozen=True)
class FinetuneArgs:
    """What `python -m training finetune` trains; the defaults are the issue's QLoRA recipe."""

    base: Path
    """Hugging Face checkpoint of the base model (config.json, safetensors, tokenizer)."""
    data: Path
    """Dataset folder written by `python -m training dataset`."""
    out: Path
    """Folder for checkpoints, the best adapter (adapter/) and result.json."""
    lora_r: int = 16
    """Rank of each LoRA pair."""
    lora_alpha: float = 32.0
    """LoRA scale numerator: the update is B·A · alpha / r."""
    lora_dropout: float = 0.05
    """Dropout on the LoRA input."""
    learning_rate: float = 2e-4
    """Peak learning rate; linear warm-up, then cosine decay to zero."""
    warmup_steps: int = 10
    """Optimizer steps of linear warm-up."""
    epochs: float = 3.0
    """Passes over the training pairs (fractions allowed)."""
    max_steps: int = 0
    """Stop after this many optimizer steps; 0: epochs decide."""
    batch_size: int = 8
    """Pairs per optimizer step (gradient accumulation over micro-batches)."""
    micro_batch_size: int = 1
    """Pairs per forward pass; lower it when memory runs out."""
    max_seq_len: int = 2048
    """Longest prompt + letter in tokens; longer pairs are skipped and counted."""
    eval_interval: int = 25
    """Validate on the validation letters every this many steps (and at the start and end)."""
    eval_pairs: int = 0
    """Validation pairs per validation; 0: all."""
    patience: int = 3
    """Stop early after this many validations without a lower validation loss; 0: never."""
    checkpoint_interval: int = 25
    """Write a resumable checkpoint every this many steps."""
    keep_checkpoints: int = 2
    """How many of the newest checkpoints to keep."""
    resume: bool = False
    """Continue from the newest checkpoint in out/checkpoints."""
    seed: int = 0
    """Seed of the data order, the surrogates, dropout and the LoRA initialisation."""
    device: str = "auto"
    """auto (CUDA when there is a GPU, else the CPU), cuda or cpu."""
    quantize: bool = True
    """Load the base in 4-bit NF4 (QLoRA); --no-quantize trains on the 16-bit base."""
    train_token_embeddings: bool = False
    """Also train the embedding rows of every token the training letters use (peft's trainable
    tokens), merged with the adapter. For a small base that never trained some of the tokens a
    new house style uses (the demo model learned only house style A, so its rows for words of
    style B are untrained noise that no LoRA matrix can correct); LLaMA-3 trained every row."""
    gradient_checkpointing: bool = True
    """Recompute activations in the backward pass instead of keeping them (less memory)."""
    min_train_pairs: int = 10
    """Refuse to train on fewer pairs than this: the model would learn nothing useful."""
    stop_file: Path | None = None
    """Stop (with a checkpoint) as soon as this file exists; how the app cancels."""

    def problems(self) -> list[str]:
        """Every problem with the arguments, reported at once."""
        found = []
        if not (self.base / "config.json").is_file():
            found.append(f"base {self.base} has no config.json (not a Hugging Face checkpoint)")
        if not (self.data / "manifest.json").is_file():
            found.append(f"data {self.data} has no manifest.json (not a dataset folder)")
        positive = (
            "lora_r",
            "batch_size",
            "micro_batch_size",
            "max_seq_len",
            "eval_interval",
            "checkpoint_interval",
            "keep_checkpoints",
        )
        found += [f"{name} must be positive" for name in positive if getattr(self, name) <= 0]
        if self.lora_alpha <= 0 or self.learning_rate <= 0:
            found.append("lora_alpha and learning_rate must be positive")
        if not 0 <= self.lora_dropout < 1:
            found.append("lora_dropout must be at least 0 and below 1")
        if self.epochs <= 0 and self.max_steps <= 0:
            found.append("epochs or max_steps must be positive")
        if self.micro_batch_size > 0 and self.batch_size % self.micro_batch_size:
            found.append("batch_size must be a multiple of micro_batch_size")
        if min(self.warmup_steps, self.patience, self.eval_pairs, self.max_steps) < 0:
            found.append("warmup_steps, patience, eval_pairs and max_steps must not be negative")
        if self.device not in ("auto", "cuda", "cpu"):
            found.append(f"device must be auto, cuda or cpu, not {self.device!r}")
        return found

    @property
    def accumulation(self) -> int:
        """Micro-batches per optimizer step."""
        return self.batch_size // self.micro_batch_size


def log(record: dict[str, Any]) -> None:
    """Progress as one JSON line on stdout."""
    print(json.dumps(record, ensure_ascii=False), flush=True)


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
        log({"event": "done", "note": "this run had already finished", **result})
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
    train, heldout = encode_dataset(dataset, tokenizer, args)
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
        {
            "event": "start",
            "device": device,
            "quantized": args.quantize,
            "trainable_parameters": trainable,
            "train_pairs": len(train),
            "heldout_pairs": len(heldout),
            "heldout_split": "validation",
            "evaluation_pairs": len(dataset.evaluation),
            "steps": steps,
        }
    )
    args.out.mkdir(parents=True, exist_ok=True)
    result = fit(model, train, heldout, args, device, steps, tokenizer.pad_token_id or 0)
    result = {
        **result,
        "base": str(args.base.resolve()),
        "dataset_manifest_sha256": dataset.manifest_sha256,
        "device": device,
        "train_pairs": len(train),
        "heldout_pairs": len(heldout),
        "heldout_split": "validation",
        "hyperparameters": hyperparameters(args),
    }
    if result["stop_reason"] != "stopped":
        _write_json(args.out / RESULT_FILE, result)
    return result


def pick_device(wanted: str) -> str:
    """cuda or cpu; says so in the progress when there is no GPU."""
    import torch

    if wanted == "cuda" and not torch.cuda.is_available():
        raise ToolchainError("--device cuda was asked for, but no CUDA GPU is available")
    device = "cuda" if wanted == "auto" and torch.cuda.is_available() else wanted
    device = "cpu" if device == "auto" else device
    if device == "cpu":
        log(
            {
                "event": "notice",
                "message": "No GPU: training on the CPU. This works, but is "
                "slow; a GPU trains a large model many times faster.",
            }
        )
    return device


def hyperparameters(args: FinetuneArgs) -> dict[str, Any]:
    """The arguments that shape the adapter, for the lineage of the model version."""
    keep = (
        "lora_r",
        "lora_alpha",
        "lora_dropout",
        "learning_rate",
        "warmup_steps",
        "epochs",
        "max_steps",
        "batch_size",
        "micro_batch_size",
        "max_seq_len",
        "patience",
        "seed",
        "quantize",
        "train_token_embeddings",
        "gradient_checkpointing",
    )
    return {name: getattr(args, name) for name in keep} | {
        "target_modules": list(TARGET_MODULES),
        "quantization": "nf4+double" if args.quantize else "none",
        "schedule": "cosine",
    }


# --- data --------------------------------------------------------------------------------------

Example = tuple[list[int], int]
"""Token ids of prompt + letter + end of turn, and where the letter starts."""


def base_chat_template(base: Path) -> str | None:
    """The base checkpoint's chat template (None: the app's fallback, as the app would use)."""
    from training.tokenizer import read_json

    config = read_json(base / "tokenizer_config.json")
    template = config.get("chat_template")
    if isinstance(template, list):
        template = next((t["template"] for t in template if t.get("name") == "default"), None)
    jinja_file = base / "chat_template.jinja"
    if template is None and jinja_file.exists():
        template = jinja_file.read_text(encoding="utf-8")
    return template


def pair_texts(
    pair: dict[str, Any], template: str | None, bos: str, seed: str, slots: bool = False
) -> tuple[str, str]:
    """(prompt, letter) with surrogates in the placeholders, the prompt rendered as the app does;
    with ``slots`` (a base model that writes fact slots) the letter is the slotted one."""
    target = pair["slotted"] if slots and "slotted" in pair else pair["letter"]
    case, (letter,) = fill_surrogates(pair["case"], [target], random.Random(seed))
    return build_prompt(Case(case), template, bos_token=bos), letter


def encode_dataset(
    dataset: Dataset, tokenizer, args: FinetuneArgs
) -> tuple[list[Example], list[Example]]:
    """Token ids of the training and validation pairs; too long ones are skipped and reported.
    The held-out pairs of the evaluation split are not touched: they decide the promotion."""
    from training.tokenizer import EOT

    template = base_chat_template(args.base)
    slots = writes_fact_slots(args.base)
    bos = tokenizer.bos_token or "<|begin_of_text|>"
    end = tokenizer.convert_tokens_to_ids(EOT)
    if end is None or end == tokenizer.unk_token_id:
        end = tokenizer.eos_token_id
    encoded, skipped = {}, {}
    for split, pairs in (("train", dataset.train), ("heldout", dataset.validation)):
        texts = [
            pair_texts(p, template, bos, f"{args.seed}:{split}:{i}", slots)
            for i, p in enumerate(pairs)
        ]
        prompts = tokenizer([p for p, _ in texts], add_special_tokens=False)["input_ids"]
        letters = tokenizer([lt for _, lt in texts], add_special_tokens=False)["input_ids"]
        examples = [(p + lt + [end], len(p)) for p, lt in zip(prompts, letters, strict=True)]
        encoded[split] = [e for e in examples if len(e[0]) <= args.max_seq_len]
        skipped[split] = len(examples) - len(encoded[split])
    if any(skipped.values()):
        log({"event": "skipped_long_pairs", "max_seq_len": args.max_seq_len, **skipped})
    train, heldout = encoded["train"], encoded["heldout"]
    if len(train) < args.min_train_pairs:
        raise ToolchainError(
            f"only {len(train)} training pairs ({skipped['train']} more were longer than "
            f"{args.max_seq_len} tokens and skipped); at least {args.min_train_pairs} are needed",
            hint="sign off more letters, or raise --max-seq-len if many were skipped",
        )
    if not heldout:
        raise ToolchainError(
            "no held-out pairs to validate on "
            f"({skipped['heldout']} were longer than {args.max_seq_len} tokens)",
            hint="the dataset needs signed letters of at least two patients",
        )
    return train, heldout


# --- the model ---------------------------------------------------------------------------------


def load_model(args: FinetuneArgs, device: str):
    """The base model: 4-bit NF4 with double quantisation (QLoRA), or 16-bit without."""
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    if device == "cuda":
        compute = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    else:
        compute = torch.float32  # bfloat16 matmuls are slower than float32 on most CPUs
    if not args.quantize:
        model = AutoModelForCausalLM.from_pretrained(args.base, dtype=compute).to(device)
        if args.gradient_checkpointing:
            model.gradient_checkpointing_enable({"use_reentrant": False})
            model.enable_input_require_grads()
        return model
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as exc:
        raise ToolchainError(
            f"bitsandbytes cannot be loaded ({exc}), so the base cannot be quantized",
            hint="install bitsandbytes, or pass --no-quantize to train on the 16-bit base",
        ) from exc
    quantization = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute,
    )
    model = AutoModelForCausalLM.from_pretrained(
        args.base, quantization_config=quantization, device_map={"": device}, dtype=compute
    )
    keep_cpu_weights_trainable(model)
    for param in model.parameters():
        param.requires_grad = False
        if param.ndim == 1:  # norm gains in float32, as QLoRA does; they are tiny
            param.data = param.data.float()
    # peft's prepare_model_for_kbit_training would also cast the embeddings and the output
    # layer to float32: 2 GB more for LLaMA-3 8B (1.05e9 parameters), for no gain here
    if args.gradient_checkpointing:
        model.gradient_checkpointing_enable({"use_reentrant": False})
        model.enable_input_require_grads()
    return model


def keep_cpu_weights_trainable(model) -> None:
    """Stop bitsandbytes from repacking 4-bit weights for CPU inference during validation.

    On CPUs with AVX512-BF16, bitsandbytes 0.50 repacks a Linear4bit's weight the first time it
    runs in eval mode without gradients, and never back; training afterwards goes through a
    kernel without a backward pass and the gradients reaching earlier layers are wrong
    (measured: relative error ~1.0 against the dequantized model; torch warns
    "gemv_4bit: an autograd kernel was not registered"). The flag below is what it checks.
    """
    import bitsandbytes as bnb

    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False


def mark_trainable(model, args: FinetuneArgs, letter_tokens: Sequence[int] = ()) -> tuple[Any, int]:
    """Wrap the model with LoRA on every linear projection; only those matrices train, and the
    embedding rows of ``letter_tokens`` (given with ``train_token_embeddings``)."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=list(TARGET_MODULES),
        bias="none",
        task_type="CAUSAL_LM",
        trainable_token_indices=list(letter_tokens) or None,
    )
    peft_model = get_peft_model(model, config)
    peft_model.config.use_cache = False  # no KV cache while training (checkpointing forbids it)
    return peft_model, sum(p.numel() for p in peft_model.parameters() if p.requires_grad)


def total_steps(args: FinetuneArgs, n_train: int) -> int:
    """Optimizer steps of the whole run."""
    if args.max_steps:
        return args.max_steps
    micro_per_epoch = math.ceil(n_train / args.micro_batch_size)
    return max(1, math.ceil(args.epochs * micro_per_epoch / args.accumulation))


# --- helpers of the loop -----------------------------------------------------------------------


def micro_batches(
    examples: list[Example], args: FinetuneArgs, start: int
) -> Iterator[list[Example]]:
    """Micro-batches from number ``start`` on: each epoch a fresh seeded shuffle, so a resumed
    run sees exactly the batches the interrupted one would have seen."""
    per_epoch = math.ceil(len(examples) / args.micro_batch_size)
    index = start
    while True:
        epoch, position = divmod(index, per_epoch)
        order = list(range(len(examples)))
        random.Random(f"{args.seed}:epoch:{epoch}").shuffle(order)
        chosen = order[position * args.micro_batch_size : (position + 1) * args.micro_batch_size]
        yield [examples[i] for i in chosen]
        index += 1


def collate(batch: list[Example], pad_id: int, device: str):
    """Input ids, labels (-100 on the prompt and padding) and attention mask."""
    import torch

    width = max(len(ids) for ids, _ in batch)
    inputs = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (ids, letter_start) in enumerate(batch):
        inputs[row, : len(ids)] = torch.tensor(ids)
        labels[row, letter_start : len(ids)] = torch.tensor(ids[letter_start:])
        mask[row, : len(ids)] = 1
    return inputs.to(device), labels.to(device), mask.to(device)


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
    import hashlib

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
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=f".{target.name}."))
    try:
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
        _replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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
        log({"event": "notice", "message": f"no checkpoint in {args.out}; starting at step 0"})
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
    staging = Path(tempfile.mkdtemp(dir=out, prefix=f".{ADAPTER_DIR}."))
    try:
        model.save_pretrained(staging)
        _replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


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
        log({"event": "resumed", "step": state["step"], "best_loss": state["best_loss"]})
    if state["loss_before"] is None:
        state["loss_before"] = state["best_loss"] = validate(model, heldout, pad_id, device)
        log({"event": "validation", "step": 0, "heldout_loss": state["loss_before"]})

    stream = micro_batches(train, args, state["step"] * args.accumulation)
    started, first_step, run_tokens = time.monotonic(), state["step"], 0
    stop_reason, last_eval = "max_steps", state["step"]
    model.train()
    while state["step"] < steps:
        if stop:
            path = save_checkpoint(model, optimizer, state, args)
            log({"event": "stopped", "step": state["step"], "checkpoint": str(path)})
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
            {
                "event": "progress",
                "step": state["step"],
                "steps": steps,
                "loss": round(loss_sum / args.accumulation, 4),
                "lr": lr,
                "tokens_per_s": round(run_tokens / max(elapsed, 1e-6)),
                "eta_s": round(elapsed / done_here * (steps - state["step"])),
            }
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
                {
                    "event": "validation",
                    "step": state["step"],
                    "heldout_loss": heldout_loss,
                    "best_loss": state["best_loss"],
                    "best_step": state["best_step"],
                }
            )
            model.train()
            if args.patience and state["stale_evals"] >= args.patience:
                stop_reason = "early_stopping"
                log({"event": "early_stop", "step": state["step"], "best_step": state["best_step"]})
                break
        if state["step"] % args.checkpoint_interval == 0 and state["step"] < steps:
            path = save_checkpoint(model, optimizer, state, args)
            log({"event": "checkpoint", "step": state["step"], "path": str(path)})

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
    log({"event": "done", **result})
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


# --- small things ------------------------------------------------------------------------------


def _replace_dir(new: Path, target: Path) -> None:
    new.chmod(0o755)  # mkdtemp makes it private
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


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


def out_of_memory(exc: BaseException) -> bool:
    """Whether an exception is the GPU or the CPU running out of memory."""
    import torch

    text = str(exc)
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError)
        and ("out of memory" in text or "can't allocate memory" in text)
    )


def cli(argv: Sequence[str]) -> int:
    """Entry point of `python -m training finetune`; see the module docstring for exit codes."""
    args = parse_args(argv)
    try:
        result = main(args)
    except ToolchainError as exc:
        return _fail(exc.message, exc.hint)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message the app can show
        if out_of_memory(exc):
            return _fail(
                f"out of memory while training (micro-batch {args.micro_batch_size}, "
                f"up to {args.max_seq_len} tokens)",
                "lower --micro-batch-size or --max-seq-len, then --resume from the last checkpoint",
            )
        import traceback

        traceback.print_exc()
        return _fail(
            f"the trainer crashed: {type(exc).__name__}: {exc}",
            "the last checkpoint can be resumed with --resume; report the log above",
        )
    return EXIT_STOPPED if result.get("stop_reason") == "stopped" else 0


def _fail(message: str, hint: str | None) -> int:
    log({"event": "error", "message": message, "hint": hint})
    print(f"error: {message}" + (f" (hint: {hint})" if hint else ""), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
