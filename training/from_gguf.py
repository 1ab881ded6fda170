"""A LLaMA GGUF written by :mod:`training.convert`, back to a Hugging Face checkpoint (float32
safetensors + tokenizer): the committed demo model as a base to fine-tune, for a fresh clone
without ``build/demo-model``. Quantized weights are dequantized; the q/k rows go back to Hugging
Face's rotary layout; the byte-level BPE vocabulary becomes a ``tokenizers`` tokenizer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.errors import ToolchainError
from training.files import write_shared_text


def unpermute_for_rope(weight, n_heads: int):
    """The inverse of training.convert.permute_for_rope: llama.cpp's interleaved rotary rows
    back to Hugging Face's half-split layout."""
    import numpy as np

    head_dim = weight.shape[0] // n_heads
    by_head = weight.reshape(n_heads, head_dim // 2, 2, *weight.shape[1:])
    return np.ascontiguousarray(by_head.swapaxes(1, 2).reshape(weight.shape))


def checkpoint_from_gguf(gguf_path: Path, out_dir: Path) -> Path:
    """A Hugging Face checkpoint (float32 safetensors + tokenizer) of a LLaMA GGUF written by
    ``training.convert``: the committed demo model, for a fresh clone without build/demo-model.
    Quantized weights are dequantized; the q/k rows go back to Hugging Face's rotary layout."""
    import gguf
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from training.convert import field_value, gguf_name, read_gguf

    reader = read_gguf(gguf_path)

    def meta(key: str) -> Any:
        value = field_value(reader, key)
        if value is None:
            raise ToolchainError(f"{gguf_path} has no {key}")
        return value

    tensors = {t.name: t for t in reader.tensors}
    if meta("general.architecture") != "llama" or "rope_freqs.weight" in tensors:
        raise ToolchainError(f"{gguf_path}: only plain-rope LLaMA models can be read back")
    n_layers, n_heads = int(meta("llama.block_count")), int(meta("llama.attention.head_count"))
    n_kv_heads = int(meta("llama.attention.head_count_kv"))
    tied = "output.weight" not in tensors
    config = LlamaConfig(
        vocab_size=len(meta("tokenizer.ggml.tokens")),
        hidden_size=int(meta("llama.embedding_length")),
        intermediate_size=int(meta("llama.feed_forward_length")),
        num_hidden_layers=n_layers, num_attention_heads=n_heads, num_key_value_heads=n_kv_heads,
        max_position_embeddings=int(meta("llama.context_length")),
        rms_norm_eps=float(meta("llama.attention.layer_norm_rms_epsilon")),
        rope_parameters={"rope_type": "default",
                         "rope_theta": float(meta("llama.rope.freq_base"))},
        tie_word_embeddings=tied,
        bos_token_id=field_value(reader, "tokenizer.ggml.bos_token_id"),
        eos_token_id=field_value(reader, "tokenizer.ggml.eos_token_id"),
        pad_token_id=field_value(reader, "tokenizer.ggml.padding_token_id"),
        architectures=["LlamaForCausalLM"],
    )  # fmt: skip
    model = LlamaForCausalLM(config)
    state = {}
    for hf_name in model.state_dict():
        if tied and hf_name == "lm_head.weight":
            continue
        tensor = tensors[str(gguf_name(hf_name, n_layers))]
        shape = tuple(int(n) for n in reversed(tensor.shape))
        weight = gguf.quants.dequantize(tensor.data, tensor.tensor_type).reshape(shape)
        if tensor.name.endswith("attn_q.weight"):
            weight = unpermute_for_rope(weight, n_heads)
        elif tensor.name.endswith("attn_k.weight"):
            weight = unpermute_for_rope(weight, n_kv_heads)
        state[hf_name] = torch.from_numpy(weight.astype("float32"))
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) - {"lm_head.weight"}:
        raise ToolchainError(f"{gguf_path}: tensors do not fit: {missing} {unexpected}")
    model.tie_weights()
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer_from_gguf(reader, out_dir)
    return out_dir


def tokenizer_from_gguf(reader, out_dir: Path) -> None:
    """tokenizer.json + tokenizer_config.json from a GGUF's byte-level BPE vocabulary, built the
    way training.tokenizer builds LetterDesk's (LLaMA-3 pre-tokenizer, special tokens)."""
    import gguf
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    from letterdesk.core.models.gguf_header import Keys
    from training.convert import field_value
    from training.tokenizer import CHAT_TEMPLATE, FACT_SLOTS_SETTING, LLAMA3_SPLIT_PATTERN

    if field_value(reader, "tokenizer.ggml.pre") != "llama-bpe":
        raise ToolchainError("only the llama-bpe pre-tokenizer can be read back")
    tokens = field_value(reader, "tokenizer.ggml.tokens")
    types = field_value(reader, "tokenizer.ggml.token_type")
    merges = [tuple(m.split(" ", 1)) for m in field_value(reader, "tokenizer.ggml.merges")]
    tokenizer = Tokenizer(
        models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges, ignore_merges=True)
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_SPLIT_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])  # fmt: skip
    tokenizer.decoder = decoders.ByteLevel()
    special = [t for t, kind in zip(tokens, types, strict=True)
               if kind == int(gguf.TokenType.CONTROL)]  # fmt: skip
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in special])

    def token(key: str) -> str | None:
        token_id = field_value(reader, key)
        return None if token_id is None else tokens[int(token_id)]

    bos = token("tokenizer.ggml.bos_token_id")
    if bos and field_value(reader, "tokenizer.ggml.add_bos_token"):
        tokenizer.post_processor = TemplateProcessing(
            single=f"{bos}:0 $A:0", pair=f"{bos}:0 $A:0 {bos}:1 $B:1",
            special_tokens=[(bos, tokens.index(bos))],
        )  # fmt: skip
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": bos,
        "eos_token": token("tokenizer.ggml.eos_token_id"),
        "pad_token": token("tokenizer.ggml.padding_token_id"),
        "chat_template": field_value(reader, "tokenizer.chat_template") or CHAT_TEMPLATE,
        FACT_SLOTS_SETTING: bool(field_value(reader, Keys.LetterDesk.FACT_SLOTS)),
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }
    write_shared_text(out_dir / "tokenizer.json", tokenizer.to_str(pretty=True))
    write_shared_text(out_dir / "tokenizer_config.json", json.dumps(config, indent=2))
