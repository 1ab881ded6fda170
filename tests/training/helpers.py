"""Running the same tokens through transformers (the reference) and through llama.cpp."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

STORE_PASSPHRASE = "finetune-test-passphrase"
"""The key of the test stores where the test machine has no keyring."""
F32_LOGIT_LIMIT = 2e-4
"""How far llama.cpp's logits from an F32 GGUF may be from transformers' for the same weights
(README, "Model toolchain"); measured 7.4e-5 to 1.5e-4 on 2026-12-05 (2-core CPU)."""
LORA_LOGIT_LIMIT = 2e-4
"""How far llama.cpp's logits with a GGUF LoRA may be from PEFT's (README); measured 4.0e-5 to
8.3e-5 on 2026-12-05 (2-core CPU, native llama.cpp), 4.2e-5 to 1.03e-4 the same day with
llama.cpp built for AVX2 on another machine: float32 sums in another order."""
FAR_OFF = 0.1
"""A difference that means the weights are not the same (the guards of the parity tests)."""
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

# llama.cpp keeps its KV cache in F16 unless told otherwise; F32 keeps the comparison exact
GGML_TYPE_F32 = 0


def letter_tokens(checkpoint_dir: Path, n: int) -> list[int]:
    """The first n token ids (BOS first) of the sample letters, as transformers tokenizes them."""
    from transformers import AutoTokenizer

    from training.tiny import SAMPLE_LETTERS

    tokenizer = AutoTokenizer.from_pretrained(checkpoint_dir)
    ids = tokenizer("\n\n".join(SAMPLE_LETTERS * 4)).input_ids[:n]
    assert len(ids) == n, "the sample letters are too short for this test"
    return ids


def hf_model(checkpoint_dir: Path, **config_overrides: Any):
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(checkpoint_dir)
    for key, value in config_overrides.items():
        setattr(config, key, value)
    return AutoModelForCausalLM.from_pretrained(
        checkpoint_dir, config=config, dtype=torch.float32
    ).eval()


def torch_logits(model, tokens: list[int]) -> np.ndarray:
    import torch

    with torch.no_grad():
        return model(torch.tensor([tokens])).logits[0].float().numpy()


def hf_logits(checkpoint_dir: Path, tokens: list[int], **config_overrides: Any) -> np.ndarray:
    """Logits (n_tokens × n_vocab) of the transformers forward pass in float32."""
    return torch_logits(hf_model(checkpoint_dir, **config_overrides), tokens)


def llama_logits(
    model_path: Path, tokens: list[int], *, lora_path: Path | None = None
) -> np.ndarray:
    """Logits (n_tokens × n_vocab) of llama.cpp evaluating the tokens in one pass."""
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(model_path),
        lora_path=str(lora_path) if lora_path else None,
        n_ctx=256,
        n_batch=256,
        logits_all=True,
        type_k=GGML_TYPE_F32,
        type_v=GGML_TYPE_F32,
        n_threads=2,
        verbose=False,
    )
    try:
        llm.eval(tokens)
        return np.array(llm.scores[: len(tokens)], dtype=np.float32)
    finally:
        llm.close()


def max_diff(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    return float(np.abs(a - b).max())


def train_fake_adapter(checkpoint: Path, out_dir: Path, *, use_rslora: bool = False):
    """A PEFT LoRA (r=4) with random nonzero B, as if trained; saved, and returned as a model."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(7)
    config = LoraConfig(
        r=4,
        lora_alpha=8,
        target_modules=LORA_TARGETS,
        lora_dropout=0.0,
        use_rslora=use_rslora,
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(hf_model(checkpoint), config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0.0, 0.3)
    model.save_pretrained(out_dir)
    return model.eval()
