"""The report's tables (letterdesk.core.evaluation.report_tables): a study's result as text
cells."""

from __future__ import annotations

from letterdesk.core.evaluation.report_tables import study_tables
from letterdesk.core.evaluation.study_result import ModelScore, StudyResult
from letterdesk.core.evaluation.study_statistics import Comparison, Interval


def test_study_result_tables():
    a = ModelScore(1, "demo 1.0", 24, Interval(3.5, 2.2579, 4.7421, 3), {})
    b = ModelScore(2, "demo 2.0", 24, Interval(1.5, None, None, 1), {})
    result = StudyResult(
        study_id=1,
        name="A gegen B",
        status="completed",
        completed_at=None,
        dimensions=(),
        models=(a, b),
        comparisons=(Comparison(1, 2, 6, 1.75, 0.0, 0.03125, 1.0),),
        agreement={"overall": 0.869444},
        letters_per_rater={"r1": 12},
    )
    scores, paired, agreement, raters = study_tables(result)
    assert scores.rows == (
        ("demo 1.0", "3", "24", "3.50 [2.26, 4.74]"),
        ("demo 2.0", "1", "24", "1.50 (n=1)"),
    )
    assert paired.rows == (
        ("demo 1.0", "demo 2.0", "6", "1.75", "0.0", "0.031", "1.00", "demo 1.0"),
    )
    assert agreement.rows == (("All dimensions", "0.869"),)
    assert raters.rows == (("r1", "12"),)
