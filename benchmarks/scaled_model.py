"""A larger model of the demo model's kind, for ``letterdesk bench`` beyond per-token overhead.

The demo model (3.7M parameters) spends well under a millisecond of arithmetic on a token, so
its benchmark figures mostly compare fixed per-token costs. This builds a Llama with the demo
model's tokenizer and chat template but more layers and width (random weights: the benchmark
counts tokens, it does not read them), as a Hugging Face checkpoint and a Q8_0 GGUF:

    .venv/bin/python benchmarks/scaled_model.py --out build/scaled --width 768 --layers 8
    .venv/bin/letterdesk bench --model build/scaled/q8_0.gguf --hf-checkpoint build/scaled/hf \
        --threads 2 --tokens 352 --json build/scaled/bench.json

Needs the ``train`` extra (torch, transformers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from training.convert import convert  # noqa: E402
from training.from_gguf import checkpoint_from_gguf  # noqa: E402
from training.quantize import quantize  # noqa: E402

DEMO = ROOT / "resources" / "models" / "letterdesk-demo.gguf"
HEAD_DIM = 64


def build(out: Path, width: int, layers: int, seed: int) -> Path:
    """The scaled checkpoint in ``out/hf`` and its Q8_0 GGUF ``out/q8_0.gguf``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    demo = checkpoint_from_gguf(DEMO, out / "demo")  # the demo's tokenizer and settings
    settings = json.loads((demo / "config.json").read_text(encoding="utf-8"))
    for key in ("architectures", "transformers_version", "dtype", "torch_dtype"):
        settings.pop(key, None)
    heads = width // HEAD_DIM
    settings.update(
        hidden_size=width,
        intermediate_size=3 * width,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=max(1, heads // 2),
        head_dim=HEAD_DIM,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(**settings))
    hf = out / "hf"
    model.save_pretrained(hf)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (hf / name).write_bytes((demo / name).read_bytes())
    f16 = out / "f16.gguf"
    convert(hf, f16, outtype="f16", name=f"scaled-{width}x{layers}")
    quantize(f16, out / "q8_0.gguf", "Q8_0")
    f16.unlink()
    millions = sum(p.numel() for p in model.parameters()) / 1e6
    print(f"{millions:.1f}M parameters: {hf} and {out / 'q8_0.gguf'}")
    return out / "q8_0.gguf"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--width", type=int, default=768, help="hidden size, a multiple of 64")
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.width % HEAD_DIM:
        parser.error(f"--width must be a multiple of {HEAD_DIM}")
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.out, args.width, args.layers, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
