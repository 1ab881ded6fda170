"""A trained PEFT LoRA adapter merged into its base: a plain Hugging Face checkpoint, ready for
``training.convert`` and ``training.quantize`` (which ``python -m training merge`` can run too).

The base is reloaded in 16 bit (QLoRA trains on a 4-bit copy); the adapter is checked first
(:func:`training.lora.read_adapter`), so a wrong adapter gets a clear error before PEFT's own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from training.convert import OUT_TYPES, convert
from training.errors import ToolchainError
from training.files import shared, staged_dir
from training.lora import read_adapter

MergeDtype = Literal["bfloat16", "float16", "float32"]


def merge(
    base_dir: Path, adapter_dir: Path, out_dir: Path, *, dtype: MergeDtype = "bfloat16"
) -> Path:
    """Reload the base in 16 bit (QLoRA trains on a 4-bit copy), add the adapter, merge, and save
    a plain checkpoint (safetensors + tokenizer) in out_dir, ready for convert + quantize."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if dtype not in ("bfloat16", "float16", "float32"):
        raise ToolchainError(f"merge dtype {dtype!r} is not bfloat16, float16 or float32")
    read_adapter(adapter_dir, base_dir, merging=True)  # clear errors before PEFT's own
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=getattr(torch, dtype))
    merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with staged_dir(out_dir) as staging:
        merged.save_pretrained(staging, safe_serialization=True)
        for name in (
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "chat_template.jinja",
        ):
            if (base_dir / name).exists():
                shutil.copy2(base_dir / name, staging / name)
        for path in staging.iterdir():
            path.chmod(shared(0o644))
    return out_dir


def cli(argv: Sequence[str] | None = None) -> int:
    """python -m training merge BASE_DIR ADAPTER_DIR --out DIR [--gguf FILE [--quant Q4_K_M]]"""
    from training.quantize import RECIPES, quantize

    parser = argparse.ArgumentParser(
        prog="python -m training merge", description="merge a LoRA adapter into its base checkpoint"
    )
    parser.add_argument("base_dir", type=Path)
    parser.add_argument("adapter_dir", type=Path)
    parser.add_argument(
        "--out", type=Path, required=True, help="directory for the merged checkpoint"
    )
    parser.add_argument("--dtype", choices=("bfloat16", "float16", "float32"), default="bfloat16")
    parser.add_argument(
        "--gguf", type=Path, help="also convert the merged checkpoint to this GGUF file"
    )
    parser.add_argument(
        "--outtype", choices=sorted(OUT_TYPES), default="f16", help="GGUF weight type"
    )
    parser.add_argument(
        "--quant", choices=list(RECIPES), help="quantize the GGUF file to this type"
    )
    ns = parser.parse_args(argv)
    try:
        merged = merge(ns.base_dir, ns.adapter_dir, ns.out, dtype=ns.dtype)
        print(f"merged into {merged}")
        if ns.gguf:
            unquantized = ns.gguf.with_suffix(f".{ns.outtype}.gguf") if ns.quant else ns.gguf
            print(f"wrote {convert(merged, unquantized, outtype=ns.outtype).path}")
            if ns.quant:
                result = quantize(unquantized, ns.gguf, ns.quant)
                unquantized.unlink()
                print(
                    f"wrote {result.path} ({result.qtype}, "
                    f"{len(result.fallbacks)} fallback tensors)"
                )
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
