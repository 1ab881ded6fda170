"""The trainer's GPU path on a machine without a GPU: what it chooses when CUDA is there
(torch's answers faked), and what the app is told when the GPU runs out of memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from training import finetune, finetune_model
from training.errors import ToolchainError
from training.finetune_args import FinetuneArgs


def test_a_gpu_is_used_when_there_is_one_and_asking_for_one_without_it_is_refused(
    monkeypatch, capsys
):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert finetune_model.pick_device("auto") == "cuda"
    assert capsys.readouterr().out == ""  # no "training on the CPU" notice

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert finetune_model.pick_device("auto") == "cpu"
    assert "No GPU: training on the CPU" in capsys.readouterr().out
    with pytest.raises(ToolchainError, match="no CUDA GPU is available"):
        finetune_model.pick_device("cuda")


@pytest.mark.parametrize(
    ("device", "bf16", "dtype"),
    [("cuda", True, torch.bfloat16), ("cuda", False, torch.float16), ("cpu", True, torch.float32)],
)
def test_the_gpu_computes_in_bfloat16_where_it_can_else_float16(monkeypatch, device, bf16, dtype):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: bf16)
    assert finetune_model.compute_dtype(device) is dtype


def test_the_gpu_optimizer_is_paged_8_bit_adamw():
    import bitsandbytes as bnb

    model = torch.nn.Linear(4, 4)
    args = FinetuneArgs(base=Path("b"), data=Path("d"), out=Path("o"))

    assert isinstance(finetune.make_optimizer(model, args, "cuda"), bnb.optim.PagedAdamW8bit)
    assert type(finetune.make_optimizer(model, args, "cpu")) is torch.optim.AdamW


def test_running_out_of_gpu_memory_is_an_error_the_app_shows_with_what_to_do(monkeypatch, capsys):
    args = FinetuneArgs(base=Path("b"), data=Path("d"), out=Path("o"), micro_batch_size=4,
                        max_seq_len=4096)  # fmt: skip
    monkeypatch.setattr(finetune, "parse_args", lambda argv: args)

    def out_of_memory(_args: FinetuneArgs) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(finetune, "main", out_of_memory)

    assert finetune.cli([]) == 1
    event = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert event["event"] == "error"
    assert event["message"] == "out of memory while training (micro-batch 4, up to 4096 tokens)"
    assert "--micro-batch-size" in event["hint"] and "--resume" in event["hint"]
