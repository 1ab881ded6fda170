"""The app side of training: the real trainer subprocess, its progress events, cancel, resume,
and the whole learning loop as one job whose candidate the app files in its store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.foundation.paths import resources_dir
from letterdesk.core.models import registry as model_registry
from letterdesk.core.models.trainer_events import TrainerEvent
from letterdesk.core.models.trainer_job import (
    LearningSettings,
    TrainerJob,
    learning_stages,
    run_learning,
)
from letterdesk.core.store import letters, model_versions
from letterdesk.core.store.database import Store
from letterdesk.core.synthetic.generator import generate_case, reference_letter

SMALL = ("--batch-size", "2", "--micro-batch-size", "2", "--max-seq-len", "4096",
         "--eval-pairs", "1", "--min-train-pairs", "4", "--eval-interval", "100")  # fmt: skip


@pytest.fixture(autouse=True)
def store_passphrase(monkeypatch):
    # the trainer inherits it; where there is a keyring, the key comes from there instead
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", "trainer-job-test-passphrase")


def signed_store(path: Path, n: int) -> Path:
    """A store in which n letters were corrected to house style B and signed off."""
    with Store(path) as store:
        cases = [generate_case(61, i) for i in range(n)]
        store.import_cases([parse_case(json.dumps(c)) for c in cases], user="dr")
        for case in cases:
            letter, _ = letters.create_letter(store, case["case_id"], "Entwurf", author="dr")
            final = letters.add_revision(store, letter.id, reference_letter(case, "B"), author="dr")
            letters.sign_off(store, letter.id, final.id, user="dr")
    return path


def test_the_store_passphrase_reaches_the_trainer_through_a_pipe_not_its_environment(tmp_path):
    seen = tmp_path / "seen"
    python = tmp_path / "python"  # stands in for the trainer's Python: says what it was given
    python.write_text(f"#!/bin/sh\nenv > {seen}.env\nhead -n 1 > {seen}.stdin\n")
    python.chmod(0o700)

    TrainerJob.start(["dataset", "--out", tmp_path / "data"], python=str(python)).wait()

    environment = (tmp_path / "seen.env").read_text()
    assert "trainer-job-test-passphrase" not in environment
    assert "LETTERDESK_PASSPHRASE_ON_STDIN=1" in environment.splitlines()
    # and the app's own resources, which a trainer installed without them reads
    assert f"LETTERDESK_RESOURCES={resources_dir()}" in environment.splitlines()
    assert (tmp_path / "seen.stdin").read_text() == "trainer-job-test-passphrase\n"


@pytest.mark.parametrize("right", [True, False])
def test_a_passphrase_store_opens_in_the_trainer_with_the_passphrase_from_the_pipe(
    tmp_path, monkeypatch, right
):
    from tests.core.security.test_encryption import keyring_switched_off

    with keyring_switched_off(), Store(tmp_path / "store.sqlite3"):
        pass  # no keyring: the key is derived from LETTERDESK_PASSPHRASE
    assert (tmp_path / "store.sqlite3.kdf.json").is_file()
    if not right:
        monkeypatch.setenv("LETTERDESK_PASSPHRASE", "not-the-store-passphrase")

    job = TrainerJob.start(["dataset", "--out", tmp_path / "data",
                            "--store", tmp_path / "store.sqlite3"])  # fmt: skip
    list(job.events())
    outcome = job.wait()

    assert outcome.status == "failed"  # an empty store: nothing to learn from
    assert ("no signed-off letters" in outcome.message) is right, outcome.message


def test_a_passphrase_typed_into_the_app_opens_the_store_in_the_trainer_too(tmp_path, monkeypatch):
    from letterdesk.core.security import encryption, passphrase
    from tests.core.security.test_encryption import keyring_switched_off

    # no keyring and nothing in the environment: the physician types the passphrase in a dialog
    monkeypatch.delenv("LETTERDESK_PASSPHRASE")
    store_path = tmp_path / "store.sqlite3"
    with keyring_switched_off():
        passphrase.use_passphrase_provider(lambda request: "typed-into-the-dialog")
        try:
            with Store(store_path):
                pass
        finally:
            passphrase.use_passphrase_provider(None)
    key = encryption.cached_key(store_path)
    assert key is not None and (tmp_path / "store.sqlite3.kdf.json").is_file()

    def train() -> str:
        job = TrainerJob.start(["dataset", "--out", tmp_path / "data", "--store", store_path])
        list(job.events())
        return job.wait().message

    # the app hands the key it derived, through the pipe: the trainer opens the store
    assert "no signed-off letters" in train()
    # without it the trainer could not: it has no dialog to ask in
    encryption.forget(store_path)
    assert "No passphrase was given" in train()
    encryption.remember(store_path, key)


def test_a_failing_trainer_says_why(tmp_path):
    with Store(tmp_path / "empty.sqlite3"):
        pass
    job = TrainerJob.start(["dataset", "--out", tmp_path / "data",
                            "--store", tmp_path / "empty.sqlite3"])  # fmt: skip
    seen = list(job.events())
    outcome = job.wait()
    assert outcome.status == "failed" and outcome.returncode == 1
    assert "no signed-off letters" in outcome.message and outcome.hint
    assert seen[-1].kind == "error" and seen[-1].stage == "dataset"

    bad = TrainerJob.start(["finetune", "--base", tmp_path, "--data", tmp_path, "--out", tmp_path])
    outcome = bad.wait()
    assert outcome.status == "failed" and outcome.returncode == 2
    assert "has no config.json" in outcome.message


def test_the_learning_loop_reports_progress_cancels_resumes_and_files_its_candidate(
    tiny_checkpoint, tmp_path
):
    # 11 patients: two held out, one to choose the checkpoint and one to evaluate on
    store_path = signed_store(tmp_path / "store.sqlite3", 11)
    settings = LearningSettings(
        base=tiny_checkpoint,
        work_dir=tmp_path / "learning",
        store=store_path,
        dataset_options=("--include-synthetic",),  # the store's cases are the generator's
        finetune_options=(*SMALL, "--max-steps", "4", "--checkpoint-interval", "2"),
        promote_options=("--max-tokens", "16", "--n-ctx", "4096", "--eval-cases", "1"),
    )
    seen: list[TrainerEvent] = []

    def cancel_after_first_step() -> bool:
        return any(e.kind == "progress" for e in seen)

    outcome = run_learning(settings, seen.append, cancel_after_first_step)
    assert (outcome.status, outcome.stage) == ("cancelled", "finetune")
    assert [e.stage for e in seen if e.kind == "done"] == ["dataset"]
    progress = next(e for e in seen if e.kind == "progress")
    assert {"step", "loss", "lr", "tokens_per_s", "eta_s"} <= progress.data.keys()
    assert progress.fraction == 0.25
    stopped = next(e for e in seen if e.kind == "stopped")
    assert Path(stopped.data["checkpoint"]).is_dir()

    # the same settings again: the dataset is kept, the fine-tuning resumes, then promotion
    assert [stage[0] for stage in learning_stages(settings)] == ["finetune", "promote"]
    assert "--resume" in learning_stages(settings)[0]
    assert outcome.case_text and all(p.exists() for p in outcome.case_text)  # to resume with
    seen.clear()
    outcome = run_learning(settings, seen.append)
    assert outcome.status == "done", outcome.message
    assert_private_and_anonymous(settings.work_dir, outcome)
    resumed = next(e for e in seen if e.kind == "resumed")
    assert resumed.data["step"] == stopped.data["step"]
    assert any(e.kind == "decision" and e.stage == "promote" for e in seen)

    with Store(store_path) as store:  # as the app's store worker does
        filed = model_registry.register_candidate(store, outcome.candidate)
        assert model_versions.versions(store)[0].id == filed.version.id
        assert filed.version.lineage["training"]["steps"] == 4
        assert not filed.promoted and not filed.version.is_default
        assert "at least 30 are needed" in filed.reason


def assert_private_and_anonymous(work_dir: Path, outcome) -> None:
    """After a finished run: its folder and everything in it for this user only, what held
    letter text gone, and no patient's name or birth date in any file that is left."""
    import stat

    from letterdesk.core.foundation import notation

    assert outcome.case_text == ()
    assert not (work_dir / "data").exists() and not list(work_dir.rglob("letters-*.jsonl"))
    assert Path(outcome.candidate).is_file() and list((work_dir / "export").glob("*.gguf"))
    left = [work_dir, *work_dir.rglob("*")]
    assert len(left) > 5
    for path in left:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.relative_to(work_dir)} is {oct(mode)}"
    identifiers = set()
    for case in (generate_case(61, i) for i in range(11)):
        p = case["patient"]
        identifiers |= {notation.full_name(p["given_name"], p["family_name"]),
                        notation.format_date(p["birth_date"], "de"), p["birth_date"]}  # fmt: skip
    for file in (p for p in left if p.is_file()):
        text = file.read_bytes().decode("utf-8", errors="ignore")
        assert not [v for v in identifiers if v in text], file


