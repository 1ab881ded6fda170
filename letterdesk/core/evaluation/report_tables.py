"""The report's tables, built once as text cells (:class:`Table`): the same in the HTML, the
PDF and the window's table view. Numbers are written as the report shows them (``3.00 ± 1.00
(n=3)``, ``90%``, ``1.0 min``); ``–`` stands for a number there is none of yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from letterdesk.core.evaluation.metrics import (
    ALL_TYPES,
    SCALE,
    Evaluation,
    ScoreSummary,
    dimension_labels,
)

if TYPE_CHECKING:  # types only: a report's tables need not import scipy
    from letterdesk.core.evaluation.study_result import StudyResult
    from letterdesk.core.evaluation.study_statistics import Interval


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
