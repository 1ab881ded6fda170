"""QLoRA fine-tuning on a tiny model, on the CPU: dataset → finetune → GGUF → evaluation →
registry, resuming after a killed run, and what the user is told when something is wrong.
The promotion gate itself is tested in test_promote_decision.py."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from letterdesk.core.store import model_versions
from letterdesk.core.store.database import Store
from letterdesk.core.synthetic.generator import generate_case
from tests.training.helpers import STORE_PASSPHRASE
from training.dataset import load_dataset
from training.finetune_args import TARGET_MODULES
from training.finetune_data import letter_type_balance

SMALL_RUN = ["--batch-size", "2", "--micro-batch-size", "2", "--max-seq-len", "4096",
             "--eval-pairs", "2", "--min-train-pairs", "4"]  # fmt: skip


@pytest.fixture(autouse=True)
def store_passphrase(monkeypatch):
    # where the test machine has no keyring, the store's key comes from this passphrase
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", STORE_PASSPHRASE)


def trainer(*args: object, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "training", *map(str, args)],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_dataset_to_qlora_to_gguf_to_evaluation_to_registry(tiny_base, letters, tmp_path):
    data, store_path, run = letters / "data", letters / "store.sqlite3", tmp_path / "run"
    done = trainer("finetune", "--base", tiny_base, "--data", data, "--out", run,
                   "--max-steps", "4", "--eval-interval", "2", *SMALL_RUN)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = events(done.stdout)
    progress = [e for e in seen if e["event"] == "progress"]
    assert [e["step"] for e in progress] == [1, 2, 3, 4]
    assert all({"loss", "lr", "tokens_per_s", "eta_s"} <= e.keys() for e in progress)
    assert any(e["event"] == "notice" and "CPU" in e["message"] for e in seen)
    start = next(e for e in seen if e["event"] == "start")
    assert start["quantized"] and start["device"] == "cpu" and start["trainable_parameters"] > 0
    # the checkpoint is chosen on the validation split; the evaluation split is left alone
    dataset = load_dataset(data)
    assert (len(dataset.validation), len(dataset.evaluation)) == (1, 2)
    assert start["heldout_split"] == "validation" and start["heldout_pairs"] == 1
    assert start["evaluation_pairs"] == 2
    result = json.loads((run / "result.json").read_text(encoding="utf-8"))
    assert result["hyperparameters"]["quantization"] == "nf4+double"
    assert (result["hyperparameters"]["lora_r"], result["hyperparameters"]["lora_alpha"]) == (
        16, 32.0)  # fmt: skip
    adapter = json.loads((run / "adapter" / "adapter_config.json").read_text(encoding="utf-8"))
    assert set(adapter["target_modules"]) == set(TARGET_MODULES)
    # every training pair is counted once under its letter type, the rarer types repeated
    types = result["letter_types"]
    assert sum(t["pairs"] for t in types.values()) == result["train_pairs"] == len(dataset.train)
    assert result["train_examples"] == sum(t["pairs"] * t["repeat"] for t in types.values())
    assert result["hyperparameters"]["balance_letter_types"] is True

    export = tmp_path / "export"
    done = trainer("promote", "--base", tiny_base, "--run", run, "--data", data, "--out", export,
                   "--store", store_path, "--register", "--max-tokens", "24", "--n-ctx", "4096",
                   "--eval-cases", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ROUGE-L" in done.stdout and "key-fact recall" in done.stdout
    decision = next(e for e in events(done.stdout) if e["event"] == "decision")
    # two evaluation letters cannot show that the new version is not worse
    assert decision["promote"] is False and decision["split"] == "evaluation"
    assert "on only 2 letters; at least 30 are needed" in decision["reason"]
    with Store(store_path, read_only=True) as store:
        (version,) = model_versions.versions(store)
    manifest = (data / "manifest.json").read_bytes()
    assert version.lineage["dataset"]["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    assert version.lineage["base"]["checkpoint"] == str(tiny_base.resolve())
    assert version.lineage["hyperparameters"]["lora_r"] == 16
    assert {"rouge1", "rouge2", "rougeL", "key_fact_recall"} <= version.evaluation["new"].keys()
    assert version.evaluation["current_label"].startswith("base")
    assert version.evaluation["split"] == "evaluation"
    assert [s["case"] for s in version.evaluation["new"]["letters"]] == [
        s["case"] for s in version.evaluation["current"]["letters"]
    ]
    assert len(version.evaluation["new"]["letters"]) == 2
    assert version.is_default is False
    assert version.quantization and Path(version.path).is_file()

    # the other export: the base's GGUF with the adapter as a GGUF LoRA
    done = trainer("promote", "--base", tiny_base, "--run", run, "--data", data, "--out",
                   tmp_path / "lora", "--export", "lora", "--max-tokens", "8", "--n-ctx", "4096",
                   "--eval-cases", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    candidate = json.loads((tmp_path / "lora" / "candidate.json").read_text(encoding="utf-8"))
    assert Path(candidate["adapter_path"]).is_file()
    assert candidate["lineage"]["export"]["kind"] == "lora"


def test_rarer_letter_types_are_repeated_up_to_four_times_and_only_when_asked():
    # the style-transfer experiment's 180 training pairs: mostly final reports
    types = ["final_report"] * 120 + ["initial_consultation"] * 31 + ["follow_up"] * 29
    assert letter_type_balance(types, balance=True) == {
        "final_report": {"pairs": 120, "repeat": 1},
        "follow_up": {"pairs": 29, "repeat": 4},
        "initial_consultation": {"pairs": 31, "repeat": 4},
    }
    assert letter_type_balance(["final_report"] * 60 + ["follow_up"] * 30, True)["follow_up"] == {
        "pairs": 30, "repeat": 2}  # fmt: skip
    # a type seen once is not repeated a hundred times
    assert letter_type_balance(["final_report"] * 100 + ["follow_up"], True)["follow_up"] == {
        "pairs": 1, "repeat": 4}  # fmt: skip
    assert {t["repeat"] for t in letter_type_balance(types, balance=False).values()} == {1}


def test_cases_with_several_diagnoses_are_repeated_within_their_letter_type():
    from training.finetune_args import FinetuneArgs
    from training.finetune_data import SEVERAL, group

    args = FinetuneArgs(base=Path("b"), data=Path("d"), out=Path("o"))
    two = {"letter_type": "follow_up", "case": {"diagnoses": [{}, {}]}}
    assert group(two, args) == "follow_up" + SEVERAL
    assert group({**two, "case": {"diagnoses": [{}]}}, args) == "follow_up"
    assert group(two, replace(args, balance_case_shapes=False)) == "follow_up"
    # the style transfer's training pairs: 8 final reports and 2 follow-up letters of 125 and
    # 31 are for a metastasis with its primary
    types = (["final_report"] * 117 + ["final_report" + SEVERAL] * 8
             + ["follow_up"] * 29 + ["follow_up" + SEVERAL] * 2)  # fmt: skip
    assert letter_type_balance(types, balance=True) == {
        "final_report": {"pairs": 117, "repeat": 1},
        "final_report" + SEVERAL: {"pairs": 8, "repeat": 4},  # seen 32 times, not 8
        "follow_up": {"pairs": 29, "repeat": 4},
        "follow_up" + SEVERAL: {"pairs": 2, "repeat": 8},  # at most twice the type's limit
    }


def test_a_killed_run_resumes_from_its_checkpoint(tiny_base, letters, tmp_path):
    run = tmp_path / "run"
    command = [sys.executable, "-m", "training", "finetune", "--base", str(tiny_base),
               "--data", str(letters / "data"), "--out", str(run), "--max-steps", "4",
               "--checkpoint-interval", "2", "--eval-interval", "100", *SMALL_RUN]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as process:  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("{") and json.loads(line)["event"] == "checkpoint":
                process.kill()  # as a crash or a power cut would
                break
        process.wait()
    assert process.returncode != 0

    refused = trainer("finetune", "--base", tiny_base, "--data", letters / "data", "--out", run,
                      "--max-steps", "4", *SMALL_RUN)  # fmt: skip
    assert refused.returncode == 1 and "--resume" in events(refused.stdout)[-1]["hint"]

    done = trainer("finetune", "--base", tiny_base, "--data", letters / "data", "--out", run,
                   "--max-steps", "4", "--checkpoint-interval", "2", "--eval-interval", "100",
                   "--resume", *SMALL_RUN)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = events(done.stdout)
    resumed = next(e for e in seen if e["event"] == "resumed")
    assert resumed["step"] == 2
    assert [e["step"] for e in seen if e["event"] == "progress"] == [3, 4]
    assert seen[-1]["event"] == "done" and seen[-1]["steps"] == 4


def test_bad_arguments_are_reported_all_at_once(tmp_path):
    done = trainer("finetune", "--base", tmp_path, "--data", tmp_path, "--out", tmp_path,
                   "--lora-r", "0", "--batch-size", "3", "--micro-batch-size", "2",
                   "--device", "tpu", timeout=120)  # fmt: skip
    assert done.returncode == 2
    for expected in (
        "has no config.json",
        "has no manifest.json",
        "lora_r must be positive",
        "batch_size must be a multiple of micro_batch_size",
        "device must be",
    ):
        assert expected in done.stderr  # fmt: skip


def test_too_few_pairs_and_too_long_letters_are_explained(tiny_base, letters, tmp_path):
    few = trainer("finetune", "--base", tiny_base, "--data", letters / "data", "--out",
                  tmp_path / "a", *SMALL_RUN, "--min-train-pairs", "500")  # fmt: skip
    assert few.returncode == 1
    assert "training pairs" in events(few.stdout)[-1]["message"]
    assert "at least 500 are needed" in events(few.stdout)[-1]["message"]

    long = trainer("finetune", "--base", tiny_base, "--data", letters / "data", "--out",
                   tmp_path / "b", *SMALL_RUN, "--max-seq-len", "64")  # fmt: skip
    assert long.returncode == 1
    seen = events(long.stdout)
    skipped = next(e for e in seen if e["event"] == "skipped_long_pairs")
    assert skipped["train"] > 0 and skipped["max_seq_len"] == 64
    assert "longer than 64 tokens" in seen[-1]["message"]
    assert not (tmp_path / "b" / "adapter").exists()


def test_a_slot_writing_base_trains_on_slots_and_no_file_of_the_run_names_a_patient(
    tiny_base, letters, tmp_path
):
    from letterdesk.core.foundation import notation
    from letterdesk.core.models.gguf_header import read_header
    from training.tokenizer import mark_fact_slots

    base = tmp_path / "slot-base"
    shutil.copytree(tiny_base, base)
    mark_fact_slots(base)
    data, run, export = letters / "data", tmp_path / "run", tmp_path / "export"
    assert all("[[patient.family_name]]" in p["slotted"] for p in load_dataset(data).train)
    done = trainer("finetune", "--base", base, "--data", data, "--out", run,
                   "--max-steps", "2", "--eval-interval", "2", *SMALL_RUN)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    done = trainer("promote", "--base", base, "--run", run, "--data", data, "--out", export,
                   "--max-tokens", "24", "--n-ctx", "4096", "--eval-cases", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    candidate = json.loads((export / "candidate.json").read_text(encoding="utf-8"))
    assert read_header(Path(candidate["model_path"])).fact_slots  # the new version writes slots too

    cases = [generate_case(41, i) for i in range(12)]
    identifiers = set()
    for case in cases:
        p = case["patient"]
        # full names (a family name alone may be another letter's physician's) and birth dates
        identifiers |= {notation.full_name(p["given_name"], p["family_name"]),
                        p["birth_date"], notation.format_date(p["birth_date"], "de"),
                        notation.format_date(p["birth_date"], "en")}  # fmt: skip
    written = [f for folder in (data, run, export) for f in folder.rglob("*") if f.is_file()]
    assert len(written) > 10
    for file in written:
        text = file.read_bytes().decode("utf-8", errors="ignore")
        found = [value for value in identifiers if value in text]
        assert not found, f"{file.relative_to(tmp_path.parent)} names {found}"


def test_trained_token_embeddings_reach_the_merged_model_and_only_it(tiny_base, letters, tmp_path):
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    from training.errors import ToolchainError
    from training.lora import export_lora
    from training.merge import merge

    data, run = letters / "data", tmp_path / "run"
    done = trainer("finetune", "--base", tiny_base, "--data", data, "--out", run,
                   "--epochs", "1", "--eval-interval", "2", "--learning-rate", "0.05",
                   "--train-token-embeddings", *SMALL_RUN)  # fmt: skip
    # one epoch: every training letter passes through the model, so each of its tokens' rows
    # has a gradient (with 2 steps, which letters they saw depended on the dataset's split)
    assert done.returncode == 0, done.stderr[-3000:]
    merged = merge(tiny_base, run / "adapter", tmp_path / "merged", dtype="float32")
    before = load_file(tiny_base / "model.safetensors")["model.embed_tokens.weight"]
    after = load_file(merged / "model.safetensors")["model.embed_tokens.weight"]
    changed = {int(i) for i in (after - before).abs().amax(dim=1).nonzero()}
    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    letter = load_dataset(data).train[0]["letter"]  # this base writes no slots: the plain text
    lines = [line for line in letter.splitlines() if "[" not in line]  # not the pseudonyms
    used = set(tokenizer("\n".join(lines), add_special_tokens=False)["input_ids"])
    assert len(lines) > 5 and used <= changed  # every token of the letters trained its row ...
    assert len(before) - len(changed) > 100  # ... while the rows of the ~190 the letters never
    # use stayed as they were (the tiny tokenizer has 400)
    with pytest.raises(ToolchainError, match=r"trainable_token_indices \(\d+ trained token embed"):
        export_lora(run / "adapter", tiny_base, tmp_path / "adapter.gguf")
