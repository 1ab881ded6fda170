"""GGUF quantization through llama.cpp: every type loads, and fallbacks are reported, not hidden."""

from __future__ import annotations

import numpy as np
import pytest

from tests.training.helpers import letter_tokens, llama_logits
from training.errors import ToolchainError
from training.quantize import RECIPES, quantize

# rows of 256 columns, so K-quants apply without fallback
K_QUANT_FRIENDLY = dict(hidden_size=256, intermediate_size=512)


@pytest.mark.parametrize("qtype", list(RECIPES))
def test_each_type_loads_and_tracks_the_f32_model(tiny_model, tiny_gguf, tmp_path, qtype):
    source = tiny_gguf("f16", **K_QUANT_FRIENDLY)
    result = quantize(source, tmp_path / f"{qtype}.gguf", qtype)

    assert result.fallbacks == []
    assert set(result.type_counts) - {"F32"} <= {t.name for t in RECIPES[qtype][1]}
    tokens = letter_tokens(tiny_model(**K_QUANT_FRIENDLY), 48)
    reference = llama_logits(tiny_gguf("f32", **K_QUANT_FRIENDLY), tokens)
    got = llama_logits(result.path, tokens)
    assert np.isfinite(got).all()
    # random weights amplify quantization error (Q4_K_M: ~0.87 here); a broken file would be near 0
    assert np.corrcoef(got.ravel(), reference.ravel())[0, 1] > 0.75


def test_k_quant_recipe_mixes_types(tiny_gguf, tmp_path):
    result = quantize(tiny_gguf("f16", **K_QUANT_FRIENDLY), tmp_path / "q4km.gguf", "Q4_K_M")
    assert result.type_counts.get("Q4_K", 0) > 0 and result.type_counts.get("Q6_K", 0) > 0


def test_fallbacks_are_reported(tiny_gguf, tmp_path):
    """hidden 64 is no multiple of the 256 a K-quant block needs, so llama.cpp falls back."""
    result = quantize(tiny_gguf("f16"), tmp_path / "q4km.gguf", "Q4_K_M")
    fallbacks = {f.name: f for f in result.fallbacks}
    assert fallbacks["blk.0.attn_q.weight"].got == "Q5_0"
    assert fallbacks["blk.0.attn_q.weight"].wanted == ("Q4_K", "Q6_K")
    assert fallbacks["blk.0.attn_q.weight"].shape == (64, 64)
    assert "blk.0.attn_norm.weight" not in fallbacks  # norms stay F32 by design

    assert quantize(tiny_gguf("f16"), tmp_path / "q8.gguf", "Q8_0").fallbacks == []


def test_truncated_input_is_refused(tiny_gguf, tmp_path):
    data = tiny_gguf("f16").read_bytes()
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ToolchainError, match="truncated or corrupt"):
        quantize(truncated, tmp_path / "out.gguf", "Q8_0")
    assert not (tmp_path / "out.gguf").exists()


def test_unknown_type_is_refused(tiny_gguf, tmp_path):
    with pytest.raises(ToolchainError, match="IQ2_XXS"):
        quantize(tiny_gguf("f16"), tmp_path / "out.gguf", "IQ2_XXS")  # type: ignore[arg-type]
