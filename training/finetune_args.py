"""The arguments of ``python -m training finetune``: what it trains, with the issue's QLoRA recipe
as defaults, every problem reported at once; and the ones that shape the adapter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_REPEAT = 4
"""The most times :attr:`FinetuneArgs.balance_letter_types` repeats a pair in one epoch."""

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


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
    balance_letter_types: bool = True
    """Repeat the training pairs of the rarer letter types so that each type is seen about as
    often as the commonest one (at most :data:`MAX_REPEAT` times): most signed letters are final
    reports, and an adapter trained on them as they come lost the structure of the rarer types
    (style transfer, full run 2026-12-05: facts lost in 13 of 36 consultations and follow-ups,
    2 of 64 final reports; balanced: 1 of 36 and 7 of 64)."""
    balance_case_shapes: bool = True
    """Within each letter type, repeat the pairs whose case has several diagnoses (a
    metastasis and its primary; 12 of the style transfer's 200 cases) about as often as the
    type's other pairs are seen: at most :data:`MAX_REPEAT` times more than the letter-type
    balance does, and at most twice :data:`MAX_REPEAT` times in all. Without it an adapter lost
    the whole treatment of such letters (quick style transfer, 2026-12-05, 200 evaluation
    letters: 7 of the 9 letters that lost facts had two diagnoses; with it their letters lost
    at most the second diagnosis's ICD-10 code)."""
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
        "balance_letter_types",
        "balance_case_shapes",
        "gradient_checkpointing",
    )
    return {name: getattr(args, name) for name in keep} | {
        "target_modules": list(TARGET_MODULES),
        "quantization": "nf4+double" if args.quantize else "none",
        "schedule": "cosine",
    }
