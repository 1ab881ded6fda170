"""The evaluation report as HTML, PDF or CSV, and the charts the evaluation view shows.

Tables are built once, as text cells (:class:`Table`), and laid out three ways: HTML rendered
from ``resources/report/`` in jinja2's sandbox with autoescaping, PDF pages drawn by
matplotlib (``PdfPages``), and the window's table view. Charts are drawn on a matplotlib
:class:`~matplotlib.figure.Figure` by :func:`draw_scores` and :func:`draw_trends`: the report
renders them with the Agg canvas (PNG embedded in the HTML; vector pages in the PDF), the window
puts the same figure on its Qt canvas.

PDF comes from matplotlib rather than from LibreOffice converting the HTML: a workstation has
matplotlib with LetterDesk, but not necessarily LibreOffice (only the tests need it), and
nothing has to start in the background or share a LibreOffice profile with the user's own.

CSV holds the raw data: one row per rating, with its letter's measurements. Every file is
written to a temporary file first and then renamed, so no half-written report is left behind.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import matplotlib
import matplotlib.ticker
from jinja2.sandbox import ImmutableSandboxedEnvironment
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from letterdesk.core.evaluation.metrics import (
    ALL_TYPES,
    SCALE,
    Evaluation,
    ScoreSummary,
    dimension_labels,
)
from letterdesk.core.foundation.errors import ConfigurationError, StoreError
from letterdesk.core.foundation.files import atomic_file
from letterdesk.core.foundation.paths import resource

if TYPE_CHECKING:  # the report reads results; it needs nothing that drafts them
    from letterdesk.core.evaluation.study import Interval, StudyResult

FORMATS = (".html", ".pdf", ".csv")
TITLE = "LetterDesk evaluation"
NOTHING_YET = (
    "There is nothing to report yet: no letter has been drafted by a model and rated. "
    "Once letters are drafted, corrected, rated and signed off, this report shows how each "
    "model version did."
)
SCORE_COLOURS = ("#c0392b", "#e67e22", "#9ccc65", "#2e7d32")
"""Points 1 to 4 of the scale, from worst (red) to best (green)."""
PAGE = (11.69, 8.27)
"""A4 landscape, inches."""
ROWS_PER_PAGE = 28


@dataclass(frozen=True)
class Table:
    """One table of a report as text cells: the same in the HTML, the PDF and the window."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


# --- numbers as the report writes them ------------------------------------------------------------


def mean_sd(summary: ScoreSummary) -> str:
    """``3.00 ± 1.00 (n=3)``; the SD is left out below two scores, ``–`` when there are none."""
    if summary.mean is None:
        return "–"
    if summary.sd is None:
        return f"{summary.mean:.2f} (n={summary.n})"
    return f"{summary.mean:.2f} ± {summary.sd:.2f} (n={summary.n})"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _number(value: float | None, decimals: int = 2) -> str:
    return "–" if value is None else f"{value:.{decimals}f}"


def _minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


# --- the tables ----------------------------------------------------------------------------------


def report_tables(evaluation: Evaluation) -> tuple[list[Table], list[Table]]:
    """The report's tables: the summaries shown before the charts, and the details after."""
    head = [_ratings_table(evaluation), _effort_table(evaluation), _facts_table(evaluation)]
    details = [
        _distribution_table(evaluation),
        _trends_table(evaluation),
        _letters_table(evaluation),
    ]
    return head, details


def _type(letter_type: str) -> str:
    return "all types" if letter_type == ALL_TYPES else letter_type


def _ratings_table(ev: Evaluation) -> Table:
    return Table(
        "Ratings by model version and letter type",
        (
            "Model version",
            "Letter type",
            "Letters",
            "Raters",
            *(ev.labels[d] for d in ev.dimensions),
        ),
        tuple(
            (g.model, _type(g.letter_type), str(g.letters), str(g.raters))
            + tuple(mean_sd(s) for s in g.scores)
            for g in ev.groups
        ),
        "Mean ± sample standard deviation on the 4-point scale (1 worst, 4 best); n: scores.",
    )


