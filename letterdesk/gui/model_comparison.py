"""The end of a training run: the current and the new model side by side, and the verdict.

The table's rows are the held-out metrics the trainer reports (ROUGE-1/2/L against the signed
letters, key-fact recall); its columns the current model, the new one and the change. Below
it the verdict — whether the new version may become the default, or why not — and the
"Make default" button, which the dialog enables only where the verdict allows it.
"""

from __future__ import annotations

from collections.abc import Mapping

from letterdesk.core.models.registry import CandidateOutcome
from letterdesk.gui import i18n
from letterdesk.gui.qt import (
    QAbstractButton,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

METRICS = ("rouge1", "rouge2", "rougeL", "key_fact_recall")
"""The rows, as the trainer names them."""
MODELS = ("current", "new")
"""The trainer's labels of the two models compared."""


class ModelComparison(QWidget):
    """Current versus new model on the held-out letters, the verdict and "Make default"."""

    promote_requested = Signal()
    """The user asked to make the new version the default."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metrics: dict[str, Mapping[str, object]] = {}
        """The trainer's evaluation of each model ("current", "new")."""
        self.outcome: CandidateOutcome | None = None
        """The new version as filed in the registry, once it is."""
        self.table = QTableWidget(len(METRICS), 3, self)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.promote_button = QPushButton(self)
        self.promote_button.clicked.connect(self.promote_requested)
        judged = QHBoxLayout()
        judged.addWidget(self.verdict, 1)
        judged.addWidget(self.promote_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(judged)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setAccessibleName(self.tr("Evaluation: current and new model"))
        for corner in self.table.findChildren(QAbstractButton):  # the select-all corner
            corner.setAccessibleName(self.tr("Select the whole table"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Current model"), self.tr("New model"), self.tr("Change")]
        )
        self.table.setVerticalHeaderLabels(
            ["ROUGE-1", "ROUGE-2", "ROUGE-L", self.tr("Key-fact recall")]
        )
        self.promote_button.setText(self.tr("Make &default"))
        self.promote_button.setAccessibleName(self.tr("Make the new model the default"))
        self._show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_metrics(self, model: str, metrics: Mapping[str, object]) -> None:
        """One model's evaluation ("current" or "new") as the trainer reported it."""
        if model in MODELS:
            self.metrics[model] = metrics
            self._show()

    def set_outcome(self, outcome: CandidateOutcome | None) -> None:
        """The new version as filed (or promoted); None: no verdict yet."""
        self.outcome = outcome
        self._show()

    def clear(self) -> None:
        """Empty the table and the verdict (a new run)."""
        self.metrics.clear()
        self.outcome = None
        self._show()

    # --- showing ---------------------------------------------------------------------------

    def _show(self) -> None:
        for row, key in enumerate(METRICS):
            before = _number(self.metrics.get("current", {}).get(key))
            after = _number(self.metrics.get("new", {}).get(key))
            change = after - before if before is not None and after is not None else None
            cells = (self._value(key, before), self._value(key, after), self._change(key, change))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.verdict.setText(self._verdict())

    def _verdict(self) -> str:
        outcome = self.outcome
        if outcome is None:
            return ""
        version = outcome.version.version
        if outcome.promoted:
            return self.tr("Version {version} is now the default model.").format(version=version)
        if outcome.promotable:
            return self.tr(
                "Version {version} is not measurably worse than the current model (95 % interval "
                "on the evaluation letters); make it the default to draft letters with it."
            ).format(version=version)
        text = self.tr("Version {version} was kept but cannot become the default: {reason}")
        return text.format(version=version, reason=outcome.reason)

    def _value(self, key: str, value: float | None) -> str:
        if value is None:
            return "–"
        return i18n.percent(value, 1) if key == "key_fact_recall" else i18n.number(value, 3)

    def _change(self, key: str, change: float | None) -> str:
        if change is None:
            return ""
        sign = "+" if change > 0 else ""
        if key == "key_fact_recall":
            return self.tr("{n} pp").format(n=sign + i18n.number(change * 100, 1))
        return sign + i18n.number(change, 3)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
