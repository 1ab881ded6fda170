"""The style-transfer experiment, --quick, exactly as CI runs it (about 15 minutes on two
cores). A fresh clone has no build/demo-model, so the base is the committed demo model read
back from its GGUF (or, without that, a small model trained from scratch on house style A);
QLoRA on letters corrected to house style B must raise ROUGE-L against style B and keep
key-fact recall within 2 points, on 100 evaluation letters. The run repeats exactly: the same
commit on the same kind of machine trains the same model (a slotting that followed Python's
string hashing made it differ from run to run before; tests/core/facts/test_slotting.py).

Another kind of machine trains another model: torch's AVX-512 kernels and its AVX2 kernels do
not add up floats in the same order. With the decoding of 2026-12-05 the 2-point goal was met
with the AVX-512 kernels (Xeon) and missed with the AVX2 ones (AMD EPYC, 2.82 points lost);
the decoding now keeps an item's key facts and states a course before the appointments
after it (docs/fact-slots.md), and the AVX2 run keeps its facts within the goal too."""

from __future__ import annotations

import json
import subprocess
import sys


def test_quick_style_transfer_raises_rouge_l_towards_house_style_b(tmp_path):
    out = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "training", "experiment", "style-transfer", "--quick",
         "--json", str(out), "--demo-dir", str(tmp_path / "no-demo-model")],
        capture_output=True, text=True, timeout=3600,  # 14.5 min on 2 cores, 25 min with AVX2 only
    )  # fmt: skip
    # 1: the run finished and missed its goal; its JSON says which check
    assert done.returncode in (0, 1) and out.is_file(), done.stdout[-2000:] + done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    # the keys the issue asks the JSON to keep, as fractions
    keys = ("rougeL_before", "rougeL_after", "fact_recall_before", "fact_recall_after")
    assert all(isinstance(results[key], float) for key in keys)
    figures = {key: results[key] for key in keys}
    assert results["rougeL_after"] > results["rougeL_before"], figures
    # the experiment's own goal (docs/training.md), on every machine
    assert results["fact_recall_after"] >= 0.95, figures
    assert results["heldout_cases"] == 100
    assert results["base_source"].startswith(("the committed demo model", "trained from scratch"))
    hyperparameters = results["finetune"]["hyperparameters"]
    assert hyperparameters["quantization"] == "nf4+double"
    assert hyperparameters["train_token_embeddings"]  # the demo base needs it (docs/training.md)
    assert results["dataset"]["heldout"] > 0
    kept = results["fact_recall_after"] >= results["fact_recall_before"] - 0.02
    assert results["checks"]["fact_recall_kept_within_2_points"] == kept
    assert results["passed"] is kept and done.returncode == (0 if kept else 1)
    # the quick goal, at most 2 points lost: 100.0 % -> 99.09 % with torch's AVX2 kernels
    # (2026-12-06, 11 facts of 1,207 lost; 97.18 % before the decoding kept an item's key facts
    # and the course before the appointments)
    assert kept, figures


def test_the_full_experiment_without_a_base_says_what_to_do(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "training", "experiment", "style-transfer",
         "--json", str(tmp_path / "full.json"), "--demo-dir", str(tmp_path / "nothing"),
         "--demo-gguf", str(tmp_path / "nothing.gguf")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1
    assert "no demo-model checkpoint" in done.stderr and "--quick" in done.stderr


def test_without_any_demo_model_quick_trains_a_base_from_scratch(tmp_path):
    from transformers import AutoConfig

    from training.experiment import scratch_base

    checkpoint = scratch_base(tmp_path / "scratch", minutes=0.02)
    config = AutoConfig.from_pretrained(checkpoint)
    assert config.model_type == "llama" and config.num_hidden_layers == 2
    assert (checkpoint / "tokenizer.json").is_file()
