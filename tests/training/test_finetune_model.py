"""The model a fine-tuning trains: QLoRA on the CPU keeps the gradients of the dequantized
model, even after a validation pass."""

from __future__ import annotations

from training.finetune_args import TARGET_MODULES


def test_gradients_stay_right_after_a_validation_on_the_cpu(tiny_base, letters, tmp_path):
    """bitsandbytes repacks 4-bit weights for CPU inference in eval mode; training after a
    validation must still get the gradients of the dequantized model."""
    import bitsandbytes as bnb
    import bitsandbytes.functional as F
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from training.finetune_args import FinetuneArgs
    from training.finetune_model import load_model, mark_trainable

    args = FinetuneArgs(tiny_base, letters / "data", tmp_path, lora_dropout=0.0)
    quantized, _ = mark_trainable(load_model(args, "cpu"), args)
    reference = AutoModelForCausalLM.from_pretrained(tiny_base, dtype=torch.float32)
    with torch.no_grad():
        for name, module in quantized.base_model.model.named_modules():
            if isinstance(module, bnb.nn.Linear4bit):
                weight = F.dequantize_4bit(module.weight.data, module.weight.quant_state)
                reference.get_submodule(name.removesuffix(".base_layer")).weight.copy_(weight)
    reference = get_peft_model(reference, LoraConfig(
        r=16, lora_alpha=32, lora_dropout=0.0, target_modules=list(TARGET_MODULES)))  # fmt: skip
    with torch.no_grad():
        trained = dict(quantized.named_parameters())
        for name, param in reference.named_parameters():
            if "lora_B" in name:
                trained[name].normal_(0.0, 0.1)
            if "lora_" in name:
                param.copy_(trained[name])

    tokens = torch.randint(0, 300, (1, 40))
    quantized.eval()
    with torch.no_grad():
        quantized(input_ids=tokens)  # a validation pass
    gradients = []
    for model in (quantized, reference):
        model.train()
        model(input_ids=tokens, labels=tokens).loss.backward()
        gradients.append({n: p.grad for n, p in model.named_parameters() if p.requires_grad})
    for name, grad in gradients[1].items():
        assert torch.allclose(gradients[0][name], grad, rtol=1e-3, atol=1e-5), name
