"""The evaluation report as HTML, PDF or CSV (:func:`write_report`).

Its tables (:mod:`.report_tables`) are laid out three ways: HTML rendered from
``resources/report/`` in jinja2's sandbox with autoescaping, PDF pages drawn by matplotlib
(``PdfPages``), and the window's table view; its charts (:mod:`.report_charts`) go into the HTML
as PNG and into the PDF as vector pages.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
import matplotlib
from jinja2.sandbox import ImmutableSandboxedEnvironment
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from letterdesk.core.evaluation.metrics import Evaluation
from letterdesk.core.evaluation.report_charts import CHARTS, chart_png
from letterdesk.core.evaluation.report_tables import Table, report_tables
from letterdesk.core.foundation.errors import ConfigurationError, StoreError
from letterdesk.core.foundation.files import atomic_file
from letterdesk.core.foundation.paths import resource

FORMATS = (".html", ".pdf", ".csv")
TITLE = "LetterDesk evaluation"
NOTHING_YET = (
    "There is nothing to report yet: no letter has been drafted by a model and rated. "
    "Once letters are drafted, corrected, rated and signed off, this report shows how each "
    "model version did."
)
PAGE = (11.69, 8.27)
"""A4 landscape, inches."""
ROWS_PER_PAGE = 28


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
