"""A PEFT LoRA merged into its base checkpoint: converted to GGUF, it gives PEFT's logits."""

from __future__ import annotations

import json

import numpy as np

from tests.training.helpers import (
    F32_LOGIT_LIMIT,
    hf_logits,
    letter_tokens,
    llama_logits,
    max_diff,
    torch_logits,
    train_fake_adapter,
)
from training.convert import convert
from training.merge import merge


def test_merged_checkpoint_matches_peft(tiny_model, tmp_path):
    checkpoint = tiny_model(rope="llama3")
    peft_model = train_fake_adapter(checkpoint, tmp_path / "adapter")
    tokens = letter_tokens(checkpoint, 120)
    expected = torch_logits(peft_model, tokens)

    merged = merge(checkpoint, tmp_path / "adapter", tmp_path / "merged", dtype="float32")
    gguf_path = convert(merged, tmp_path / "merged.gguf", outtype="f32").path
    difference = max_diff(llama_logits(gguf_path, tokens), expected)
    print(f"merged F32 GGUF in llama.cpp vs PEFT: max logit difference {difference:.2e}")
    assert difference < F32_LOGIT_LIMIT


def test_16_bit_merge_is_exact_after_conversion_and_close_to_peft(tiny_model, tmp_path):
    checkpoint = tiny_model()
    peft_model = train_fake_adapter(checkpoint, tmp_path / "adapter")
    tokens = letter_tokens(checkpoint, 64)

    merged = merge(
        checkpoint, tmp_path / "adapter", tmp_path / "merged"
    )  # bfloat16, as after QLoRA
    assert json.loads((merged / "config.json").read_text())["dtype"] == "bfloat16"
    assert (merged / "tokenizer.json").exists() and (merged / "tokenizer_config.json").exists()
    merged_logits = hf_logits(merged, tokens)
    gguf_path = convert(merged, tmp_path / "merged.gguf", outtype="f32").path
    difference = max_diff(llama_logits(gguf_path, tokens), merged_logits)
    print(f"bf16 merge as F32 GGUF vs transformers: max logit difference {difference:.2e}")
    assert difference < F32_LOGIT_LIMIT
    expected = torch_logits(peft_model, tokens)
    # bf16 rounding of the merged weights, amplified by the random model: ~5-9% of the largest logit
    assert max_diff(merged_logits, expected) < 0.15 * np.abs(expected).max()
