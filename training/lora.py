"""A trained PEFT LoRA adapter, exported as a GGUF LoRA for llama.cpp (merging it into its base
is :mod:`training.merge`).

llama.cpp facts the export relies on (src/llama-adapter.cpp):
- the file has general.type "adapter", general.architecture equal to the base model's,
  adapter.type "lora" and adapter.lora.alpha; llama.cpp scales each pair by alpha / rank;
- each adapted weight W (e.g. blk.0.attn_q.weight) has two tensors, `W.lora_a` with PEFT's
  lora_A as is (rank × in) and `W.lora_b` with lora_B (out × rank);
- the rows of q/k weights are permuted for llama.cpp's rotary layout (see convert.py), and
  B·A is permuted the same way by permuting the rows of B.
Load it with `Llama(model_path=base.gguf, lora_path=adapter.gguf)`: the base in F32/F16/BF16 or
quantized, converted from the same checkpoint the adapter was trained on.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gguf
import numpy as np

from training.convert import (
    ARCH,
    OUT_TYPES,
    CheckpointTensors,
    LlamaHparams,
    OutType,
    encode,
    gguf_name,
    nbytes,
    permute_for_rope,
    read_gguf,
    read_hparams,
)
from training.errors import ToolchainError
from training.files import read_json, staged_file

PEFT_PREFIX = "base_model.model."
LINEAR_SUFFIXES = (
    "attn_q.weight",
    "attn_k.weight",
    "attn_v.weight",
    "attn_output.weight",
    "ffn_gate.weight",
    "ffn_up.weight",
    "ffn_down.weight",
)
# PEFT options that change what a LoRA computes in ways a GGUF LoRA cannot express
UNSUPPORTED_OPTIONS = (
    "use_dora",
    "lora_bias",
    "modules_to_save",
    "layer_replication",
    "alpha_pattern",
    "alora_invocation_tokens",
    "trainable_token_indices",
    "target_parameters",
    "fan_in_fan_out",
    "use_qalora",
    "use_bdlora",
)
MERGED_ONLY_OPTIONS = ("trainable_token_indices",)
"""Options PEFT merges into the base but llama.cpp cannot run as a LoRA adapter."""


@dataclass(frozen=True)
class LoraPair:
    """One adapted weight: its name in the base checkpoint, its GGUF name, and its A/B tensors."""

    base_name: str
    """e.g. model.layers.0.self_attn.q_proj.weight"""
    gguf_name: str
    """e.g. blk.0.attn_q.weight"""
    a_name: str
    b_name: str
    rank: int
    scale: float
    """PEFT's multiplier of B·A: lora_alpha / rank (or / sqrt(rank) with rsLoRA)."""


@dataclass(frozen=True)
class LoraExportResult:
    path: Path
    n_pairs: int
    rank: int
    alpha: float


def read_adapter(
    adapter_dir: Path, base_dir: Path, *, merging: bool = False
) -> tuple[float, list[LoraPair]]:
    """(lora_alpha, pairs) of a PEFT adapter, each pair checked against the base's shapes.

    ToolchainError for PEFT options llama.cpp cannot reproduce, for adapted modules other than
    the attention and MLP projections, and for any A/B shape that does not fit the base.
    ``merging``: the adapter is merged into the base by PEFT, not run by llama.cpp, so trained
    token embeddings (``trainable_token_indices``) are allowed.
    """
    config_path = adapter_dir / "adapter_config.json"
    config = read_json(config_path)
    problems = []
    if config.get("peft_type") != "LORA":
        problems.append(f"peft_type {config.get('peft_type')!r} (only LORA)")
    if config.get("bias", "none") != "none":
        problems.append(f"bias {config['bias']!r} (only 'none')")
    problems += [
        f"{option} ({len(config[option])} trained token embeddings; merge the adapter instead)"
        if option in MERGED_ONLY_OPTIONS
        else f"{option}={config[option]!r}"
        for option in UNSUPPORTED_OPTIONS
        if config.get(option) and not (merging and option in MERGED_ONLY_OPTIONS)
    ]
    if problems:
        raise ToolchainError(f"{config_path}: unsupported LoRA options: {'; '.join(problems)}")
    alpha = float(config["lora_alpha"])
    rslora = bool(config.get("use_rslora"))

    hp = read_hparams(base_dir)
    base = CheckpointTensors(base_dir)
    adapter = CheckpointTensors(adapter_dir, "adapter_model.safetensors")
    pairs, problems = [], []
    for a_name in sorted(n for n in adapter.files if n.endswith(".lora_A.weight")):
        module = a_name.removeprefix(PEFT_PREFIX).removesuffix(".lora_A.weight")
        base_name, b_name = f"{module}.weight", a_name.replace(".lora_A.", ".lora_B.")
        name = gguf_name(base_name, hp.n_layers)
        if name is None or not name.endswith(LINEAR_SUFFIXES):
            problems.append(f"LoRA on {module} (only attention and MLP projections)")
            continue
        if base_name not in base.files:
            problems.append(f"{module} is not in the base model")
            continue
        if b_name not in adapter.files:
            problems.append(f"{module} has lora_A but no lora_B")
            continue
        (rows, cols), a_shape, b_shape = (
            base.shape(base_name),
            adapter.shape(a_name),
            adapter.shape(b_name),
        )
        if a_shape[1:] != (cols,) or b_shape != (rows, a_shape[0]):
            problems.append(
                f"{module}: lora_A {a_shape} and lora_B {b_shape} do not fit the base weight "
                f"{(rows, cols)} (expected lora_A (r, {cols}), lora_B ({rows}, r))"
            )
            continue
        rank = a_shape[0]
        scale = alpha / math.sqrt(rank) if rslora else alpha / rank
        pairs.append(LoraPair(base_name, name, a_name, b_name, rank=rank, scale=scale))
    leftovers = [
        n for n in adapter.files
        if ".lora_A." not in n and ".lora_B." not in n
        and not (merging and ".token_adapter.trainable_tokens_" in n)
    ]  # fmt: skip
    problems += [f"unexpected tensor {n}" for n in leftovers]
    if problems:
        raise ToolchainError(
            f"adapter {adapter_dir} does not fit base model {base_dir}: {'; '.join(problems)}",
            hint="was the adapter trained on this base model?",
        )
    if not pairs:
        raise ToolchainError(f"adapter {adapter_dir} has no LoRA tensors")
    return alpha, pairs


