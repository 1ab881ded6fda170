"""The model a fine-tuning trains: the base loaded in 4-bit NF4 with double quantisation (QLoRA)
or in 16 bit, LoRA on every linear projection as the only weights that train, on the GPU when
there is one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from letterdesk.core.models.trainer_events import Event
from training.errors import ToolchainError
from training.finetune_args import TARGET_MODULES, FinetuneArgs
from training.progress import log


def pick_device(wanted: str) -> str:
    """cuda or cpu; says so in the progress when there is no GPU."""
    import torch

    if wanted == "cuda" and not torch.cuda.is_available():
        raise ToolchainError("--device cuda was asked for, but no CUDA GPU is available")
    device = "cuda" if wanted == "auto" and torch.cuda.is_available() else wanted
    device = "cpu" if device == "auto" else device
    if device == "cpu":
        log(
            Event.NOTICE,
            message="No GPU: training on the CPU. This works, but is "
            "slow; a GPU trains a large model many times faster.",
        )
    return device


def compute_dtype(device: str):
    """What the model computes in: bfloat16 on a GPU that has it, else float16; float32 on the
    CPU (bfloat16 matmuls are slower than float32 on most CPUs)."""
    import torch

    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def load_model(args: FinetuneArgs, device: str):
    """The base model: 4-bit NF4 with double quantisation (QLoRA), or 16-bit without."""
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    compute = compute_dtype(device)
    if not args.quantize:
        model = AutoModelForCausalLM.from_pretrained(args.base, dtype=compute).to(device)
        if args.gradient_checkpointing:
            model.gradient_checkpointing_enable({"use_reentrant": False})
            model.enable_input_require_grads()
        return model
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as exc:
        raise ToolchainError(
            f"bitsandbytes cannot be loaded ({exc}), so the base cannot be quantized",
            hint="install bitsandbytes, or pass --no-quantize to train on the 16-bit base",
        ) from exc
    quantization = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute,
    )
    model = AutoModelForCausalLM.from_pretrained(
        args.base, quantization_config=quantization, device_map={"": device}, dtype=compute
    )
    keep_cpu_weights_trainable(model)
    for param in model.parameters():
        param.requires_grad = False
        if param.ndim == 1:  # norm gains in float32, as QLoRA does; they are tiny
            param.data = param.data.float()
    # peft's prepare_model_for_kbit_training would also cast the embeddings and the output
    # layer to float32: 2 GB more for LLaMA-3 8B (1.05e9 parameters), for no gain here
    if args.gradient_checkpointing:
        model.gradient_checkpointing_enable({"use_reentrant": False})
        model.enable_input_require_grads()
    return model


def keep_cpu_weights_trainable(model) -> None:
    """Stop bitsandbytes from repacking 4-bit weights for CPU inference during validation.

    On CPUs with AVX512-BF16, bitsandbytes 0.50 repacks a Linear4bit's weight the first time it
    runs in eval mode without gradients, and never back; training afterwards goes through a
    kernel without a backward pass and the gradients reaching earlier layers are wrong
    (measured: relative error ~1.0 against the dequantized model; torch warns
    "gemv_4bit: an autograd kernel was not registered"). The flag below is what it checks.
    """
    import bitsandbytes as bnb

    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False


def mark_trainable(model, args: FinetuneArgs, letter_tokens: Sequence[int] = ()) -> tuple[Any, int]:
    """Wrap the model with LoRA on every linear projection; only those matrices train, and the
    embedding rows of ``letter_tokens`` (given with ``train_token_embeddings``)."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=list(TARGET_MODULES),
        bias="none",
        task_type="CAUSAL_LM",
        trainable_token_indices=list(letter_tokens) or None,
    )
    peft_model = get_peft_model(model, config)
    peft_model.config.use_cache = False  # no KV cache while training (checkpointing forbids it)
    return peft_model, sum(p.numel() for p in peft_model.parameters() if p.requires_grad)


def out_of_memory(exc: BaseException) -> bool:
    """Whether an exception is the GPU or the CPU running out of memory."""
    import torch

    text = str(exc)
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError)
        and ("out of memory" in text or "can't allocate memory" in text)
    )
