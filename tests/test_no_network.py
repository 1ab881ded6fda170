"""No network: generate → edit → export → train with every process guarded against connections.

A ``sitecustomize`` on PYTHONPATH installs
:func:`letterdesk.core.security.netguard.install_from_environment`
in every Python process the test starts, and in the processes those start (the engine's
spawned worker, the trainer). Any connection or name lookup that is not loopback is refused
and written to a log; the test fails if the log has a line.
"""

from __future__ import annotations

import json

import pytest

from letterdesk.core.desk.demo import seed_demo_cases
from letterdesk.core.security import netguard
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from tests.core import conftest as core_fixtures
from tests.core.sample_cases import case
from tests.core.security import test_netguard
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("secret_service")
tiny_checkpoint = core_fixtures.tiny_checkpoint
tiny_gguf = core_fixtures.tiny_gguf
guarded = test_netguard.guarded
run, attempts = test_netguard.run, test_netguard.attempts


def test_generate_edit_and_export_open_no_connection(guarded, tiny_gguf, tmp_path):
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(case(), ensure_ascii=False), encoding="utf-8")

    generated = run("-m", "letterdesk", "generate", str(case_file), "--model", str(tiny_gguf),
                    "--max-tokens", "12")  # fmt: skip
    assert generated.returncode == 0, generated.stderr

    with netguard.guard(guarded), Store() as store:
        letter = letters.letters_for_case(store, "SYN-TEST-0001")[-1]
        draft = letters.revisions(store, letter.id)[-1]
        fixed = letters.add_revision(store, letter.id, draft.text + " Korrigiert.", author="dr.a")
        letters.sign_off(store, letter.id, fixed.id, user="dr.a")

    exported = run("-m", "letterdesk", "export", "SYN-TEST-0001", "--output",
                   str(tmp_path / "brief.docx"))  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "brief.docx").stat().st_size > 0
    assert attempts(guarded) == ""


def test_training_opens_no_connection(guarded, tiny_checkpoint, tmp_path):
    """`python -m training dataset` and `finetune` on signed letters, guarded like the app."""
    with Store() as store:
        seed_demo_cases(store)
        for summary in store.cases()[:12]:
            letter, draft = letters.create_letter(
                store, summary.case_id, "Sehr geehrte Kollegin, ... Mit freundlichen Grüßen",
                author="dr.a",
            )  # fmt: skip
            letters.sign_off(store, letter.id, draft.id, user="dr.a")
        store_file = store.path
    data, out = tmp_path / "data", tmp_path / "run"
    dataset = run("-m", "training", "dataset", "--out", str(data), "--store", str(store_file),
                  "--include-synthetic")  # fmt: skip
    assert dataset.returncode == 0, dataset.stdout + dataset.stderr
    trained = run(
        "-m", "training", "finetune", "--base", str(tiny_checkpoint), "--data", str(data),
        "--out", str(out), "--max-steps", "1", "--batch-size", "1", "--warmup-steps", "0",
        "--eval-interval", "1", "--eval-pairs", "1", "--checkpoint-interval", "1",
        "--max-seq-len", "2048", "--min-train-pairs", "2", "--device", "cpu", "--no-quantize",
        "--no-gradient-checkpointing",
        timeout=900,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-2000:]
    assert attempts(guarded) == ""
