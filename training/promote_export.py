"""The new version as llama.cpp runs it, and the current model it is compared with: the adapter
merged into the 16-bit base, converted and quantized (``--export merged``), or the base's GGUF
with the adapter as a GGUF LoRA (``--export lora``); each model named by its SHA-256."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from letterdesk.core.models.trainer_events import Event
from training.files import read_json
from training.progress import log
from training.promote_args import PromoteArgs


def _merge_dtype(base: Path) -> str:
    # merge in the base's own precision, so a float32 base is not rounded to bfloat16
    dtype = read_json(base / "config.json").get("dtype") or "bfloat16"
    return dtype if dtype in ("bfloat16", "float16", "float32") else "bfloat16"


def quantized_gguf(checkpoint: Path, out: Path, qtype: str) -> tuple[Path, int]:
    """Checkpoint → F16 GGUF → quantized GGUF (the F16 file is removed); and its fallbacks."""
    from training.convert import convert
    from training.quantize import quantize

    f16 = out.with_name(out.name.removesuffix(".gguf") + ".f16.gguf")
    convert(checkpoint, f16, outtype="f16")
    try:
        result = quantize(f16, out, qtype)
    finally:
        f16.unlink(missing_ok=True)
    return out, len(result.fallbacks)


def export(args: PromoteArgs, name: str, version_label: str) -> tuple[Path, Path | None, dict]:
    """The new version as llama.cpp runs it: (model GGUF, LoRA GGUF or None, export info)."""
    from training.lora import export_lora
    from training.merge import merge

    adapter_dir = args.run / "adapter"
    stem = f"{name}-{version_label}.{args.quantization.lower()}"
    info: dict[str, Any] = {"base_gguf": None}
    if args.export == "merged":
        merged = merge(args.base, adapter_dir, args.out / "merged", dtype=_merge_dtype(args.base))
        model, fallbacks = quantized_gguf(merged, args.out / f"{stem}.gguf", args.quantization)
        info["lineage"] = {
            "kind": "merged",
            "quantization": args.quantization,
            "fallback_tensors": fallbacks,
        }
        log(Event.EXPORTED, model=str(model))
        return model, None, info
    base_gguf, fallbacks = quantized_gguf(
        args.base, args.out / f"{name}-base.{args.quantization.lower()}.gguf", args.quantization
    )
    adapter = export_lora(adapter_dir, args.base, args.out / f"{stem}.lora.gguf").path
    info.update(
        base_gguf=base_gguf,
        lineage={
            "kind": "lora",
            "quantization": args.quantization,
            "fallback_tensors": fallbacks,
            "base_gguf": str(base_gguf.resolve()),
        },
    )
    log(Event.EXPORTED, model=str(base_gguf), adapter=str(adapter))
    return base_gguf, adapter, info


def identity(path: Path, adapter: Path | None, label: str = "") -> dict[str, Any]:
    """A model as compared: its files, a label, and the SHA-256 of the model and adapter."""
    from letterdesk.core.models.identity import file_sha256

    return {
        "path": path,
        "adapter_path": adapter,
        "label": label,
        "sha256": file_sha256(path),
        "adapter_sha256": file_sha256(adapter) if adapter else None,
    }


def current_model(args: PromoteArgs, export_info: dict) -> dict[str, Any]:
    """The model the new one must not be worse than (see the module docstring)."""
    if args.current is not None:
        return identity(args.current, args.current_adapter, f"current ({args.current.name})")
    if args.store is not None:
        from letterdesk.core.store.database import Store
        from letterdesk.core.store.model_versions import default_version

        with Store(args.store, read_only=True) as store:
            default = default_version(store)
        if default is not None:
            adapter = Path(default.adapter_path) if default.adapter_path else None
            return identity(
                Path(default.path),
                adapter,
                f"current default ({default.name} {default.version})".strip(),
            )
    base_gguf = export_info.get("base_gguf")
    if base_gguf is None:
        base_gguf, _ = quantized_gguf(
            args.base, args.out / f"base.{args.quantization.lower()}.gguf", args.quantization
        )
    return identity(base_gguf, None, "base (no default model registered)")
