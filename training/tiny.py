"""A tiny random LLaMA checkpoint, built in seconds, for tests of everything that handles models.

Weights are drawn large enough (std 2/sqrt(hidden)) that attention is far from uniform and
the logits spread over several units, so a wrong permutation, rope or norm shows up as a large
logit difference instead of hiding below a test's tolerance.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from training.tokenizer import BOS, EOT, PAD, PreTokenizer, train_tokenizer

Rope = Literal["plain", "llama3"]

SAMPLE_LETTERS = (
    "Sehr geehrte Frau Kollegin, sehr geehrter Herr Kollege,\n"
    "wir berichten über Ihre Patientin Frau Øberg-Müller, geb. 06.01.1957, die sich vom 06.01.2025 "
    "bis 14.02.2025 in unserer ambulanten Behandlung befand.",
    "Diagnose: Mammakarzinom links, pT1c pN0 (0/3 sn) M0, G2, ER 90 %, PR 80 %, HER2 negativ.\n"
    "Therapie: Hypofraktionierte Radiotherapie der linken Brust mit 40,05 Gy in 15 Fraktionen "
    "à 2,67 Gy, simultan integrierter Boost auf 48 Gy.",
    "Herr Nguyễn stellte sich zur Nachsorge vor. Die Strahlentherapie der Prostata mit 60 Gy in "
    "20 Fraktionen à 3 Gy wurde gut vertragen. PSA am 12.03.2025: 0,08 ng/ml.",
    "Mr O'Sullivan's treatment: 60 Gy in 30 fractions of 2 Gy, delivered 03/02/2025 to 14/03/2025. "
    "Acute toxicity: dermatitis grade 1 (CTCAE v5.0), fatigue grade 1.",
    "Frau Şahin erhielt eine stereotaktische Bestrahlung (SBRT) der Lungenmetastase mit "
    "3 × 15 Gy = 45 Gy auf die umschließende 65%-Isodose. Fallnummer 2025004711, "
    "Tel. 0221 47899123.",
    "Mit freundlichen kollegialen Grüßen\n\nDr. med. A. Weiß\nOberärztin\n"
    "Klinik für Strahlentherapie",
    "Procedere: Wiedervorstellung in 3 Monaten mit aktuellem CT-Thorax. Bei Beschwerden jederzeit "
    "früher. Die Medikation (Ibuprofen 400 mg 1-0-1) wird fortgeführt.",
)


def build_tiny_model(
    out_dir: Path,
    *,
    rope: Rope = "plain",
    tie_embeddings: bool = False,
    n_kv_heads: int = 2,
    n_heads: int = 4,
    hidden_size: int = 64,
    intermediate_size: int = 128,
    n_layers: int = 2,
    vocab_size: int = 400,
    pre_tokenizer: PreTokenizer = "llama-bpe",
    user_tokens: tuple[str, ...] = (),
    seed: int = 0,
) -> Path:
    """Save a random-weight LlamaForCausalLM (safetensors, float32) plus its tokenizer in out_dir.

    rope="plain" uses rope_theta 1000 (not the default, so a converter that ignores it fails);
    rope="llama3" uses LLaMA-3 scaling (factor 8 over an original context of 64, theta 10000),
    so all three frequency bands of the scaling are exercised by sequences beyond ~64 tokens.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    out_dir.mkdir(parents=True, exist_ok=True)
    train_tokenizer(
        SAMPLE_LETTERS, vocab_size, out_dir, pre_tokenizer=pre_tokenizer, user_tokens=user_tokens
    )
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(out_dir / "tokenizer.json"))
    token_ids = tokenizer.get_vocab()

    if rope == "llama3":
        rope_parameters = {
            "rope_type": "llama3",
            "rope_theta": 10000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 64,
        }
        context_length = 512
    elif rope == "plain":
        rope_parameters = {"rope_type": "default", "rope_theta": 1000.0}
        context_length = 256
    else:
        raise ValueError(f"rope must be 'plain' or 'llama3', not {rope!r}")
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=n_layers,
        num_attention_heads=n_heads,
        num_key_value_heads=n_kv_heads,
        max_position_embeddings=context_length,
        rms_norm_eps=1e-5,
        rope_parameters=rope_parameters,
        tie_word_embeddings=tie_embeddings,
        bos_token_id=token_ids[BOS],
        eos_token_id=token_ids[EOT],
        pad_token_id=token_ids[PAD],
        architectures=["LlamaForCausalLM"],
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    std = 2.0 / hidden_size**0.5
    with torch.no_grad():
        for param in model.parameters():
            if param.ndim == 1:  # RMSNorm gains: near 1, but distinct, so swapped norms show
                param.copy_(1.0 + 0.1 * torch.randn_like(param))
            else:
                param.normal_(0.0, std)
    model.save_pretrained(out_dir, safe_serialization=True)
    return out_dir
