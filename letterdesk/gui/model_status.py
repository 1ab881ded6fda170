"""The model in the status bar: name and version, CPU or GPU, context size, load progress."""

from __future__ import annotations

from letterdesk.core.engine.types import Notice, Progress
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.gui import i18n
from letterdesk.gui.generation_op import ModelStatus
from letterdesk.gui.qt import QEvent, QHBoxLayout, QLabel, QProgressBar, QWidget


class ModelStatusBar(QWidget):
    """A status-bar widget: what is loaded and where, or how far loading has come."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # loading a model reports steps, not a percentage
        self.bar.setMaximumWidth(120)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        self.status: ModelStatus | None = None
        self.state = "idle"
        self._detail = ""
        self.retranslate()

    def retranslate(self) -> None:
        self.bar.setAccessibleName(self.tr("Model loading progress"))
        self._show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def loading(self, step: Progress | Notice) -> None:
        """A loading step or a notice arrived."""
        if isinstance(step, Progress) and step.stage == "ready":
            return
        self.state, self._detail = "loading", step.message
        self._show()

    def loaded(self, status: ModelStatus) -> None:
        """The model is ready."""
        self.state, self.status = "ready", status
        self._show()

    def failed(self, error: BaseException) -> None:
        """The model could not be loaded."""
        self.state = "failed"
        self._detail = error.message if isinstance(error, LetterDeskError) else str(error)
        self._show()

    def _show(self) -> None:
        self.bar.setVisible(self.state == "loading")
        if self.state == "ready" and self.status is not None:
            s = self.status
            name = f"{s.name} {s.version}".strip()
            tokens = i18n.number(s.n_ctx or 0)
            context = self.tr("context {n} tokens").format(n=tokens) if s.n_ctx else ""
            where = self.tr("server") if s.backend == "server" else s.device
            text = " · ".join(
                p for p in (self.tr("Model: {name}").format(name=name), where, context) if p
            )
            self.label.setToolTip("")
        elif self.state == "loading":
            text = self.tr("Loading the model: {step}").format(step=self._detail)
            self.label.setToolTip(self._detail)
        elif self.state == "failed":
            text = self.tr("Model not available: {why}").format(why=self._detail)
            self.label.setToolTip(self._detail)
        else:
            text = self.tr("Model not loaded yet")
            self.label.setToolTip("")
        self.label.setText(text)
        self.label.setAccessibleName(text)
        self.setAccessibleName(text)
