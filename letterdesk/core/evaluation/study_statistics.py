"""The statistics of a blinded study: a mean's t confidence interval, the Wilcoxon signed-rank
test between two versions' per-case means, and Krippendorff's alpha (ordinal) between raters —
scipy and krippendorff do the arithmetic."""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import krippendorff
from scipy import stats

from letterdesk.core.evaluation.metrics import SCALE

SIGNIFICANCE = 0.05
"""A difference between two versions counts when the Wilcoxon test's p-value is below this."""
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval (None where too few values give none)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


def confidence_interval(values: Sequence[float], level: float = CONFIDENCE) -> Interval:
    """The mean and its t confidence interval (scipy.stats.t); needs two values for a range."""
    if not values:
        return Interval(None, None, None, 0)
    mean = statistics.fmean(values)
    if len(values) == 1:
        return Interval(mean, None, None, 1)
    sd = statistics.stdev(values)
    if sd == 0:
        return Interval(mean, mean, mean, len(values))
    low, high = stats.t.interval(
        level, len(values) - 1, loc=mean, scale=sd / math.sqrt(len(values))
    )
    return Interval(mean, float(low), float(high), len(values))


@dataclass(frozen=True)
class Comparison:
    """Two versions' per-case mean scores compared with the Wilcoxon signed-rank test."""

    model_a: int
    model_b: int
    cases: int
    """Cases both versions' letters were rated for."""
    mean_difference: float | None
    """Mean of (a - b) over those cases, in points of the 4-point scale."""
    statistic: float | None
    """Wilcoxon's W (the smaller rank sum), zero differences left out."""
    p_value: float | None
    effect: float | None
    """Matched-pairs rank-biserial correlation, -1..1: positive favours a, negative b."""

    def favours(self, significance: float = SIGNIFICANCE) -> int | None:
        """The version the test found better (p below ``significance``), else None."""
        if self.p_value is None or self.p_value >= significance or not self.effect:
            return None
        return self.model_a if self.effect > 0 else self.model_b

    def flipped(self) -> Comparison:
        """The same comparison read from b's side."""
        negate = lambda v: None if v is None else -v  # noqa: E731 - two uses, one line
        return replace(
            self, model_a=self.model_b, model_b=self.model_a,
            mean_difference=negate(self.mean_difference), effect=negate(self.effect),
        )  # fmt: skip


def compare(
    model_a: int, model_b: int, a_by_case: Mapping[str, float], b_by_case: Mapping[str, float]
) -> Comparison:
    """Wilcoxon signed-rank test (scipy.stats.wilcoxon) on the cases both versions have."""
    cases = sorted(set(a_by_case) & set(b_by_case))
    differences = [round(a_by_case[c] - b_by_case[c], 9) for c in cases]
    if not differences:
        return Comparison(model_a, model_b, 0, None, None, None, None)
    mean_difference = statistics.fmean(differences)
    nonzero = [d for d in differences if d != 0]  # as Wilcoxon did: no difference, no rank
    if not nonzero:
        return Comparison(model_a, model_b, len(cases), mean_difference, 0.0, 1.0, 0.0)
    test = stats.wilcoxon(nonzero)
    ranks = stats.rankdata([abs(d) for d in nonzero])
    plus = float(sum(r for r, d in zip(ranks, nonzero, strict=True) if d > 0))
    effect = (2 * plus - float(sum(ranks))) / float(sum(ranks))
    return Comparison(
        model_a, model_b, len(cases), mean_difference, float(test.statistic),
        float(test.pvalue), effect,
    )  # fmt: skip


def agreement(units: Mapping[Hashable, Mapping[str, int]]) -> float | None:
    """Krippendorff's alpha (ordinal) of the raters' scores; ``units`` maps each rated thing to
    its scores by rater. None with fewer than two raters or where alpha is undefined."""
    raters = sorted({rater for scores in units.values() for rater in scores})
    if len(raters) < 2:
        return None
    table = [[units[u].get(r, math.nan) for u in units] for r in raters]
    try:
        alpha = float(
            krippendorff.alpha(
                reliability_data=table, level_of_measurement="ordinal", value_domain=list(SCALE)
            )
        )
    except (ValueError, ZeroDivisionError):  # no pairable scores, or no variation at all
        return None
    return None if math.isnan(alpha) else alpha
