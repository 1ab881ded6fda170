"""Convert a Hugging Face LlamaForCausalLM checkpoint into a GGUF file llama.cpp runs.

The story: read and check config.json (`read_hparams`), plan every output tensor from the
safetensors headers alone (`plan_tensors`), write the GGUF header and metadata, stream the
tensors one at a time into a temporary file, read that file back to check it, and rename it.

llama.cpp facts this relies on:
- llama.cpp's LLaMA rotary embedding rotates adjacent pairs, Hugging Face's rotates the two
  halves of each head, so the rows of q_proj (per head) and k_proj (per key/value head) are
  reordered (`permute_for_rope`).
- With tied embeddings no `output.weight` is written; llama.cpp then uses `token_embd.weight`.
- LLaMA-3 rope scaling is not a GGUF key: llama.cpp divides each rotary frequency by the
  matching entry of a `rope_freqs.weight` tensor, which is computed here.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import gguf
import numpy as np

from letterdesk.core.models.gguf_format import Keys
from training.errors import ToolchainError
from training.files import read_json, staged_file
from training.tokenizer import GgufVocab, read_gguf_vocab, writes_fact_slots

OutType = Literal["f32", "f16", "bf16"]
OUT_TYPES: dict[str, tuple[gguf.GGMLQuantizationType, gguf.LlamaFileType]] = {
    "f32": (gguf.GGMLQuantizationType.F32, gguf.LlamaFileType.ALL_F32),
    "f16": (gguf.GGMLQuantizationType.F16, gguf.LlamaFileType.MOSTLY_F16),
    "bf16": (gguf.GGMLQuantizationType.BF16, gguf.LlamaFileType.MOSTLY_BF16),
}
ARCH = gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA]
SUPPORTED_ROPE_TYPES = ("default", "llama3")


@dataclass(frozen=True)
class ConvertArgs:
    """What `python -m training convert` is asked to do."""

    checkpoint_dir: Path
    """Directory with config.json, *.safetensors, tokenizer.json and tokenizer_config.json."""
    out: Path
    """The GGUF file to write; replaced only once the new one is complete and checked."""
    outtype: OutType = "f16"
    """Type of the 2-D weights: f32, f16 or bf16 (norms and rope factors stay f32)."""

    def problems(self) -> list[str]:
        found = []
        if not self.checkpoint_dir.is_dir():
            found.append(f"checkpoint directory {self.checkpoint_dir} does not exist")
        if self.outtype not in OUT_TYPES:
            found.append(f"outtype {self.outtype!r} is not one of {sorted(OUT_TYPES)}")
        if not self.out.parent.is_dir():
            found.append(f"output directory {self.out.parent} does not exist")
        return found


@dataclass(frozen=True)
class LlamaHparams:
    """The hyperparameters of a LLaMA checkpoint that the GGUF file needs."""

    n_layers: int
    hidden_size: int
    intermediate_size: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    n_vocab: int
    context_length: int
    rms_norm_eps: float
    rope_theta: float
    rope_type: str
    """"default" or "llama3"."""
    rope_scaling: dict[str, Any]
    """The llama3 parameters (factor, low/high_freq_factor, original_max_position_embeddings)."""
    tie_embeddings: bool


@dataclass(frozen=True)
class ConvertResult:
    """What was written, as read back from the file."""

    path: Path
    outtype: OutType
    n_tensors: int
    n_vocab: int
    pre_tokenizer: str
    tie_embeddings: bool
    rope_type: str


def read_hparams(checkpoint_dir: Path) -> LlamaHparams:
    """Read config.json; ToolchainError naming every feature this converter does not handle."""
    path = checkpoint_dir / "config.json"
    config = read_json(path)
    architectures = config.get("architectures") or [config.get("model_type", "unknown")]
    if architectures != ["LlamaForCausalLM"]:
        raise ToolchainError(
            f"{path}: unsupported architecture {', '.join(map(str, architectures))}; "
            "only LlamaForCausalLM"
        )
    # transformers 5 moved rope_theta and rope_scaling into rope_parameters
    rope = dict(config.get("rope_parameters") or config.get("rope_scaling") or {})
    rope_type = str(rope.get("rope_type", rope.get("type", "default")))
    problems = []
    if config.get("quantization_config"):
        method = config["quantization_config"].get("quant_method", "unknown")
        problems.append(f"{method} quantized weights (use the original 16/32-bit checkpoint)")
    if config.get("hidden_act", "silu") != "silu":
        problems.append(f"hidden_act {config['hidden_act']!r} (only silu)")
    if config.get("attention_bias") or config.get("mlp_bias"):
        problems.append("attention_bias/mlp_bias (LLaMA has no biases)")
    if rope.get("partial_rotary_factor", 1.0) != 1.0:
        problems.append("partial_rotary_factor (LLaMA rotates the whole head)")
    if rope_type not in SUPPORTED_ROPE_TYPES:
        problems.append(f"rope type {rope_type!r} (only {', '.join(SUPPORTED_ROPE_TYPES)})")
    if rope_type == "llama3":
        missing = {
            "factor",
            "low_freq_factor",
            "high_freq_factor",
            "original_max_position_embeddings",
        } - set(rope)
        if missing:
            problems.append(f"llama3 rope scaling without {', '.join(sorted(missing))}")
    try:
        n_heads = int(config["num_attention_heads"])
        hparams = LlamaHparams(
            n_layers=int(config["num_hidden_layers"]),
            hidden_size=int(config["hidden_size"]),
            intermediate_size=int(config["intermediate_size"]),
            n_heads=n_heads,
            n_kv_heads=int(config.get("num_key_value_heads") or n_heads),
            head_dim=int(config.get("head_dim") or config["hidden_size"] // n_heads),
            n_vocab=int(config["vocab_size"]),
            context_length=int(config.get("max_position_embeddings", 4096)),
            rms_norm_eps=float(config.get("rms_norm_eps", 1e-6)),
            rope_theta=float(config.get("rope_theta") or rope.get("rope_theta") or 10000.0),
            rope_type=rope_type,
            rope_scaling=rope if rope_type == "llama3" else {},
            tie_embeddings=bool(config.get("tie_word_embeddings", False)),
        )
    except KeyError as exc:
        problems.append(f"no {exc.args[0]}")
    if problems:
        raise ToolchainError(f"{path}: unsupported LLaMA configuration: {'; '.join(problems)}")
    if hparams.n_heads % hparams.n_kv_heads:
        raise ToolchainError(
            f"{path}: {hparams.n_heads} attention heads are not a multiple of "
            f"{hparams.n_kv_heads} key/value heads"
        )
    return hparams


# --- tensors -----------------------------------------------------------------------------------


class CheckpointTensors:
    """The tensors of a checkpoint's safetensors files, read one at a time as float32."""

    def __init__(self, checkpoint_dir: Path, pattern: str = "model*.safetensors") -> None:
        from safetensors import safe_open

        self._safe_open = safe_open
        self.files: dict[str, Path] = {}
        for path in sorted(checkpoint_dir.glob(pattern)):
            try:
                with safe_open(str(path), framework="pt") as f:
                    self.files.update(dict.fromkeys(f.keys(), path))
            except Exception as exc:  # safetensors raises its own error types
                raise ToolchainError(f"{path} is not a readable safetensors file: {exc}") from None
        if not self.files:
            raise ToolchainError(f"no {pattern} files in {checkpoint_dir}")

    def shape(self, name: str) -> tuple[int, ...]:
        with self._safe_open(str(self.files[name]), framework="pt") as f:
            return tuple(f.get_slice(name).get_shape())

    def load(self, name: str) -> np.ndarray:
        import torch

        with self._safe_open(str(self.files[name]), framework="pt") as f:
            return f.get_tensor(name).to(torch.float32).numpy()


