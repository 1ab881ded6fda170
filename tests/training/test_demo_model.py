"""The demo-model script end to end on a toy budget, and the committed demo model's manifest."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from letterdesk.core.foundation.paths import resource

TOY = [
    "--train-cases", "40", "--heldout-cases", "3", "--curve-cases", "2",
    "--hidden-size", "64", "--n-layers", "2", "--n-heads", "4", "--n-kv-heads", "2",
    "--intermediate-size", "128", "--vocab-size", "600", "--batch-size", "4",
    "--max-seq-len", "3072",  # a toy tokenizer packs the house style into few merges
]  # fmt: skip


def test_demo_model_script_builds_a_loadable_model_with_a_card(tmp_path):
    out, work = tmp_path / "models", tmp_path / "work"
    command = [sys.executable, "-m", "training", "demo-model", "--out-dir", str(out),
               "--work-dir", str(work), *TOY,
               "--minutes", "0.05", "--checkpoint-minutes", "0.03"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert events[-1]["event"] == "done"
    manifest = json.loads((out / "letterdesk-demo.json").read_text(encoding="utf-8"))
    assert manifest["training"]["steps"] > 0  # it trained (progress is logged every 25 steps)
    model = out / manifest["file"]
    assert manifest["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert manifest["quality"]["cases"] == 3 and "key_fact_recall" in manifest["quality"]
    assert manifest["quality_curve"]  # checkpoints by time; the step-budget test counts them
    assert "not for clinical use" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    from letterdesk.core.models.gguf_header import read_header

    assert read_header(model).fact_slots  # trained on slotted letters, and the file says so

    from llama_cpp import Llama

    llm = Llama(model_path=str(model), n_ctx=256, verbose=False)
    try:
        assert llm.metadata["general.architecture"] == "llama"
        assert "<|start_header_id|>" in llm.metadata["tokenizer.chat_template"]
    finally:
        llm.close()

    # --remeasure: the same file measured again, as the app drafts now; the card says so
    (out / "letterdesk-demo.json").write_text(
        json.dumps({**manifest, "quality_independent": {}}), encoding="utf-8"
    )
    again = subprocess.run(
        [*command[:4], "--remeasure", "--out-dir", str(out), "--work-dir", str(work), *TOY],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    remeasured = json.loads((out / "letterdesk-demo.json").read_text(encoding="utf-8"))
    assert remeasured["sha256"] == manifest["sha256"] and remeasured["remeasured"]
    assert remeasured["quality_independent"]["cases"] == 3
    assert remeasured["quality_curve"] == manifest["quality_curve"]
    assert "Measured again on" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_bad_arguments_are_reported_all_at_once():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "training",
            "demo-model",
            "--hidden-size",
            "100",
            "--n-heads",
            "8",
            "--n-kv-heads",
            "3",
            "--minutes",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    for expected in (
        "hidden_size must be divisible by n_heads",
        "n_heads must be divisible by n_kv_heads",
        "minutes must be positive",
    ):
        assert expected in done.stderr


def test_the_committed_demo_model_matches_its_manifest():
    manifest_path = resource("models", "letterdesk-demo.json")
    if not manifest_path.exists():
        pytest.fail("resources/models/letterdesk-demo.json is missing: run make demo-model")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    model = resource("models", manifest["file"])
    assert model.stat().st_size == manifest["size_bytes"] <= 30_000_000
    assert hashlib.sha256(model.read_bytes()).hexdigest() == manifest["sha256"]
    assert "not for clinical use" in manifest["disclaimer"]
    # what README and card state (measured by `demo-model --remeasure` with the app's decoding:
    # slot names constrained, lists set out in full, an item line keeps its key facts): the
    # issue's goals hold on both sets
    quality, independent = manifest["quality"], manifest["quality_independent"]
    assert quality["cases"] == 200 and quality["key_fact_recall"] >= 0.97
    assert quality["not_in_case_rate"] <= 0.005 and quality["wrong_role_rate"] <= 0.01
    assert independent["cases"] == 200 and independent["key_fact_recall"] >= 0.97
    assert independent["not_in_case_rate"] <= 0.005 and independent["wrong_role_rate"] <= 0.01
    assert quality["key_fact_recall"] >= 1.0 and independent["key_fact_recall"] >= 0.9975
    assert independent["wrong_role_rate"] <= 0.0014
    assert manifest["fact_slots"]
    from letterdesk.core.models.gguf_header import read_header

    assert read_header(model).fact_slots


def test_every_held_out_case_combines_name_site_and_schedule_in_an_unseen_way():
    from training.demo_model import DemoModelArgs, make_splits
    from training.modelcard import unseen_combinations

    train, heldout = make_splits(DemoModelArgs(train_cases=3000, heldout_cases=60))
    assert len(train) == 3000 and len(heldout) == 60
    assert unseen_combinations(train, heldout) == 60


def test_a_step_budget_makes_the_run_independent_of_the_machines_speed(tmp_path):
    out, work = tmp_path / "models", tmp_path / "work"
    command = [sys.executable, "-m", "training", "demo-model", "--out-dir", str(out),
               "--work-dir", str(work), *TOY, "--max-steps", "10"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((out / "letterdesk-demo.json").read_text(encoding="utf-8"))
    assert [p["step"] for p in manifest["quality_curve"]] == [2, 4, 6, 8, 10]
    trained = manifest["training"]
    assert trained["steps"] == 10 and trained["budget"] == "10 steps"
    assert trained["tokens_per_s"] > 0
    assert "steps on 2 CPU cores (budget: 10 steps)" in (out / "MODEL_CARD.md").read_text()
    assert sorted(p.name for p in work.glob("checkpoint-*"))[-1] == "checkpoint-000010"


def test_a_run_can_continue_an_earlier_checkpoint_with_the_house_style(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    base = [sys.executable, "-m", "training", "demo-model", *TOY]
    done = subprocess.run(
        [*base, "--out-dir", str(first / "out"), "--work-dir", str(first), "--max-steps", "2",
         "--no-house-style", "--no-fact-slots"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    plain = json.loads((first / "out" / "letterdesk-demo.json").read_text(encoding="utf-8"))
    assert plain["tokenizer"]["chat_template"] == "LLaMA-3"
    assert plain["training"]["continued_from"] is None
    from letterdesk.core.models.gguf_header import read_header

    assert not read_header(first / "out" / "letterdesk-demo.gguf").fact_slots
    command = [*base, "--out-dir", str(second / "out"), "--work-dir", str(second),
               "--max-steps", "2", "--init-from", str(first / "checkpoint-000002"),
               "--init-note", "a two-step toy run"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]

    manifest = json.loads((second / "out" / "letterdesk-demo.json").read_text(encoding="utf-8"))
    assert manifest["training"]["continued_from"] == "a two-step toy run"
    card = (second / "out" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "continuing a two-step toy run" in card
    # the same tokenizer, now with the house style as the default system message
    assert (second / "hf" / "tokenizer.json").read_bytes() == (
        first / "checkpoint-000002" / "tokenizer.json"
    ).read_bytes()

    from llama_cpp import Llama

    from letterdesk.core.generation.prompts import apply_chat_template

    llm = Llama(model_path=str(second / "out" / "letterdesk-demo.gguf"), vocab_only=True,
                verbose=False)  # fmt: skip
    try:
        template = llm.metadata["tokenizer.chat_template"]
    finally:
        llm.close()
    prompt = apply_chat_template(template, [{"role": "user", "content": "Fall"}])
    assert prompt.startswith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n")
    assert "Never write a value of the case yourself" in prompt  # a model that writes slots
    own = apply_chat_template(template, [{"role": "system", "content": "Kurz."},
                                         {"role": "user", "content": "Fall"}])  # fmt: skip
    assert "Never write a value" not in own and "Kurz." in own


def test_a_default_system_message_is_plain_text():
    from training.errors import ToolchainError
    from training.tokenizer import chat_template_with_system

    for bad in ("", "{{ config }}", "Stil {% if x %}", "<|eot_id|>"):
        with pytest.raises(ToolchainError):
            chat_template_with_system(bad)
