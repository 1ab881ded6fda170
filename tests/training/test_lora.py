"""PEFT LoRA → GGUF LoRA run by llama.cpp: it gives PEFT's logits; wrong adapters are refused."""

from __future__ import annotations

import json

import pytest

from tests.training.helpers import (
    FAR_OFF,
    LORA_LOGIT_LIMIT,
    LORA_TARGETS,
    hf_logits,
    letter_tokens,
    llama_logits,
    max_diff,
    torch_logits,
    train_fake_adapter,
)
from training.convert import field_value, read_gguf
from training.errors import ToolchainError
from training.lora import export_lora
from training.merge import merge

ADAPTED = {
    "plain-untied-gqa": dict(),
    "llama3-tied-gqa": dict(rope="llama3", tie_embeddings=True),
}


@pytest.mark.parametrize("use_rslora", [False, True], ids=["lora", "rslora"])
@pytest.mark.parametrize("config", ADAPTED.values(), ids=ADAPTED.keys())
def test_gguf_lora_in_llama_cpp_matches_peft(tiny_model, tiny_gguf, tmp_path, config, use_rslora):
    checkpoint = tiny_model(**config)
    peft_model = train_fake_adapter(checkpoint, tmp_path / "adapter", use_rslora=use_rslora)
    tokens = letter_tokens(checkpoint, 120)
    expected = torch_logits(peft_model, tokens)
    assert max_diff(expected, hf_logits(checkpoint, tokens)) > FAR_OFF, "adapter has no effect"

    result = export_lora(tmp_path / "adapter", checkpoint, tmp_path / "adapter.gguf", outtype="f32")
    assert result.n_pairs == 2 * len(LORA_TARGETS) and result.rank == 4

    got = llama_logits(tiny_gguf("f32", **config), tokens, lora_path=result.path)
    difference = max_diff(got, expected)
    print(f"GGUF LoRA in llama.cpp vs PEFT: max logit difference {difference:.2e}")
    assert difference < LORA_LOGIT_LIMIT


def test_gguf_lora_metadata_and_names(tiny_model, tmp_path):
    checkpoint = tiny_model()
    train_fake_adapter(checkpoint, tmp_path / "adapter")
    reader = read_gguf(export_lora(tmp_path / "adapter", checkpoint, tmp_path / "a.gguf").path)
    assert field_value(reader, "general.type") == "adapter"
    assert field_value(reader, "general.architecture") == "llama"
    assert field_value(reader, "adapter.type") == "lora"
    assert field_value(reader, "adapter.lora.alpha") == 8.0
    shapes = {t.name: tuple(int(n) for n in reversed(t.shape)) for t in reader.tensors}
    assert shapes["blk.0.attn_k.weight.lora_a"] == (4, 64)
    assert shapes["blk.0.attn_k.weight.lora_b"] == (32, 4)  # 2 kv heads × 16
    assert shapes["blk.1.ffn_down.weight.lora_a"] == (4, 128)


def test_adapter_for_another_base_is_refused(tiny_model, tmp_path):
    train_fake_adapter(tiny_model(intermediate_size=96), tmp_path / "adapter")
    base = tiny_model()  # intermediate 128
    with pytest.raises(
        ToolchainError, match=r"mlp\.down_proj: lora_A \(4, 96\) .* do not fit the base weight"
    ):
        export_lora(tmp_path / "adapter", base, tmp_path / "adapter.gguf")
    with pytest.raises(ToolchainError, match="do not fit the base weight"):
        merge(base, tmp_path / "adapter", tmp_path / "merged")
    assert not (tmp_path / "adapter.gguf").exists() and not (tmp_path / "merged").exists()


def test_unsupported_peft_options_are_named(tiny_model, tmp_path):
    checkpoint = tiny_model()
    train_fake_adapter(checkpoint, tmp_path / "adapter")
    config_path = tmp_path / "adapter" / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config.update(use_dora=True, modules_to_save=["lm_head"])
    config_path.write_text(json.dumps(config))
    with pytest.raises(ToolchainError, match="use_dora=True; modules_to_save"):
        export_lora(tmp_path / "adapter", checkpoint, tmp_path / "adapter.gguf")


def test_truncated_gguf_lora_is_reported_as_truncated(tiny_model, tmp_path):
    # llama-cpp-python 0.3.36 does not raise for a broken LoRA file (it checks the NULL adapter
    # pointer with `is None`) and the first eval then crashes, so this check is the only guard.
    checkpoint = tiny_model()
    train_fake_adapter(checkpoint, tmp_path / "adapter")
    data = export_lora(tmp_path / "adapter", checkpoint, tmp_path / "a.gguf").path.read_bytes()
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ToolchainError, match="truncated"):
        read_gguf(truncated)