def _effort_table(ev: Evaluation) -> Table:
    return Table(
        "Correction effort and overlap, signed letters",
        (
            "Model version",
            "Letter type",
            "Signed letters",
            "Edit distance (words)",
            "Draft kept",
            "Editing time",
            "ROUGE-1",
            "ROUGE-2",
            "ROUGE-L",
        ),  # fmt: skip
        tuple(
            (
                g.model,
                _type(g.letter_type),
                str(g.signed_letters),
                _number(g.edit_distance, 1),
                _share(g.kept_share),
                _minutes(g.editing_seconds),
                *(_number(g.rouge[n], 3) for n in ("rouge1", "rouge2", "rougeL")),
            )  # fmt: skip
            for g in ev.groups
        ),
        "Means per letter: words changed from the model's draft to the signed letter, the share "
        "of the draft's words kept, time spent correcting, ROUGE F-measures of draft vs. final.",
    )


def _facts_table(ev: Evaluation) -> Table:
    return Table(
        "Facts in the drafts",
        ("Model version", "Letter type", "Letters", "Fact precision", "Fact recall"),
        tuple(
            (
                g.model,
                _type(g.letter_type),
                str(g.letters),
                _share(g.fact_precision),
                _share(g.fact_recall),
            )  # fmt: skip
            for g in ev.groups
        ),
        "Precision: share of the facts a draft states that its case supports. Recall: share of "
        "the case's key facts the draft states. Means per letter.",
    )


def _distribution_table(ev: Evaluation) -> Table:
    rows = []
    for g in ev.groups:
        for s in g.scores:
            cells = tuple(f"{c} ({c / s.n:.0%})" if s.n else "0" for c in s.counts)
            rows.append((g.model, _type(g.letter_type), ev.labels[s.dimension], *cells))
    return Table(
        "Distribution on the 4-point scale",
        ("Model version", "Letter type", "Dimension", *(str(p) for p in SCALE)),
        tuple(rows),
        "How often each point was given (share of that dimension's scores).",
    )


def _trends_table(ev: Evaluation) -> Table:
    return Table(
        "Trends per week",
        ("Week", "Model version", "Letters", "Mean score", "Draft kept"),
        tuple(
            (t.week, t.model, str(t.letters), _number(t.mean_score), _share(t.kept_share))
            for t in ev.trends
        ),
        "By the week the model drafted the letter; mean score over all dimensions.",
    )


def _letters_table(ev: Evaluation) -> Table:
    return Table(
        "Letters",
        (
            "Letter",
            "Case",
            "Model version",
            "Letter type",
            "Drafted",
            "Signed",
            "Edit distance",
            "Draft kept",
            "Editing time",
            "ROUGE-1",
            "ROUGE-2",
            "ROUGE-L",
            "Fact precision",
            "Fact recall",
        ),  # fmt: skip
        tuple(
            (
                str(x.letter_id),
                x.case_id,
                x.model,
                x.letter_type,
                x.drafted_at[:10],
                "yes" if x.signed else "no",
                "–" if x.edit_distance is None else str(x.edit_distance),
                _share(x.kept_share),
                _minutes(x.editing_seconds),
                *(
                    _number(x.rouge[n], 3) if x.rouge else "–"
                    for n in ("rouge1", "rouge2", "rougeL")
                ),
                _share(x.fact_precision),
                _share(x.fact_recall),
            )  # fmt: skip
            for x in ev.letters
        ),
    )


# --- a study's result ----------------------------------------------------------------------------


def interval(value: Interval) -> str:
    """``3.50 [2.26, 4.74]``: a mean with its confidence interval (``–`` without scores)."""
    if value.mean is None:
        return "–"
    if value.low is None or value.high is None:
        return f"{value.mean:.2f} (n={value.n})"
    return f"{value.mean:.2f} [{value.low:.2f}, {value.high:.2f}]"


def _p(value: float | None) -> str:
    return "–" if value is None else "< 0.001" if value < 0.001 else f"{value:.3f}"


