"""Quantize a GGUF model with llama.cpp (through llama-cpp-python) and report what it really did.

llama.cpp quantizes each 2-D tensor by a recipe: Q4_K_M, for instance, is mostly Q4_K with some
attn_v/ffn_down/output tensors in Q6_K. K-quants pack rows in blocks of 256 (Q8_0 in blocks of
32), so a tensor whose rows are not a multiple of the block falls back to another type (Q4_K →
Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, then F16). Such fallbacks are returned, not hidden.
"""

from __future__ import annotations

import argparse
import ctypes
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import gguf

from training.convert import read_gguf
from training.errors import ToolchainError
from training.files import staged_file

QuantType = Literal["Q8_0", "Q4_K_M", "Q5_K_M", "Q6_K"]
_T = gguf.GGMLQuantizationType
# type name → (llama_ftype name in llama_cpp, the tensor types the recipe itself chooses)
RECIPES: dict[str, tuple[str, frozenset[gguf.GGMLQuantizationType]]] = {
    "Q8_0": ("LLAMA_FTYPE_MOSTLY_Q8_0", frozenset({_T.Q8_0})),
    "Q4_K_M": ("LLAMA_FTYPE_MOSTLY_Q4_K_M", frozenset({_T.Q4_K, _T.Q6_K})),
    "Q5_K_M": ("LLAMA_FTYPE_MOSTLY_Q5_K_M", frozenset({_T.Q5_K, _T.Q6_K})),
    "Q6_K": ("LLAMA_FTYPE_MOSTLY_Q6_K", frozenset({_T.Q6_K})),
}


@dataclass(frozen=True)
class TensorFallback:
    """A tensor llama.cpp stored in another type than the recipe asks for."""

    name: str
    shape: tuple[int, ...]
    """numpy order (rows, columns); columns not divisible by the block size cause fallbacks."""
    wanted: tuple[str, ...]
    """The types the recipe uses, e.g. ("Q4_K", "Q6_K")."""
    got: str


@dataclass(frozen=True)
class QuantizeResult:
    """The quantized file, as read back."""

    path: Path
    qtype: QuantType
    n_tensors: int
    type_counts: dict[str, int]
    """How many tensors of each GGML type the file holds (norms stay F32)."""
    fallbacks: list[TensorFallback]


def quantize(
    source: Path, out: Path, qtype: QuantType = "Q4_K_M", *, threads: int = 0
) -> QuantizeResult:
    """Quantize the GGUF model `source` (F32/F16/BF16) into `out`, replaced only when complete."""
    import llama_cpp

    if qtype not in RECIPES:
        raise ToolchainError(f"quantization type {qtype!r} is not one of {', '.join(RECIPES)}")
    read_gguf(source)  # a truncated input gets a clear error rather than llama.cpp's log line
    if not out.parent.is_dir():
        raise ToolchainError(f"output directory {out.parent} does not exist")
    ftype_name, wanted = RECIPES[qtype]

    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, ftype_name)
    params.nthread = threads
    with staged_file(out) as tmp:
        status = llama_cpp.llama_model_quantize(
            str(source).encode(), str(tmp).encode(), ctypes.byref(params)
        )
        if status != 0:
            raise ToolchainError(
                f"llama.cpp could not quantize {source} to {qtype} (status {status})",
                hint="llama.cpp's log on stderr says why",
            )
        reader = read_gguf(tmp)

    fallbacks = []
    for tensor in reader.tensors:
        shape = tuple(int(n) for n in reversed(tensor.shape))
        if len(shape) >= 2 and tensor.tensor_type not in wanted:
            fallbacks.append(
                TensorFallback(
                    tensor.name,
                    shape,
                    tuple(sorted(t.name for t in wanted)),
                    tensor.tensor_type.name,
                )
            )
    counts = Counter(t.tensor_type.name for t in reader.tensors)
    return QuantizeResult(out, qtype, len(reader.tensors), dict(counts), fallbacks)


def cli(argv: Sequence[str] | None = None) -> int:
    """python -m training quantize MODEL.gguf --out OUT.gguf [--type Q4_K_M]"""
    parser = argparse.ArgumentParser(
        prog="python -m training quantize", description=__doc__.splitlines()[0]
    )
    parser.add_argument("source", type=Path, help="GGUF model in F32, F16 or BF16")
    parser.add_argument("--out", type=Path, required=True, help="the quantized GGUF file to write")
    parser.add_argument("--type", dest="qtype", choices=list(RECIPES), default="Q4_K_M")
    parser.add_argument("--threads", type=int, default=0, help="0: all cores")
    ns = parser.parse_args(argv)
    try:
        result = quantize(ns.source, ns.out, ns.qtype, threads=ns.threads)
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n} {name}" for name, n in sorted(result.type_counts.items()))
    print(f"wrote {result.path} ({result.qtype}: {counts})")
    for f in result.fallbacks:
        print(f"fallback: {f.name} {f.shape} is {f.got}, not {'/'.join(f.wanted)}")
    return 0
