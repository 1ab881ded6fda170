"""A model of LLaMA-3 8B's exact shape, to measure what a CPU-only desk sees (no weights of the
real model can be downloaded here, and the speed of a dense model does not depend on them).

LLaMA-3.1 8B's architecture: 32 layers, width 4096, 32 query and 8 key/value heads of 128,
FFN 14336, RMS-norm eps 1e-5, rope theta 500000 with LLaMA-3 rope scaling (factor 8, low/high
frequency factors 1/4, original context 8192), untied output — with the demo model's tokenizer
(2,048 tokens, so the embedding and output matrices are 63x smaller than the real model's
128,256 rows: 6.98 B parameters instead of 8.03 B) and random weights (N(0, 0.02), norms 1).
Written tensor by tensor into an F16 GGUF (one tensor in memory at a time, ~14 GB on disk),
then quantized to Q4_K_M by llama.cpp (training.quantize, which streams too):

    .venv/bin/python benchmarks/llama3_8b_shape.py --out build/llama3-8b-shape
    # then: benchmarks/bench_8b_shape.py --model build/llama3-8b-shape/q4_k_m.gguf

``--keep-f16`` keeps the F16 file (deleted by default once quantized). Needs the ``train``
extra (the demo tokenizer is read through transformers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gguf  # noqa: E402
import numpy as np  # noqa: E402

from training.convert import (  # noqa: E402
    ARCH,
    LlamaHparams,
    PlannedTensor,
    add_hparams,
    add_vocab,
    check_written,
    encode,
    expected_shapes,
    llama3_rope_factors,
    nbytes,
)
from training.files import staged_file  # noqa: E402
from training.from_gguf import checkpoint_from_gguf  # noqa: E402
from training.quantize import quantize  # noqa: E402
from training.tokenizer import read_gguf_vocab  # noqa: E402

DEMO = ROOT / "resources" / "models" / "letterdesk-demo.gguf"
VOCAB = 2048  # the demo tokenizer's

LLAMA3_8B = LlamaHparams(
    n_layers=32,
    hidden_size=4096,
    intermediate_size=14336,
    n_heads=32,
    n_kv_heads=8,
    head_dim=128,
    n_vocab=VOCAB,
    context_length=131072,
    rms_norm_eps=1e-5,
    rope_theta=500000.0,
    rope_type="llama3",
    rope_scaling={
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    },
    tie_embeddings=False,
)


def plan(hp: LlamaHparams, seed: int) -> list[PlannedTensor]:
    """Every tensor, each made only when it is written."""
    factors = llama3_rope_factors(hp)
    tensors = [
        PlannedTensor("rope_freqs.weight", factors.shape, gguf.GGMLQuantizationType.F32,
                      lambda: factors)
    ]  # fmt: skip
    for number, (name, shape) in enumerate(expected_shapes(hp).items()):
        if len(shape) == 1:
            tensors.append(
                PlannedTensor(name, shape, gguf.GGMLQuantizationType.F32,
                              lambda shape=shape: np.ones(shape, dtype=np.float32))
            )  # fmt: skip
            continue

        def random(shape: tuple[int, ...] = shape, number: int = number) -> np.ndarray:
            rng = np.random.default_rng([seed, number])
            return rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02)

        tensors.append(PlannedTensor(name, shape, gguf.GGMLQuantizationType.F16, random))
    return tensors


def write_f16(out: Path, seed: int) -> Path:
    """The F16 GGUF, written one tensor at a time."""
    demo = checkpoint_from_gguf(DEMO, out / "demo-tokenizer")
    vocab = read_gguf_vocab(demo, VOCAB)
    tensors = plan(LLAMA3_8B, seed)
    writer = gguf.GGUFWriter(path=None, arch=ARCH)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name("LLaMA-3 8B shape (random weights, demo tokenizer)")
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    add_hparams(writer, LLAMA3_8B)
    add_vocab(writer, vocab)
    for t in tensors:
        writer.add_tensor_info(
            t.name, t.shape, np.dtype(np.float32), nbytes(t.shape, t.qtype), raw_dtype=t.qtype
        )
    path = out / "f16.gguf"
    with staged_file(path) as tmp:
        try:
            writer.write_header_to_file(tmp)
            writer.write_kv_data_to_file()
            writer.write_ti_data_to_file()
            for number, t in enumerate(tensors, 1):
                writer.write_tensor_data(encode(t.load(), t.qtype))
                print(f"\r{number}/{len(tensors)} tensors written", end="", file=sys.stderr)
            print(file=sys.stderr)
            writer.close()
            check_written(tmp, LLAMA3_8B, tensors)
        finally:
            writer.close()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(prog="llama3_8b_shape.py")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "llama3-8b-shape")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="quantizing threads (0: all)")
    parser.add_argument("--keep-f16", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    f16 = write_f16(args.out, args.seed)
    written = time.perf_counter()
    result = quantize(f16, args.out / "q4_k_m.gguf", "Q4_K_M", threads=args.threads)
    done = time.perf_counter()
    parameters = sum(int(np.prod(s)) for s in expected_shapes(LLAMA3_8B).values())
    report = {
        "parameters": parameters,
        "f16_bytes": f16.stat().st_size,
        "q4_k_m_bytes": result.path.stat().st_size,
        "q4_k_m_types": result.type_counts,
        "fallbacks": [f.name for f in result.fallbacks],
        "write_f16_s": written - started,
        "quantize_s": done - written,
    }
    if not args.keep_f16:
        f16.unlink()
    (args.out / "build.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
