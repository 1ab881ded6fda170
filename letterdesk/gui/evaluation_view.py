"""The evaluation view: how each model version's drafts fared, in tables and charts.

The numbers are computed on the store worker (:func:`letterdesk.core.evaluation.metrics.evaluate`, a
job with progress); the view shows the report's tables and draws the report's charts on
matplotlib's Qt canvas. Saving the report (.html, .pdf or .csv) runs on the worker too.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure

from letterdesk.core.evaluation.metrics import Evaluation, evaluate
from letterdesk.core.evaluation.report import NOTHING_YET, tables_html, write_report
from letterdesk.core.evaluation.report_charts import draw_scores, draw_trends
from letterdesk.core.evaluation.report_tables import report_tables
from letterdesk.gui.messages import show_error
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import (
    QDialog,
    QEvent,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    Qt,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    Signal,
)


class EvaluationView(QDialog):
    """A window with the evaluation of every model version; it reads the store when shown."""

    evaluated = Signal(object)
    """The evaluation now shown (Evaluation)."""
    saved = Signal(object)
    """The report file written (Path)."""

    def __init__(self, worker: StoreWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.evaluation: Evaluation | None = None
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.hide()
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.choose_file)
        self.save_button.setEnabled(False)
        self.tables = QTextBrowser(self)
        self.score_figure = Figure(figsize=(6, 5), layout="constrained")
        self.trend_figure = Figure(figsize=(6, 5), layout="constrained")
        self.score_canvas = FigureCanvasQTAgg(self.score_figure)
        self.trend_canvas = FigureCanvasQTAgg(self.trend_figure)
        self._build_layout()
        self.retranslate()
        self.resize(1280, 900)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.progress)
        top.addWidget(self.refresh_button)
        top.addWidget(self.save_button)
        charts = QSplitter(Qt.Orientation.Horizontal, self)
        charts.addWidget(self.score_canvas)
        charts.addWidget(self.trend_canvas)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.tables)
        split.addWidget(charts)
        split.setSizes([450, 450])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Evaluation of the model versions"))
        self.setAccessibleName(self.windowTitle())
        self.refresh_button.setText(self.tr("&Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the evaluation"))
        self.save_button.setAccessibleName(self.tr("Save the report"))
        self.save_button.setText(self.tr("&Save report…"))
        self.save_button.setToolTip(
            self.tr("Save as HTML, PDF or CSV (raw data, one row per rating)")
        )
        self.tables.setAccessibleName(self.tr("Evaluation tables"))
        self.score_canvas.setAccessibleName(self.tr("Scores by dimension and model version"))
        self.trend_canvas.setAccessibleName(self.tr("Trends per week"))
        if self.evaluation is None:
            self.summary.setText(self.tr("Reading the letters and ratings …"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compute the evaluation again on the store worker."""
        self.refresh_button.setEnabled(False)
        op: StoreOp[Evaluation] = StoreOp(
            self.worker,
            lambda store: evaluate(store, progress=op.job.report, cancel=op.job.is_cancelled),
        )
        op.progress(self._progressed).success(self.show_evaluation).failure(self._failed).run()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progress.setVisible(done < total)

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.progress.hide()
        show_error(self, error)

    def show_evaluation(self, evaluation: Evaluation) -> None:
        """Show an evaluation: its tables, its charts, and what it counts."""
        self.evaluation = evaluation
        self.refresh_button.setEnabled(True)
        self.progress.hide()
        self.save_button.setEnabled(True)
        if evaluation.is_empty:
            self.summary.setText(NOTHING_YET)
            self.tables.clear()
        else:
            raters = len({r.rater for r in evaluation.ratings})
            self.summary.setText(
                self.tr("{m} model version(s), {n} letter(s), {s} score(s) by {r} rater(s)").format(
                    m=len(evaluation.models),
                    n=len(evaluation.letters),
                    s=len(evaluation.ratings),
                    r=raters,
                )  # fmt: skip
            )
            head, details = report_tables(evaluation)
            self.tables.setHtml(tables_html([*head, *details]))
        for figure, canvas, draw in (
            (self.score_figure, self.score_canvas, draw_scores),
            (self.trend_figure, self.trend_canvas, draw_trends),
        ):
            figure.clear()
            draw(figure, evaluation)
            canvas.draw_idle()
        self.evaluated.emit(evaluation)

    # --- saving ----------------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ask where to save the report; its ending chooses the format."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save report"),
            "letterdesk-evaluation.html",
            self.tr("Report (*.html);;PDF (*.pdf);;Raw data, one row per rating (*.csv)"),
        )
        if path:
            self.save_report(Path(path))

    def save_report(self, path: Path) -> None:
        """Write the evaluation shown to ``path`` (.html, .pdf or .csv) on the store worker."""
        evaluation = self.evaluation
        if evaluation is None:
            return
        self.save_button.setEnabled(False)

        def done(written: Path) -> None:
            self.save_button.setEnabled(True)
            self.summary.setText(self.tr("Report saved: {path}").format(path=written))
            self.saved.emit(written)

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            show_error(self, error)

        StoreOp(self.worker, lambda _store: write_report(evaluation, path)).success(done).failure(
            failed
        ).run()


def open_evaluation_view(worker: StoreWorker, parent: QWidget | None = None) -> EvaluationView:
    """Open the evaluation window (not modal) and start reading."""
    view = EvaluationView(worker, parent)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    view.refresh()
    return view