def permute_for_rope(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """Reorder the rows of q_proj/k_proj (or a LoRA B) from HF's half-split rotary layout to
    llama.cpp's interleaved one: within each head, row i of the first half goes to 2i, of the second
    half to 2i+1."""
    rows = weight.shape[0]
    head_dim = rows // n_heads
    by_head = weight.reshape(n_heads, 2, head_dim // 2, *weight.shape[1:])
    return np.ascontiguousarray(by_head.swapaxes(1, 2).reshape(weight.shape))


def llama3_rope_factors(hp: LlamaHparams) -> np.ndarray:
    """The per-frequency divisors llama.cpp applies for LLaMA-3 rope scaling (`rope_freqs`)."""
    scaling = hp.rope_scaling
    factor = float(scaling["factor"])
    low, high = float(scaling["low_freq_factor"]), float(scaling["high_freq_factor"])
    old_context = float(scaling["original_max_position_embeddings"])
    low_freq_wavelen, high_freq_wavelen = old_context / low, old_context / high
    factors = []
    for i in range(0, hp.head_dim, 2):
        wavelen = 2 * math.pi * hp.rope_theta ** (i / hp.head_dim)
        if wavelen < high_freq_wavelen:
            factors.append(1.0)
        elif wavelen > low_freq_wavelen:
            factors.append(factor)
        else:  # between the two: interpolate the frequency itself, as Hugging Face does
            smooth = (old_context / wavelen - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.asarray(factors, dtype=np.float32)


@dataclass(frozen=True)
class PlannedTensor:
    """One tensor of the GGUF file: its name, numpy-order shape, type and how to produce it."""

    name: str
    shape: tuple[int, ...]
    qtype: gguf.GGMLQuantizationType
    load: Callable[[], np.ndarray]


def gguf_name(hf_name: str, n_layers: int) -> str | None:
    """The GGUF name of a Hugging Face LLaMA tensor name, e.g. blk.0.attn_q.weight."""
    mapping = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, n_layers)
    return mapping.get_name(hf_name, try_suffixes=(".weight", ".bias"))


def expected_shapes(hp: LlamaHparams) -> dict[str, tuple[int, ...]]:
    """GGUF name → Hugging Face (numpy-order) shape of every weight the checkpoint must have."""
    q_rows, kv_rows = hp.n_heads * hp.head_dim, hp.n_kv_heads * hp.head_dim
    shapes: dict[str, tuple[int, ...]] = {
        "token_embd.weight": (hp.n_vocab, hp.hidden_size),
        "output_norm.weight": (hp.hidden_size,),
    }
    if not hp.tie_embeddings:
        shapes["output.weight"] = (hp.n_vocab, hp.hidden_size)
    for i in range(hp.n_layers):
        shapes |= {
            f"blk.{i}.attn_norm.weight": (hp.hidden_size,),
            f"blk.{i}.attn_q.weight": (q_rows, hp.hidden_size),
            f"blk.{i}.attn_k.weight": (kv_rows, hp.hidden_size),
            f"blk.{i}.attn_v.weight": (kv_rows, hp.hidden_size),
            f"blk.{i}.attn_output.weight": (hp.hidden_size, q_rows),
            f"blk.{i}.ffn_norm.weight": (hp.hidden_size,),
            f"blk.{i}.ffn_gate.weight": (hp.intermediate_size, hp.hidden_size),
            f"blk.{i}.ffn_up.weight": (hp.intermediate_size, hp.hidden_size),
            f"blk.{i}.ffn_down.weight": (hp.hidden_size, hp.intermediate_size),
        }
    return shapes


def plan_tensors(
    hp: LlamaHparams, source: CheckpointTensors, outtype: OutType
) -> list[PlannedTensor]:
    """Every tensor of the output file, checked against the hyperparameters, nothing loaded yet."""
    wanted = expected_shapes(hp)
    weight_type = OUT_TYPES[outtype][0]
    plan: list[PlannedTensor] = []
    problems: list[str] = []
    if hp.rope_type == "llama3":
        factors = llama3_rope_factors(hp)
        plan.append(
            PlannedTensor(
                "rope_freqs.weight", factors.shape, gguf.GGMLQuantizationType.F32, lambda: factors
            )
        )
    for hf_name in source.files:
        if hf_name.endswith("rotary_emb.inv_freq"):  # recomputed by llama.cpp
            continue
        name = gguf_name(hf_name, hp.n_layers)
        if name == "output.weight" and hp.tie_embeddings:  # llama.cpp reuses token_embd
            continue
        if name not in wanted:
            problems.append(f"unexpected tensor {hf_name}")
            continue
        shape = wanted.pop(name)
        if source.shape(hf_name) != shape:
            problems.append(
                f"{hf_name} has shape {source.shape(hf_name)}, config.json implies {shape}"
            )
            continue
        qtype = weight_type if len(shape) > 1 else gguf.GGMLQuantizationType.F32
        plan.append(PlannedTensor(name, shape, qtype, _loader(source, hf_name, name, hp)))
    problems += [f"missing tensor {name}" for name in wanted]
    if problems:
        raise ToolchainError(f"checkpoint does not match its config.json: {'; '.join(problems)}")
    return plan


def _loader(
    source: CheckpointTensors, hf_name: str, name: str, hp: LlamaHparams
) -> Callable[[], np.ndarray]:
    if name.endswith("attn_q.weight"):
        return lambda: permute_for_rope(source.load(hf_name), hp.n_heads)
    if name.endswith("attn_k.weight"):
        return lambda: permute_for_rope(source.load(hf_name), hp.n_kv_heads)
    return lambda: source.load(hf_name)


def encode(data: np.ndarray, qtype: gguf.GGMLQuantizationType) -> np.ndarray:
    """The bytes of a float32 tensor in GGUF type qtype (F32, F16 or BF16)."""
    if qtype == gguf.GGMLQuantizationType.F32:
        return data.astype(np.float32, copy=False)
    if qtype == gguf.GGMLQuantizationType.F16:
        return data.astype(np.float16)
    return gguf.quants.quantize(data.astype(np.float32, copy=False), qtype)


def nbytes(shape: Sequence[int], qtype: gguf.GGMLQuantizationType) -> int:
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    return math.prod(shape) // block_size * type_size


# --- writing -----------------------------------------------------------------------------------


def convert(
    checkpoint_dir: Path, out: Path, *, outtype: OutType = "f16", name: str | None = None
) -> ConvertResult:
    """Write `out` (GGUF, architecture llama) from a Hugging Face LLaMA checkpoint directory.

    ``name`` is the model's name in the file (what the app shows); the folder's by default.
    """
    args = ConvertArgs(checkpoint_dir, out, outtype)
    if problems := args.problems():
        raise ToolchainError("; ".join(problems))
    hp = read_hparams(checkpoint_dir)
    vocab = read_gguf_vocab(checkpoint_dir, hp.n_vocab)
    plan = plan_tensors(hp, CheckpointTensors(checkpoint_dir), outtype)

    writer = gguf.GGUFWriter(path=None, arch=ARCH)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(name or checkpoint_dir.resolve().name)
    writer.add_file_type(OUT_TYPES[outtype][1])
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    add_hparams(writer, hp)
    add_vocab(writer, vocab)
    if writes_fact_slots(checkpoint_dir):
        writer.add_bool(Keys.LetterDesk.FACT_SLOTS, True)
    for t in plan:
        writer.add_tensor_info(
            t.name, t.shape, np.dtype(np.float32), nbytes(t.shape, t.qtype), raw_dtype=t.qtype
        )

    with staged_file(out) as tmp:
        try:
            writer.write_header_to_file(tmp)
            writer.write_kv_data_to_file()
            writer.write_ti_data_to_file()
            for t in plan:  # one tensor in memory at a time
                writer.write_tensor_data(encode(t.load(), t.qtype))
            writer.close()
            check_written(tmp, hp, plan)
        finally:
            writer.close()
    return ConvertResult(
        out, outtype, len(plan), hp.n_vocab, vocab.pre, hp.tie_embeddings, hp.rope_type
    )


def add_hparams(writer: gguf.GGUFWriter, hp: LlamaHparams) -> None:
    writer.add_vocab_size(hp.n_vocab)
    writer.add_context_length(hp.context_length)
    writer.add_embedding_length(hp.hidden_size)
    writer.add_block_count(hp.n_layers)
    writer.add_feed_forward_length(hp.intermediate_size)
    writer.add_head_count(hp.n_heads)
    writer.add_head_count_kv(hp.n_kv_heads)
    writer.add_layer_norm_rms_eps(hp.rms_norm_eps)
    writer.add_rope_freq_base(hp.rope_theta)
    writer.add_rope_dimension_count(hp.head_dim)
    if hp.head_dim != hp.hidden_size // hp.n_heads:
        writer.add_key_length(hp.head_dim)
        writer.add_value_length(hp.head_dim)


def add_vocab(writer: gguf.GGUFWriter, vocab: GgufVocab) -> None:
    writer.add_tokenizer_model("gpt2")  # llama.cpp's name for byte-level BPE
    writer.add_tokenizer_pre(vocab.pre)
    writer.add_token_list(vocab.tokens)
    writer.add_token_types(vocab.token_types)
    writer.add_token_merges(vocab.merges)
    for token_id, add in (
        (vocab.bos_id, writer.add_bos_token_id),
        (vocab.eos_id, writer.add_eos_token_id),
        (vocab.eot_id, writer.add_eot_token_id),
        (vocab.pad_id, writer.add_pad_token_id),
    ):
        if token_id is not None:
            add(token_id)
    writer.add_add_bos_token(vocab.add_bos)
    writer.add_add_eos_token(vocab.add_eos)
    if vocab.chat_template:
        writer.add_chat_template(vocab.chat_template)


# --- reading back ------------------------------------------------------------------------------


def read_gguf(path: Path) -> gguf.GGUFReader:
    """Open a GGUF file, ToolchainError if it is missing, truncated or otherwise corrupt."""
    if not path.is_file():
        raise ToolchainError(f"GGUF file {path} does not exist")
    try:
        reader = gguf.GGUFReader(path)
    except Exception as exc:  # the reader fails with whatever numpy/struct error it hits
        raise ToolchainError(
            f"{path} is not a readable GGUF file (truncated or corrupt): {exc}"
        ) from None
    size = path.stat().st_size
    for tensor in reader.tensors:
        end = int(tensor.data_offset) + int(tensor.n_bytes)
        if end > size:
            raise ToolchainError(
                f"{path} is truncated: tensor {tensor.name} ends at byte {end}, the file has {size}"
            )
    return reader


def field_value(reader: gguf.GGUFReader, key: str) -> Any:
    """The value of a GGUF metadata key (str, number, bool or list), None if absent."""
    field = reader.get_field(key)
    return None if field is None else field.contents()


def check_written(path: Path, hp: LlamaHparams, plan: list[PlannedTensor]) -> None:
    """Read the new file back: architecture, tensor names, shapes and types, vocabulary size."""
    reader = read_gguf(path)
    problems = []
    arch = field_value(reader, gguf.Keys.General.ARCHITECTURE)
    if arch != ARCH:
        problems.append(f"architecture {arch!r}, expected {ARCH!r}")
    written = {t.name: t for t in reader.tensors}
    if len(written) != len(plan):
        problems.append(f"{len(written)} tensors, expected {len(plan)}")
    for t in plan:
        got = written.get(t.name)
        if got is None:
            problems.append(f"tensor {t.name} missing")
        elif tuple(int(n) for n in reversed(got.shape)) != t.shape or got.tensor_type != t.qtype:
            problems.append(
                f"tensor {t.name} is {got.tensor_type.name} {tuple(reversed(got.shape))}, "
                f"expected {t.qtype.name} {t.shape}"
            )
    n_tokens = len(field_value(reader, gguf.Keys.Tokenizer.LIST) or [])
    if n_tokens != hp.n_vocab:
        problems.append(f"{n_tokens} tokens, expected {hp.n_vocab}")
    if problems:
        raise ToolchainError(
            f"the written GGUF file {path} failed its check: {'; '.join(problems)}"
        )


# --- command line ------------------------------------------------------------------------------


def cli(argv: Sequence[str] | None = None) -> int:
    """python -m training convert CHECKPOINT_DIR --out FILE.gguf [--outtype f32|f16|bf16]"""
    parser = argparse.ArgumentParser(
        prog="python -m training convert", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "checkpoint_dir", type=Path, help="directory with config.json, *.safetensors, tokenizer"
    )
    parser.add_argument("--out", type=Path, required=True, help="the GGUF file to write")
    parser.add_argument(
        "--outtype", choices=sorted(OUT_TYPES), default="f16", help="type of the 2-D weights"
    )
    ns = parser.parse_args(argv)
    try:
        result = convert(ns.checkpoint_dir, ns.out, outtype=ns.outtype)
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {result.path} ({result.outtype}, {result.n_tensors} tensors, "
        f"vocabulary {result.n_vocab}, "
        f"pre-tokenizer {result.pre_tokenizer})"
    )
    return 0
