"""The arguments of ``python -m training promote``: what it exports, evaluates and decides,
every problem reported at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXPORTS = ("merged", "lora")
BASES = ("metrics", "study")


@dataclass(frozen=True)
class PromoteArgs:
    """What `python -m training promote` exports, evaluates and decides."""

    base: Path
    """The Hugging Face checkpoint the adapter was trained on."""
    run: Path
    """The fine-tuning run (finetune's --out): its adapter/ and result.json."""
    data: Path
    """The dataset the run was trained on; its evaluation split (of the held-out letters)
    decides."""
    out: Path
    """Folder for the exported model, the generated letters and candidate.json."""
    store: Path | str | None = None
    """The letter store, read for the current default model (and written with --register): a
    file, or the department store's ``postgresql://`` URL (registering there needs an admin
    login; every workstation then sees the new default)."""
    register: bool = False
    """File the candidate in the store here (a store file needs its writer lock: app closed)."""
    export: str = "merged"
    """merged: adapter merged into the base, one GGUF; lora: base GGUF + GGUF LoRA adapter."""
    quantization: str = "Q8_0"
    """GGUF type of the exported model (Q8_0, Q6_K, Q5_K_M, Q4_K_M)."""
    name: str = ""
    """Model name in the registry; empty: the base checkpoint's folder name."""
    current: Path | None = None
    """GGUF of the model to compare with; None: the store's default, else the base."""
    current_adapter: Path | None = None
    """GGUF LoRA adapter of the current model, if it is base + adapter."""
    eval_cases: int = 0
    """Letters of the evaluation split to evaluate on; 0: all."""
    max_tokens: int = 1024
    """Longest generated letter in tokens."""
    n_ctx: int = 2048
    """llama.cpp context for evaluation (prompt + letter)."""
    rouge_margin: float = 0.01
    """Non-inferiority margin of ROUGE-L: promoted only if the 95 % interval of the change
    (new − current) lies above −margin."""
    recall_margin: float = 0.01
    """Non-inferiority margin of key-fact recall, a fraction (0.01: 1 percentage point)."""
    promotion_basis: str = "metrics"
    """metrics: the evaluation letters decide; study: a completed blinded study decides where
    it found a difference (a tie leaves it to the evaluation letters)."""
    study_result: Path | None = None
    """With --promotion-basis study: its result JSON ({"status": "completed", "winner": "new" |
    "current" | "tie", "new_sha256": ..., "current_sha256": ...}, and "new_adapter_sha256" /
    "current_adapter_sha256" where a model has an adapter); ignored unless the SHA-256 are
    those of the models compared here."""
    seed: int = 0
    """Seed of the surrogate names and dates put into the evaluation letters, and of the
    bootstrap."""

    def problems(self) -> list[str]:
        """Every problem with the arguments, reported at once."""
        found = []
        if not (self.base / "config.json").is_file():
            found.append(f"base {self.base} has no config.json")
        if not (self.run / "adapter" / "adapter_config.json").is_file():
            found.append(f"run {self.run} has no adapter/ (has the fine-tuning finished?)")
        if not (self.data / "manifest.json").is_file():
            found.append(f"data {self.data} has no manifest.json")
        if self.export not in EXPORTS:
            found.append(f"export must be one of {EXPORTS}")
        if self.promotion_basis not in BASES:
            found.append(f"promotion_basis must be one of {BASES}")
        if self.promotion_basis == "study" and self.study_result is None:
            found.append("--promotion-basis study needs --study-result FILE")
        if self.study_result is not None and not self.study_result.is_file():
            found.append(f"study result {self.study_result} does not exist")
        if self.register and self.store is None:
            found.append("--register needs --store")
        if self.current is not None and not self.current.is_file():
            found.append(f"current model {self.current} does not exist")
        if self.eval_cases < 0:
            found.append("eval_cases must not be negative")
        if not (0 <= self.rouge_margin < 1 and 0 <= self.recall_margin < 1):
            found.append("rouge_margin and recall_margin must be at least 0 and below 1")
        return found