def study_tables(result: StudyResult) -> list[Table]:
    """A study's result as tables: scores, paired tests, agreement, letters per rater."""
    names = {**dimension_labels(), "overall": "All dimensions"}
    labels = {m.model_id: m.label for m in result.models}
    return [
        Table(
            "Scores per model version",
            (
                "Model version",
                "Cases",
                "Scores",
                "All dimensions",
                *(names.get(d, d) for d in result.dimensions),
            ),  # fmt: skip
            tuple(
                (
                    m.label,
                    str(m.overall.n),
                    str(m.ratings),
                    interval(m.overall),
                    *(interval(m.by_dimension[d]) for d in result.dimensions),
                )  # fmt: skip
                for m in result.models
            ),
            "Mean of the per-case means [95% confidence interval, t]; 1 worst, 4 best.",
        ),
        Table(
            "Paired comparison (Wilcoxon signed-rank test)",
            (
                "Version A",
                "Version B",
                "Cases",
                "Mean difference (A − B)",
                "W",
                "p",
                "Effect (rank-biserial r)",
                "Found better",
            ),  # fmt: skip
            tuple(
                (
                    labels[c.model_a],
                    labels[c.model_b],
                    str(c.cases),
                    _number(c.mean_difference),
                    _number(c.statistic, 1),
                    _p(c.p_value),
                    _number(c.effect),
                    labels.get(c.favours(result.significance) or 0, "neither"),
                )  # fmt: skip
                for c in result.comparisons
            ),
            f"On the per-case means; a difference counts below p = {result.significance}.",
        ),
        Table(
            "Agreement between raters (Krippendorff's alpha, ordinal)",
            ("Dimension", "Alpha"),
            tuple((names.get(d, d), _number(a, 3)) for d, a in result.agreement.items()),
        ),
        Table(
            "Letters per rater",
            ("Rater", "Letters rated"),
            tuple((rater, str(n)) for rater, n in result.letters_per_rater.items()),
        ),
    ]


# --- charts --------------------------------------------------------------------------------------


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


# --- HTML ------------------------------------------------------------------------------------


def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(resource("report"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def tables_html(tables: Sequence[Table]) -> str:
    """Tables as an HTML fragment (for the window's text view)."""
    return _environment().get_template("tables.html.j2").render(tables=tables)


def _meta(evaluation: Evaluation) -> str:
    raters = len({r.rater for r in evaluation.ratings})
    return (
        f"Created {evaluation.created_at[:16].replace('T', ' ')} UTC · "
        f"{len(evaluation.models)} model version(s) · {len(evaluation.letters)} letter(s) · "
        f"{len(evaluation.ratings)} score(s) by {raters} rater(s)"
    )


def render_html(evaluation: Evaluation) -> str:
    """The whole report as one self-contained HTML page (charts embedded as PNG)."""
    head, details = report_tables(evaluation)
    plots = [
        {"title": title, "png": base64.b64encode(chart_png(draw, evaluation)).decode("ascii")}
        for title, draw in CHARTS
    ]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=TITLE,
            meta=_meta(evaluation),
            empty=NOTHING_YET if evaluation.is_empty else "",
            head_tables=head,
            detail_tables=details,
            plots=plots,
        )
    )


# --- PDF -------------------------------------------------------------------------------------


def _pdf_table_pages(pdf: PdfPages, table: Table) -> None:
    chunks = [table.rows[i : i + ROWS_PER_PAGE] for i in range(0, len(table.rows), ROWS_PER_PAGE)]
    for number, rows in enumerate(chunks or [()], start=1):
        figure = Figure(figsize=PAGE)
        title = table.title + (f" ({number} of {len(chunks)})" if len(chunks) > 1 else "")
        figure.text(0.04, 0.95, title, fontsize=13, weight="bold", color="#1f4e79")
        if table.note:
            figure.text(0.04, 0.915, table.note, fontsize=8, color="#555", wrap=True)
        ax = figure.add_axes((0.04, 0.04, 0.92, 0.85))
        ax.axis("off")
        if rows:
            cells = ax.table(
                cellText=[list(r) for r in rows],
                colLabels=list(table.header),
                loc="upper left",
                cellLoc="left",
            )
            cells.auto_set_font_size(False)
            cells.set_fontsize(7)
            cells.auto_set_column_width(list(range(len(table.header))))
            cells.scale(1, 1.3)
        else:
            ax.text(0, 1, "No data.", fontsize=9, va="top")
        pdf.savefig(figure)