def export_lora(
    adapter_dir: Path, base_dir: Path, out: Path, *, outtype: OutType = "f16"
) -> LoraExportResult:
    """Write a GGUF LoRA adapter for the GGUF converted from `base_dir` (see module docstring)."""
    if outtype not in OUT_TYPES:
        raise ToolchainError(f"outtype {outtype!r} is not one of {sorted(OUT_TYPES)}")
    alpha, pairs = read_adapter(adapter_dir, base_dir)
    hp = read_hparams(base_dir)
    adapter = CheckpointTensors(adapter_dir, "adapter_model.safetensors")
    qtype = OUT_TYPES[outtype][0]

    writer = gguf.GGUFWriter(path=None, arch=ARCH)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_name(adapter_dir.resolve().name)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    for pair in pairs:
        for suffix, name in (("lora_a", pair.a_name), ("lora_b", pair.b_name)):
            shape = adapter.shape(name)
            writer.add_tensor_info(
                f"{pair.gguf_name}.{suffix}",
                shape,
                np.dtype(np.float32),
                nbytes(shape, qtype),
                raw_dtype=qtype,
            )

    with staged_file(out) as tmp:
        try:
            writer.write_header_to_file(tmp)
            writer.write_kv_data_to_file()
            writer.write_ti_data_to_file()
            for pair in pairs:
                writer.write_tensor_data(encode(adapter.load(pair.a_name), qtype))
                writer.write_tensor_data(
                    encode(_lora_b_for_gguf(adapter.load(pair.b_name), pair, alpha, hp), qtype)
                )
            writer.close()
            written = read_gguf(tmp)
            if len(written.tensors) != 2 * len(pairs):
                raise ToolchainError(
                    f"the written LoRA {tmp} has {len(written.tensors)} tensors, "
                    f"expected {2 * len(pairs)}"
                )
        finally:
            writer.close()
    return LoraExportResult(out, len(pairs), max(p.rank for p in pairs), alpha)


def _lora_b_for_gguf(b: np.ndarray, pair: LoraPair, alpha: float, hp: LlamaHparams) -> np.ndarray:
    # llama.cpp multiplies B·A by alpha / rank (by 1 if alpha is 0); fold any other PEFT scale
    # (rsLoRA's alpha / sqrt(rank)) into B
    llama_cpp_scale = alpha / pair.rank if alpha else 1.0
    if pair.scale != llama_cpp_scale:
        b = b * np.float32(pair.scale / llama_cpp_scale)
    if pair.gguf_name.endswith("attn_q.weight"):
        return permute_for_rope(b, hp.n_heads)
    if pair.gguf_name.endswith("attn_k.weight"):
        return permute_for_rope(b, hp.n_kv_heads)
    return b


# --- command line ------------------------------------------------------------------------------


def cli(argv: Sequence[str] | None = None) -> int:
    """python -m training lora-export ADAPTER_DIR --base BASE_DIR --out ADAPTER.gguf"""
    parser = argparse.ArgumentParser(
        prog="python -m training lora-export",
        description="PEFT LoRA adapter → GGUF LoRA adapter for llama.cpp",
    )
    parser.add_argument(
        "adapter_dir", type=Path, help="adapter_config.json + adapter_model.safetensors"
    )
    parser.add_argument(
        "--base", type=Path, required=True, help="the base checkpoint the adapter was trained on"
    )
    parser.add_argument("--out", type=Path, required=True, help="the GGUF adapter to write")
    parser.add_argument("--outtype", choices=sorted(OUT_TYPES), default="f16")
    ns = parser.parse_args(argv)
    try:
        result = export_lora(ns.adapter_dir, ns.base, ns.out, outtype=ns.outtype)
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {result.path} ({result.n_pairs} LoRA pairs, rank {result.rank}, "
        f"alpha {result.alpha:g})"
    )
    return 0
