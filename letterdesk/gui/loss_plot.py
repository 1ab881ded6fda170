"""The live loss plot of a training run: the training loss per step as a line, the held-out
loss as dots. Painted with QPainter; a few hundred points need no chart library."""

from __future__ import annotations

from itertools import pairwise

from letterdesk.gui import i18n
from letterdesk.gui.qt import (
    QEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QWidget,
)

MARGIN = 8.0
LABEL_WIDTH = 48.0
"""Room on the left for the loss values of the axis."""


class LossPlot(QWidget):
    """Loss against training step; points are added as the trainer reports them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.training: list[tuple[int, float]] = []
        """(step, training loss) in step order."""
        self.heldout: list[tuple[int, float]] = []
        """(step, held-out loss) at each validation."""
        self.setMinimumSize(240, 140)
        self.retranslate()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(520, 220)

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Loss curve"))
        self._describe()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- the data --------------------------------------------------------------------------

    def add_loss(self, step: int, loss: float) -> None:
        """The training loss after ``step``."""
        self.training.append((step, loss))
        self._changed()

    def add_heldout(self, step: int, loss: float) -> None:
        """The held-out loss measured at ``step``."""
        self.heldout.append((step, loss))
        self._changed()

    def resume_at(self, step: int) -> None:
        """A resumed run goes on from ``step``: points after it are dropped (they are redone)."""
        self.training = [p for p in self.training if p[0] <= step]
        self.heldout = [p for p in self.heldout if p[0] <= step]
        self._changed()

    def clear(self) -> None:
        """Forget every point (a new run)."""
        self.training, self.heldout = [], []
        self._changed()

    def _changed(self) -> None:
        self._describe()
        self.update()

    def _describe(self) -> None:
        if not self.training:
            self.setAccessibleDescription(self.tr("No training steps yet"))
            return
        step, loss = self.training[-1]
        self.setAccessibleDescription(
            self.tr("Step {step}: loss {loss}").format(step=step, loss=i18n.number(loss, 3))
        )

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        points = self.training + self.heldout
        area = QRectF(self.rect()).adjusted(MARGIN + LABEL_WIDTH, MARGIN, -MARGIN, -MARGIN)
        text = palette.color(QPalette.ColorRole.Text)
        painter.setPen(QPen(text, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())
        if not points:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.tr("No training steps yet"))
            painter.end()
            return
        low, high = min(p[1] for p in points), max(p[1] for p in points)
        if high - low < 1e-9:
            low, high = low - 0.5, high + 0.5
        last = max(max(p[0] for p in points), 1)

        def place(step: int, loss: float) -> QPointF:
            x = area.left() + area.width() * step / last
            return QPointF(x, area.bottom() - area.height() * (loss - low) / (high - low))

        labels = QRectF(MARGIN, area.top() - 6, LABEL_WIDTH - 4, area.height() + 12)
        right = Qt.AlignmentFlag.AlignRight
        painter.drawText(labels, right | Qt.AlignmentFlag.AlignTop, i18n.number(high, 2))
        painter.drawText(labels, right | Qt.AlignmentFlag.AlignBottom, i18n.number(low, 2))
        highlight = palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(highlight, 2))
        line = [place(*p) for p in self.training]
        for start, end in pairwise(line):
            painter.drawLine(start, end)
        if len(line) == 1:
            painter.drawEllipse(line[0], 2.0, 2.0)
        painter.setPen(QPen(text, 1))
        painter.setBrush(text)
        for point in self.heldout:
            painter.drawEllipse(place(*point), 3.5, 3.5)
        painter.end()