def _pdf_cover(pdf: PdfPages, evaluation: Evaluation) -> None:
    figure = Figure(figsize=PAGE)
    figure.text(0.04, 0.92, TITLE, fontsize=20, weight="bold")
    figure.text(0.04, 0.87, _meta(evaluation), fontsize=10, color="#555")
    if evaluation.is_empty:
        figure.text(0.04, 0.78, NOTHING_YET, fontsize=12, wrap=True)
    pdf.savefig(figure)


def write_pdf(evaluation: Evaluation, handle: Any) -> None:
    """The report as PDF pages (A4 landscape) into an open binary file."""
    # TrueType fonts (not Type 3) keep the text searchable and copyable
    with (
        matplotlib.rc_context({"pdf.fonttype": 42}),
        PdfPages(
            handle, metadata={"Title": TITLE, "Creator": "LetterDesk", "CreationDate": None}
        ) as pdf,
    ):
        _pdf_cover(pdf, evaluation)
        if evaluation.is_empty:
            return
        head, details = report_tables(evaluation)
        for table in head:
            _pdf_table_pages(pdf, table)
        for _, draw in CHARTS:
            figure = Figure(figsize=PAGE, layout="constrained")
            draw(figure, evaluation)
            pdf.savefig(figure)
        for table in details:
            _pdf_table_pages(pdf, table)


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "rating_id", "rated_at", "rater", "dimension", "score", "model", "letter_type", "letter_id",
    "case_id", "revision_id", "week", "signed", "draft_words", "edit_distance", "kept_share",
    "editing_seconds", "rouge1", "rouge2", "rougeL", "fact_precision", "fact_recall",
)  # fmt: skip


def _cell(value: object) -> object:
    # a spreadsheet would run text such as "=HYPERLINK(...)" in a rater's name as a formula
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def write_csv(evaluation: Evaluation, handle: Any) -> None:
    """The raw data, one row per rating, into an open text file."""
    letters = {x.letter_id: x for x in evaluation.letters}
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in evaluation.ratings:
        x = letters.get(r.letter_id)
        rouge = (x.rouge if x else None) or {}
        row = [
            r.rating_id, r.rated_at, r.rater, r.dimension, r.score, r.model, r.letter_type,
            r.letter_id, x.case_id if x else None, r.revision_id, r.week,
            int(x.signed) if x else None, x.draft_words if x else None,
            x.edit_distance if x else None, x.kept_share if x else None,
            x.editing_seconds if x else None, rouge.get("rouge1"), rouge.get("rouge2"),
            rouge.get("rougeL"), x.fact_precision if x else None, x.fact_recall if x else None,
        ]  # fmt: skip
        writer.writerow([_cell(v) for v in row])


# --- writing a report file ----------------------------------------------------------------------


def write_report(evaluation: Evaluation, path: Path) -> Path:
    """Write the report as .html, .pdf or .csv (by the file's suffix), atomically."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigurationError(
            f"A report cannot be written as {path.name}: use a file ending in "
            + ", ".join(FORMATS)
            + ".",
        )
    path = path.resolve()
    try:
        with atomic_file(path, binary=True) as binary:
            if suffix == ".pdf":
                write_pdf(evaluation, binary)
            else:
                text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
                if suffix == ".csv":
                    write_csv(evaluation, text)
                else:
                    text.write(render_html(evaluation))
                text.flush()
                text.detach()
    except OSError as exc:
        raise StoreError(
            f"The report cannot be written to {path.parent}: {exc.strerror or exc}.",
            "Choose a folder this user may write to.",
        ) from exc
    return path
