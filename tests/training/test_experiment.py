"""The style-transfer experiment, --quick, exactly as CI runs it (runs in CI, ~5 minutes on
two cores): a fresh clone has no demo checkpoint, so a small base is first trained from
scratch on house style A; QLoRA on letters corrected to house style B must raise ROUGE-L."""

from __future__ import annotations

import json
import subprocess
import sys


def test_quick_style_transfer_raises_rouge_l_towards_house_style_b(tmp_path):
    out = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "training", "experiment", "style-transfer", "--quick",
         "--json", str(out), "--demo-dir", str(tmp_path / "no-demo-model")],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    for key in ("rougeL_before", "rougeL_after", "fact_recall_before", "fact_recall_after"):
        assert 0.0 <= results[key] <= 1.0
    assert results["rougeL_after"] > results["rougeL_before"]
    assert results["base_source"].startswith("trained from scratch")
    assert results["finetune"]["hyperparameters"]["quantization"] == "nf4+double"
    assert results["dataset"]["heldout"] > 0 and results["passed"] is True


def test_the_full_experiment_without_a_base_says_what_to_do(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "training", "experiment", "style-transfer",
         "--json", str(tmp_path / "full.json"), "--demo-dir", str(tmp_path / "nothing")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1
    assert "no demo-model checkpoint" in done.stderr and "--quick" in done.stderr
