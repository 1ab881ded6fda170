"""The "Train new model" dialog: the learning loop started, watched, stopped, resumed, judged.

IT or the physician names the base checkpoint the current model came from and a work folder;
Start runs dataset → fine-tuning → export and evaluation as child processes
(:class:`~letterdesk.gui.training_op.TrainingRun`). The progress bar counts the steps with the
time left, the plot shows the loss falling. Stop leaves a checkpoint and Resume goes on from
it (a folder of an earlier, stopped run resumes it too). At the end the new version is filed
in the registry on the store worker, unpromoted, and the table compares it with the current
model; "Make default" is offered only where the trainer's verdict allows it, otherwise the
reason is shown. Closing the dialog hides it: a running training goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from letterdesk.core.models.registry import CandidateOutcome, register_candidate
from letterdesk.core.models.trainer_events import TrainerEvent
from letterdesk.core.models.trainer_job import (
    LearningOutcome,
    LearningSettings,
    fresh_work_dir,
)
from letterdesk.core.store.audit import current_user
from letterdesk.core.store.model_versions import ModelVersion, default_version
from letterdesk.gui import i18n
from letterdesk.gui.loss_plot import LossPlot
from letterdesk.gui.messages import show_error
from letterdesk.gui.model_comparison import ModelComparison
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from letterdesk.gui.training_op import TrainingRun

LOG_LINES = 500
BUSY = ("running", "stopping", "filing")


class TrainDialog(QDialog):
    """Start, watch, stop and resume a training; compare and promote its result."""

    run_ended = Signal(object)
    """A run ended: its LearningOutcome, or the exception that broke it."""
    filed = Signal(object)
    """The new version was registered (CandidateOutcome), not yet the default."""
    promoted = Signal(object)
    """The new version (ModelVersion) became the default."""

    def __init__(
        self,
        worker: StoreWorker,
        parent: QWidget | None = None,
        *,
        python: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.python = python
        """The Python with the trainer installed; None: the app's own."""
        self.env = dict(env or {})
        self.state = "idle"
        """idle, running, stopping, stopped, failed, filing or done."""
        self.run: TrainingRun | None = None
        self.learning: LearningSettings | None = None
        """The last run's settings: Resume starts them again."""
        self.candidate: Path | None = None
        """The trainer's candidate.json once a run is done."""
        self._stage = ""
        self._step, self._steps = 0, 0
        self._eta_s: float | None = None
        self._stage_text: Callable[[], str] = lambda: self.tr(
            "Learns from the signed letters in the store."
        )
        self._build_widgets()
        self._build_layout()
        self.retranslate()
        self._show_state()
        self.resize(760, 820)
        StoreOp(worker, default_version).success(self._suggest_base).run()

    # --- building --------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.base_edit = QLineEdit(self)
        self.base_edit.textChanged.connect(lambda _text: self._show_state())
        self.base_button = QPushButton(self)
        self.base_button.clicked.connect(lambda: self._choose_folder(self.base_edit))
        self.folder_edit = QLineEdit(str(fresh_work_dir()), self)
        self.folder_button = QPushButton(self)
        self.folder_button.clicked.connect(lambda: self._choose_folder(self.folder_edit))
        self.keep_box = QCheckBox(self)
        self.start_button = QPushButton(self)
        self.start_button.clicked.connect(self.start)
        self.resume_button = QPushButton(self)
        self.resume_button.clicked.connect(self.resume)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.stop)
        self.stage_label = QLabel(self)
        self.stage_label.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.eta_label = QLabel(self)
        self.plot = LossPlot(self)
        self.legend = QLabel(self)
        self.comparison = ModelComparison(self)
        self.comparison.promote_requested.connect(self.promote)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setMaximumHeight(110)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        self.buttons.rejected.connect(self.reject)

    def _build_layout(self) -> None:
        form = QFormLayout()
        self.base_label, self.folder_label = QLabel(self), QLabel(self)
        for label, edit, button in (
            (self.base_label, self.base_edit, self.base_button),
            (self.folder_label, self.folder_edit, self.folder_button),
        ):
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(button)
            label.setBuddy(edit)
            form.addRow(label, row)
        form.addRow("", self.keep_box)
        controls = QHBoxLayout()
        for button in (self.start_button, self.resume_button, self.stop_button):
            controls.addWidget(button)
        controls.addStretch(1)
        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.eta_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(controls)
        layout.addWidget(self.stage_label)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.comparison)
        layout.addWidget(self.log)
        layout.addWidget(self.buttons)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Train new model"))
        self.setAccessibleName(self.windowTitle())
        self.base_label.setText(self.tr("&Base model:"))
        self.base_edit.setAccessibleName(self.tr("Base model folder"))
        self.base_edit.setToolTip(
            self.tr("The Hugging Face folder the current model was made from")
        )
        self.folder_label.setText(self.tr("&Work folder:"))
        self.folder_edit.setAccessibleName(self.tr("Work folder"))
        self.folder_edit.setToolTip(self.tr("The folder of an earlier, stopped run resumes it"))
        for button in (self.base_button, self.folder_button):
            button.setText(self.tr("Browse…"))
        self.base_button.setAccessibleName(self.tr("Choose the base model folder"))
        self.folder_button.setAccessibleName(self.tr("Choose the work folder"))
        self.keep_box.setText(self.tr("&Keep the training letters after the run"))
        self.keep_box.setAccessibleName(self.keep_box.text().replace("&", ""))
        self.keep_box.setToolTip(
            self.tr(
                "They are patient data: by default a finished run removes them from the work "
                "folder and keeps only the new model"
            )
        )
        self.start_button.setText(self.tr("&Start training"))
        self.resume_button.setText(self.tr("&Resume"))
        self.resume_button.setToolTip(self.tr("Go on from the checkpoint the training left"))
        self.stop_button.setText(self.tr("S&top"))
        self.stop_button.setToolTip(self.tr("Stop with a checkpoint; Resume goes on from it"))
        for button in (self.start_button, self.resume_button, self.stop_button):
            button.setAccessibleName(button.text().replace("&", ""))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setToolTip(self.tr("A running training goes on; this dialog shows it again"))
        self.progress.setAccessibleName(self.tr("Training progress"))
        self.progress.setFormat(self.tr("Step %v of %m"))
        self.legend.setText(self.tr("Line: training loss · dots: loss on held-out letters"))
        self.log.setAccessibleName(self.tr("Trainer messages"))
        self.stage_label.setText(self._stage_text())
        self.eta_label.setText(self._eta(self._eta_s) if self._eta_s is not None else "")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _suggest_base(self, current: ModelVersion | None) -> None:
        """The default model's own base, where the registry knows it (a trained version)."""
        base = current.lineage.get("base") if current is not None else None
        checkpoint = base.get("checkpoint") if isinstance(base, dict) else None
        if checkpoint and not self.base_edit.text():
            self.base_edit.setText(str(checkpoint))

    def _choose_folder(self, edit: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose folder"), edit.text())
        if folder:
            edit.setText(folder)

    # --- running ---------------------------------------------------------------------------

    def start(self) -> None:
        """Train anew with the base model and work folder entered."""
        base, folder = self.base_edit.text().strip(), self.folder_edit.text().strip()
        if not base or not folder or self.state in BUSY:
            return
        if self.learning is not None and Path(folder) == self.learning.work_dir:
            folder = str(fresh_work_dir())  # that folder would resume the last run: Resume does
            self.folder_edit.setText(folder)
        self.plot.clear()
        self._step, self._steps = 0, 0
        self.comparison.clear()
        self.log.clear()
        self._launch(
            LearningSettings(
                Path(base),
                Path(folder),
                store=self.worker.store_path,
                env=self.env,
                python=self.python,
                keep_case_text=self.keep_box.isChecked(),
            )
        )

    def resume(self) -> None:
        """Start the last run's settings again: it goes on from its checkpoint."""
        if self.learning is not None and self.state not in BUSY:
            self._launch(self.learning)

    def stop(self) -> None:
        """Stop the training; the fine-tuning writes a checkpoint first."""
        if self.run is not None and self.state == "running":
            self.run.cancel()
            self._set_state(
                "stopping", lambda: self.tr("Stopping: the training saves a checkpoint …")
            )

    def shutdown(self) -> None:
        """The app quits: stop the trainer now (it leaves a checkpoint to resume from)."""
        if self.run is not None:
            self.run.cancel()

    def _launch(self, learning: LearningSettings) -> None:
        self.learning = learning
        self.candidate = None
        self.comparison.set_outcome(None)
        self._stage = ""
        self.progress.setRange(0, 0)
        self._show_eta(None)
        self.run = run = TrainingRun(learning, self)
        run.arrived.connect(self._event)
        run.ended.connect(self._ended)
        run.failed.connect(self._broke)
        self._set_state("running", lambda: self.tr("Starting the trainer …"))
        run.start()

    def _event(self, event: TrainerEvent) -> None:
        data = event.data
        if event.stage != self._stage:
            self._stage = event.stage
            self._stage_started(event.stage)
        if event.kind == "progress":
            self._step, self._steps = int(data.get("step", 0)), int(data.get("steps") or 0)
            self._settle_progress()
            self._show_eta(float(data.get("eta_s") or 0))
            self.plot.add_loss(int(data.get("step", 0)), float(data.get("loss", 0.0)))
        elif event.kind == "validation" and "heldout_loss" in data:
            self.plot.add_heldout(int(data.get("step", 0)), float(data["heldout_loss"]))
        elif event.kind == "resumed":
            self.plot.resume_at(int(data.get("step", 0)))
        elif event.kind == "stage" and data.get("stage") == "evaluate" and self.state == "running":
            cases = i18n.number(float(data.get("cases", 0)))
            self._say(
                lambda: self.tr(
                    "Evaluating the current and the new model on {n} held-out letters …"
                ).format(n=cases)
            )
        elif event.kind == "evaluation":
            self.comparison.set_metrics(str(data.get("model")), data)
        self._log(event)

    def _stage_started(self, stage: str) -> None:
        if self.state == "running":
            self._say(lambda: self._stage_name(stage))
        if stage != "finetune":
            self.progress.setRange(0, 0)  # these stages report no steps
            self._show_eta(None)

    def _stage_name(self, stage: str) -> str:
        texts = {
            "dataset": self.tr("Preparing the signed letters as training examples …"),
            "finetune": self.tr("Training on the signed letters …"),
            "promote": self.tr("Exporting the new model …"),
        }
        return texts.get(stage, stage)

    def _log(self, event: TrainerEvent) -> None:
        if event.kind == "log":
            line = str(event.data.get("line", ""))
        elif event.kind in ("notice", "error"):
            line = str(event.data.get("message", ""))
        elif event.kind in ("progress", "evaluation", "validation"):
            return  # shown in the bar, the plot and the table
        else:
            line = event.kind + "".join(f" {k}={v}" for k, v in event.data.items() if k != "event")
        if line:
            self.log.appendPlainText(f"[{event.stage}] {line}")

    def _ended(self, outcome: LearningOutcome) -> None:
        self.run = None
        self._settle_progress()
        self._show_eta(None)
        if outcome.case_text and self.learning is not None:
            self.log.appendPlainText(
                self.tr(
                    "The work folder {folder} still holds the training letters (patient data); "
                    "delete it when it is no longer needed."
                ).format(folder=self.learning.work_dir)
            )
        if outcome.status == "done" and outcome.candidate is not None:
            self.candidate = outcome.candidate
            self._set_state("filing", lambda: self.tr("Filing the new model version …"))
            self._file(outcome.candidate, promote=False)
        elif outcome.status == "cancelled":
            self._set_state(
                "stopped",
                lambda: self.tr("Stopped. The training kept a checkpoint: Resume goes on from it."),
            )
        else:
            self._set_state("failed", lambda: self.tr("The training did not finish."))
            show_error(self, outcome.error(), self.tr("Train new model"))
        self.run_ended.emit(outcome)

    def _broke(self, error: BaseException) -> None:
        self.run = None
        self._settle_progress()
        self._set_state("failed", lambda: self.tr("The training did not finish."))
        show_error(self, error, self.tr("Train new model"))
        self.run_ended.emit(error)

    # --- judging ---------------------------------------------------------------------------

    def promote(self) -> None:
        """Make the new version the default (filed again, this time with promotion)."""
        outcome = self.comparison.outcome
        if outcome is not None and outcome.promotable and self.candidate is not None:
            self.comparison.promote_button.setEnabled(False)
            self._file(self.candidate, promote=True)

    def _file(self, candidate: Path, *, promote: bool) -> None:
        user = current_user()
        StoreOp(
            self.worker,
            lambda store: register_candidate(store, candidate, user=user, auto_promote=promote),
        ).success(self._filed).failure(self._file_failed).run()

    def _filed(self, outcome: CandidateOutcome) -> None:
        first = self.state == "filing"
        self.comparison.set_outcome(outcome)
        if first:
            self._set_state("done", lambda: self.tr("The training is finished."))
            self.filed.emit(outcome)
        self._show_state()
        if outcome.promoted and not first:
            self.promoted.emit(outcome.version)

    def _file_failed(self, error: BaseException) -> None:
        if self.state == "filing":
            self._set_state("failed", lambda: self.tr("The new model could not be filed."))
        self._show_state()
        show_error(self, error, self.tr("Train new model"))

    # --- showing ---------------------------------------------------------------------------

    def _set_state(self, state: str, text: Callable[[], str]) -> None:
        self.state = state
        self._say(text)
        self._show_state()

    def _say(self, text: Callable[[], str]) -> None:
        """Show where the run stands; kept as a function to say it again in another language."""
        self._stage_text = text
        self.stage_label.setText(text())

    def _show_eta(self, seconds: float | None) -> None:
        self._eta_s = seconds
        self.eta_label.setText(self._eta(seconds) if seconds is not None else "")

    def _show_state(self) -> None:
        busy = self.state in BUSY
        ready = bool(self.base_edit.text().strip() and self.folder_edit.text().strip())
        self.start_button.setEnabled(not busy and ready)
        self.resume_button.setEnabled(self.state in ("stopped", "failed") and bool(self.learning))
        self.stop_button.setEnabled(self.state == "running")
        for widget in (self.base_edit, self.base_button, self.folder_edit, self.folder_button):
            widget.setEnabled(not busy)
        outcome = self.comparison.outcome
        self.comparison.promote_button.setEnabled(
            self.state == "done"
            and outcome is not None
            and outcome.promotable
            and not outcome.promoted
        )

    def _settle_progress(self) -> None:
        """The bar counts fine-tuning steps; the other stages report none."""
        self.progress.setRange(0, max(self._steps, 1))
        self.progress.setValue(self._step)

    def _eta(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("less than a minute left")
        minutes = round(seconds / 60)
        if minutes < 60:
            return self.tr("about {n} min left").format(n=minutes)
        return self.tr("about {h} h {m} min left").format(h=minutes // 60, m=minutes % 60)
