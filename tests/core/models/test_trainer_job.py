"""The app side of training: the real trainer subprocess, its progress events, cancel, resume,
and the whole learning loop as one job whose candidate the app files in its store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from letterdesk.core.cases.case import parse_case
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
    seen.clear()
    outcome = run_learning(settings, seen.append)
    assert outcome.status == "done", outcome.message
    resumed = next(e for e in seen if e.kind == "resumed")
    assert resumed.data["step"] == stopped.data["step"]
    assert any(e.kind == "decision" and e.stage == "promote" for e in seen)

    with Store(store_path) as store:  # as the app's store worker does
        filed = model_registry.register_candidate(store, outcome.candidate)
        assert model_versions.versions(store)[0].id == filed.version.id
        assert filed.version.lineage["training"]["steps"] == 4
        assert not filed.promoted and not filed.version.is_default
        assert "at least 30 are needed" in filed.reason


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