def test_a_run_kept_on_request_keeps_its_training_letters_and_says_so(tmp_path):
    from tests.fake_trainer import fake_python

    settings = LearningSettings(
        base=tmp_path / "base",
        work_dir=tmp_path / "data-home" / "training" / "run-1",
        python=str(fake_python(tmp_path)),
        env={"FAKE_TRAINER_MODEL": str(tmp_path / "m.gguf")},
        keep_case_text=True,
    )

    outcome = run_learning(settings, lambda event: None)

    assert outcome.status == "done", outcome.message
    assert outcome.case_text == (settings.work_dir / "data",)
    import stat

    for folder in (settings.work_dir, settings.work_dir.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_caller_gets_each_stage_s_job_to_stop_it_at_once(tmp_path):
    # the fake trainer (tests/fake_trainer.py) speaks the protocol in milliseconds
    from tests.fake_trainer import fake_python

    settings = LearningSettings(
        base=tmp_path / "base",
        work_dir=tmp_path / "learning",
        python=str(fake_python(tmp_path)),
        env={"FAKE_TRAINER_PAUSE_AT": "2", "FAKE_TRAINER_MODEL": str(tmp_path / "m.gguf")},
    )
    jobs: list[TrainerJob] = []
    seen: list[TrainerEvent] = []

    def stop_at_the_pause(event: TrainerEvent) -> None:
        seen.append(event)
        if event.kind == "progress" and event.data["step"] == 2:
            jobs[-1].cancel()  # at once, without waiting for the next poll of ``cancel``

    outcome = run_learning(settings, stop_at_the_pause, on_job=jobs.append)
    assert (outcome.status, outcome.stage) == ("cancelled", "finetune")
    assert [job.stage for job in jobs] == ["dataset", "finetune"]
    assert seen[-1].kind == "stopped" and seen[-1].data["step"] == 2
    jobs[-1].cancel()  # after the trainer ended (its scratch folder is gone): nothing happens

    failing = LearningSettings(
        base=settings.base,
        work_dir=settings.work_dir,
        python=settings.python,
        env={"FAKE_TRAINER_FAIL": "promote"},
    )
    outcome = run_learning(failing, lambda event: None)
    assert (outcome.status, outcome.stage) == ("failed", "promote")
    error = outcome.error()
    assert (error.message, error.hint) == ("The fake promote failed.", "It was told to.")


def test_an_installed_app_without_a_trainer_python_says_what_it_needs(monkeypatch):
    import sys

    from letterdesk.core.models.trainer_job import TrainerJob, TrainingError

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(TrainingError) as refused:
        TrainerJob.start(["dataset"])
    assert "trainer_python" in refused.value.hint
