"""The report's charts, drawn on a matplotlib :class:`~matplotlib.figure.Figure`: the report
renders them with the Agg canvas (PNG embedded in the HTML; vector pages in the PDF), the
evaluation window puts the same figure on its Qt canvas.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib
import matplotlib.ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from letterdesk.core.evaluation.metrics import ALL_TYPES, SCALE, Evaluation

SCORE_COLOURS = ("#c0392b", "#e67e22", "#9ccc65", "#2e7d32")
"""Points 1 to 4 of the scale, from worst (red) to best (green)."""


def draw_scores(figure: Figure, evaluation: Evaluation) -> None:
    """Per dimension, each model version's share of scores 1-4 as one stacked bar."""
    groups = [g for g in evaluation.groups if g.letter_type == ALL_TYPES]
    if not evaluation.ratings:
        _nothing_to_show(figure)
        return
    axes = figure.subplots(len(evaluation.dimensions), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (index, dimension) in zip(axes, enumerate(evaluation.dimensions), strict=True):
        left = [0.0] * len(groups)
        for point, colour in zip(SCALE, SCORE_COLOURS, strict=True):
            shares = [
                g.scores[index].counts[point - 1] / g.scores[index].n if g.scores[index].n else 0
                for g in groups
            ]
            ax.barh(range(len(groups)), shares, left=left, color=colour, label=str(point))
            left = [a + b for a, b in zip(left, shares, strict=True)]
        ax.set_yticks(range(len(groups)), [g.model for g in groups])
        ax.set_title(evaluation.labels[dimension], fontsize=9, loc="left")
        ax.set_xlim(0, 1)
    axes[-1].xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes[0].legend(title="Score", ncols=4, fontsize=7, title_fontsize=7, loc="lower right",
                   bbox_to_anchor=(1.0, 1.02))  # fmt: skip
    figure.suptitle("Scores by dimension and model version", x=0.02, ha="left")


def draw_trends(figure: Figure, evaluation: Evaluation) -> None:
    """Per ISO week and model version: the mean score and the share of the draft kept."""
    if not evaluation.trends:
        _nothing_to_show(figure)
        return
    weeks = sorted({t.week for t in evaluation.trends})
    score_ax, kept_ax = figure.subplots(1, 2)
    for model in evaluation.models:
        points = [t for t in evaluation.trends if t.model == model]
        for ax, value in ((score_ax, "mean_score"), (kept_ax, "kept_share")):
            xy = [(weeks.index(t.week), getattr(t, value)) for t in points]
            xy = [(x, y) for x, y in xy if y is not None]
            if xy:
                ax.plot(*zip(*xy, strict=True), marker="o", label=model)
    score_ax.set_title("Mean score (all dimensions)", fontsize=9, loc="left")
    score_ax.set_ylim(0.9, 4.1)  # points on 1 and 4 stay visible
    kept_ax.set_title("Share of the draft kept", fontsize=9, loc="left")
    kept_ax.set_ylim(-0.03, 1.03)
    kept_ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    for ax in (score_ax, kept_ax):
        ax.set_xticks(range(len(weeks)), weeks, rotation=45, fontsize=7)
        ax.set_xlim(-0.5, len(weeks) - 0.5)
    score_ax.legend(fontsize=7)
    figure.suptitle("Trends per week", x=0.02, ha="left")


def _nothing_to_show(figure: Figure) -> None:
    figure.text(0.5, 0.5, "Nothing to show yet", ha="center", va="center", color="#777")


CHARTS: tuple[tuple[str, Callable[[Figure, Evaluation], None]], ...] = (
    ("Scores by dimension", draw_scores),
    ("Trends per week", draw_trends),
)


def chart_png(draw: Callable[[Figure, Evaluation], None], evaluation: Evaluation) -> bytes:
    """One chart drawn with the Agg canvas, as PNG."""
    figure = Figure(figsize=(10, 6), dpi=100, layout="constrained")
    draw(figure, evaluation)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()
