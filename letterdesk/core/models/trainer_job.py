"""Running the trainer from the app: ``python -m training ...`` as a subprocess, read as events.

The app never imports the trainer, torch or transformers (an import-linter contract), so a
training run is a child process. Each stage writes one JSON object per line on stdout
(``{"event": "progress", "step": 12, "steps": 75, "loss": 1.23, "lr": 0.0002,
"tokens_per_s": 850, "eta_s": 340}``, ``validation``, ``checkpoint``, ``notice``, ``error``, ...);
:class:`TrainerJob` turns them into
:class:`~letterdesk.core.models.trainer_events.TrainerEvent` objects (the vocabulary is
:mod:`letterdesk.core.models.trainer_events`)::

    job = TrainerJob.start(["finetune", "--base", base, "--data", data, "--out", run])
    for event in job.events():       # blocks; ends when the trainer exits
        show(event)                  # on a worker thread; hand each event to the GUI by signal
    outcome = job.wait()             # JobOutcome: status "done", "cancelled" or "failed"

:meth:`TrainerJob.cancel` (any thread) asks the trainer to stop: fine-tuning writes a
checkpoint and exits (status ``cancelled``), and the same command with ``--resume`` continues
from it. :func:`run_learning` runs the whole loop — dataset → finetune → promote — as one
cancellable, resumable job and returns the ``candidate.json`` the app then files with
:func:`letterdesk.core.models.registry.register_candidate`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from letterdesk.core.foundation.errors import Interrupted, LetterDeskError
from letterdesk.core.foundation.paths import RESOURCES_ENV, data_home, resources_dir
from letterdesk.core.models.trainer_events import EXIT_STOPPED, Event, TrainerEvent
from letterdesk.core.security.encryption import cached_key
from letterdesk.core.security.passphrase import PASSPHRASE_ENV, PASSPHRASE_STDIN_ENV, kdf_path

_STOPPABLE = ("finetune", "experiment")
"""Subcommands that watch --stop-file and leave a resumable checkpoint when it appears."""


@dataclass(frozen=True)
class JobOutcome:
    """How a trainer process ended."""

    status: str
    """``done``, ``cancelled`` (stopped on request; resumable) or ``failed``."""
    returncode: int
    message: str = ""
    """For ``failed``: what went wrong, in words a user understands."""
    hint: str = ""
    """For ``failed``: what to do about it (for IT)."""
    stderr_tail: str = ""
    """The last lines the trainer wrote to stderr, for a bug report."""


class TrainerJob:
    """One running ``python -m training SUBCOMMAND ...`` process."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        stage: str,
        stop_file: Path | None,
        stderr_file: Path,
        cleanup: Callable[[], None],
    ) -> None:
        self.process = process
        self.stage = stage
        self.stop_file = stop_file
        self._stderr_file = stderr_file
        self._cleanup = cleanup
        self._cancelled = threading.Event()
        self._last_error: TrainerEvent | None = None

    @classmethod
    def start(
        cls,
        argv: Sequence[str | os.PathLike[str]],
        *,
        python: str | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> TrainerJob:
        """Start ``python -m training *argv``; ``env`` adds variables for the child only."""
        args = [str(a) for a in argv]
        if not args:
            raise ValueError("a trainer subcommand is needed, e.g. ['finetune', ...]")
        if python is None and getattr(sys, "frozen", False):  # the installed app bundles no torch
            raise TrainingError(
                "Training a new model needs the trainer, which this installation does not include.",
                'IT installs it (pip install "letterdesk[train]") and names its Python as '
                "trainer_python in the site configuration.",
            )
        scratch = Path(tempfile.mkdtemp(prefix="letterdesk-trainer-"))
        stop_file = scratch / "stop" if args[0] in _STOPPABLE else None
        if stop_file is not None:
            args += ["--stop-file", str(stop_file)]
        stderr_file = scratch / "stderr.log"
        child_env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            # the app's own resources (schema, prompts): a trainer installed from the same
            # release without them (pip install '.[train]', not editable) reads these
            RESOURCES_ENV: str(resources_dir()),
            **(env or {}),
        }
        # the store's secret goes through a pipe: a child's environment can be read by
        # other programs of the user (/proc/PID/environ) and ends up in crash reports
        secret = None
        if (handed := store_secret(child_env, args)) is not None:
            child_env[PASSPHRASE_STDIN_ENV], secret = handed
        with stderr_file.open("w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                [python or sys.executable, "-m", "training", *args],
                stdin=subprocess.DEVNULL if secret is None else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=child_env,
                cwd=cwd,
            )
        if secret is not None and process.stdin is not None:
            with suppress(BrokenPipeError):  # a trainer that ended at once says why on stderr
                process.stdin.write(secret + "\n")
                process.stdin.close()

        def cleanup() -> None:
            for path in (stop_file, stderr_file):
                if path is not None:
                    path.unlink(missing_ok=True)
            scratch.rmdir()

        return cls(process, args[0], stop_file, stderr_file, cleanup)

    def events(self) -> Iterator[TrainerEvent]:
        """The trainer's events as they arrive; ends when it closes stdout (it exits)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            event = TrainerEvent.from_json(line, self.stage)
            if event.kind == Event.ERROR:
                self._last_error = event
            yield event

    def cancel(self) -> None:
        """Ask the trainer to stop: fine-tuning checkpoints and exits; other stages end now.

        Safe from any thread, and once the trainer has ended (then it does nothing).
        """
        self._cancelled.set()
        if self.process.poll() is not None:
            return
        if self.stop_file is not None:
            with suppress(OSError):  # the trainer ended meanwhile and its scratch folder went
                self.stop_file.touch()
        else:
            self.process.terminate()

    def kill(self) -> None:
        """End the trainer at once (no checkpoint beyond the last periodic one)."""
        self._cancelled.set()
        if self.process.poll() is None:
            self.process.kill()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() or kill() was called."""
        return self._cancelled.is_set()

    def wait(self, timeout: float | None = None) -> JobOutcome:
        """Wait for the trainer to end (reading any output left) and say how it ended."""
        for _ in self.events():  # drain, so the child never blocks on a full pipe
            pass
        code = self.process.wait(timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()
        tail = self._stderr_tail()
        self._cleanup()
        if code == 0:
            return JobOutcome("done", code, stderr_tail=tail)
        if code == EXIT_STOPPED or (self.cancelled and code < 0):
            return JobOutcome("cancelled", code, stderr_tail=tail)
        if self._last_error is not None:
            error = self._last_error
            return JobOutcome("failed", code, error.message, error.hint, tail)
        if code < 0:
            return JobOutcome(
                "failed",
                code,
                f"The training process was ended by the system (signal {-code}).",
                "It may have run out of memory; resume it later, or lower the micro-batch "
                "size or the maximum sequence length.",
                tail,
            )
        last = tail.strip().splitlines()[-1] if tail.strip() else ""
        return JobOutcome(
            "failed",
            code,
            f"The training process failed: {last}",
            "The trainer's log (stderr_tail) says more.",
            tail,
        )

    def _stderr_tail(self, limit: int = 4000) -> str:
        try:
            return self._stderr_file.read_text(encoding="utf-8", errors="replace")[-limit:]
        except OSError:
            return ""


# --- the whole learning loop as one job --------------------------------------------------------


@dataclass(frozen=True)
class LearningSettings:
    """One run of the learning loop: signed letters → a new model version, maybe promoted."""

    base: Path
    """Hugging Face checkpoint of the model to fine-tune (the one the default GGUF came from)."""
    work_dir: Path
    """Folder for the dataset, the run and the export; the same folder resumes a run."""
    store: Path | None = None
    """The letter store (read only by the trainer); None: the app's store."""
    dataset_options: tuple[str, ...] = ()
    """Extra dataset flags, e.g. ("--heldout-fraction", "0.2")."""
    finetune_options: tuple[str, ...] = ()
    """Extra finetune flags, e.g. ("--epochs", "2", "--max-seq-len", "4096")."""
    promote_options: tuple[str, ...] = ()
    """Extra promote flags, e.g. ("--export", "lora", "--rouge-margin", "0.02")."""
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the trainer (e.g. the store's passphrase where no keyring is)."""
    python: str | None = None
    """The Python that has the trainer installed; None: this one."""
    keep_case_text: bool = False
    """Keep what holds letter text after a finished run (the dataset, checkpoints, the merged
    checkpoint, the evaluation letters); by default it is removed once the run is done."""


class TrainingError(LetterDeskError):
    """The learning loop failed: what went wrong, and what IT can do about it."""


@dataclass(frozen=True)
class LearningOutcome:
    """How the learning loop ended; ``candidate`` is the file to register when it is done."""

    status: str
    """``done``, ``cancelled`` or ``failed``."""
    stage: str
    """The stage it ended in."""
    candidate: Path | None = None
    message: str = ""
    hint: str = ""
    case_text: tuple[Path, ...] = ()
    """What still holds letter text in the run's folder: after a finished run only what the
    user chose to keep; after a stopped or failed one what resuming needs."""

    def error(self) -> TrainingError:
        """A failed outcome as the error shown to the user."""
        return TrainingError(
            self.message or f"The training stopped with an error in its {self.stage} step.",
            self.hint,
        )


def case_text_paths(work_dir: Path) -> list[Path]:
    """What a run's folder holds that contains letter text (pseudonymised pairs, evaluation
    letters) or what was trained from it besides the model (checkpoints, the merged
    checkpoint); the model file, its adapter and the run's results stay."""
    found = [work_dir / "data", work_dir / "run" / "checkpoints", work_dir / "export" / "merged"]
    found += sorted((work_dir / "export").glob("letters-*.jsonl"))
    return [p for p in found if p.exists()]


def remove_case_text(work_dir: Path) -> None:
    """Remove :func:`case_text_paths` (files and folders)."""
    for path in case_text_paths(work_dir):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def store_secret(env: dict[str, str], args: list[str]) -> tuple[str, str] | None:
    """What the trainer needs to open the store, as (kind, line) for its standard input: the
    passphrase taken out of ``env``; else, for a passphrase store named by ``--store`` that this
    process opened, its key (the passphrase was typed into a dialog and is gone); else None
    (the trainer asks the keyring itself)."""
    if (passphrase := env.pop(PASSPHRASE_ENV, None)) is not None:
        return "1", passphrase
    if "--store" not in args[:-1]:
        return None
    store = Path(args[args.index("--store") + 1])
    key = cached_key(store)
    if key is None or not kdf_path(store).exists():
        return None
    return "key", json.dumps({"store": str(store.resolve()), "key": key.hex()})


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) readable by this user only: a training run's
    folder holds letters, their cases' facts and models trained on them."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for created in (folder, *missing):
        created.chmod(0o700)  # mkdir's mode is masked by the umask; parents get 0777 & ~umask
    return folder


def fresh_work_dir(now: dt.datetime | None = None) -> Path:
    """A new folder for a run, under ``training/`` in LetterDesk's data folder (not created)."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return data_home() / "training" / f"run-{stamp}"


def learning_stages(settings: LearningSettings) -> list[list[str]]:
    """The trainer commands of the loop, in order; finished stages are skipped, a fine-tuning
    that has checkpoints is resumed."""
    work = settings.work_dir
    data, run, export = work / "data", work / "run", work / "export"
    store = ["--store", str(settings.store)] if settings.store else []
    stages = []
    if not (data / "manifest.json").is_file():
        stages.append(["dataset", "--out", str(data), *store, *settings.dataset_options])
    resume = (
        ["--resume"] if (run / "checkpoints").is_dir() or (run / "result.json").is_file() else []
    )
    stages.append(
        [
            "finetune",
            "--base",
            str(settings.base),
            "--data",
            str(data),
            "--out",
            str(run),
            *resume,
            *settings.finetune_options,
        ]
    )
    stages.append(
        [
            "promote",
            "--base",
            str(settings.base),
            "--run",
            str(run),
            "--data",
            str(data),
            "--out",
            str(export),
            *store,
            *settings.promote_options,
        ]
    )
    return stages


def run_learning(
    settings: LearningSettings,
    on_event: Callable[[TrainerEvent], None],
    cancel: Callable[[], bool] = lambda: False,
    on_job: Callable[[TrainerJob], None] | None = None,
) -> LearningOutcome:
    """Run dataset → finetune → promote, passing every event on; ``cancel`` is polled twice a
    second. A failed stage raises nothing: the outcome says what happened.

    ``on_job`` gets each stage's job as it starts, so a caller can stop it at once (e.g. when
    the app quits) rather than at the next poll.
    """
    private_folder(settings.work_dir)
    stage = ""
    for argv in learning_stages(settings):
        stage = argv[0]
        job = TrainerJob.start(argv, python=settings.python, env=settings.env)
        if on_job is not None:
            on_job(job)
        finished = threading.Event()

        def watch(job: TrainerJob = job, finished: threading.Event = finished) -> None:
            while not finished.wait(0.5):
                if cancel():
                    job.cancel()
                    return

        watcher = threading.Thread(target=watch, name="trainer-cancel", daemon=True)
        watcher.start()
        try:
            for event in job.events():
                on_event(event)
        except Interrupted:  # on_event may raise it to cancel, as core callbacks do
            job.cancel()
        finally:
            outcome = job.wait()
            finished.set()
            watcher.join()
        if outcome.status != "done":
            kept = tuple(case_text_paths(settings.work_dir))  # resuming needs them
            return LearningOutcome(
                outcome.status, stage, None, outcome.message, outcome.hint, case_text=kept
            )
    if not settings.keep_case_text:
        remove_case_text(settings.work_dir)
    return LearningOutcome(
        "done",
        stage,
        settings.work_dir / "export" / "candidate.json",
        case_text=tuple(case_text_paths(settings.work_dir)),
    )
