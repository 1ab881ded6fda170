"""The statistics of a blinded study (letterdesk.core.evaluation.study_statistics) on tables
small enough to work out by hand."""

from __future__ import annotations

import pytest

from letterdesk.core.evaluation.study_statistics import agreement, compare, confidence_interval


def test_statistics_on_tiny_tables():
    # mean 3, SD 1: 3 ± 4.302653 / sqrt(3)
    interval = confidence_interval([2, 3, 4])
    assert interval.mean == 3.0
    assert (interval.low, interval.high) == pytest.approx((0.515862, 5.484138), abs=1e-6)
    assert confidence_interval([3]).low is None and confidence_interval([]).mean is None
    # two raters, three letters: 1/1, 2/2, 3/4. Coincidences o₁₁ = o₂₂ = 2, o₃₄ = o₄₃ = 1;
    # n₁ = n₂ = 2, n₃ = n₄ = 1; ordinal δ²₃₄ = 1, so D_o = 2/6; Σ n_c n_k δ² = 198, D_e = 6.6
    units = {"l1": {"a": 1, "b": 1}, "l2": {"a": 2, "b": 2}, "l3": {"a": 3, "b": 4}}
    assert agreement(units) == pytest.approx(94 / 99)
    assert agreement({"l1": {"a": 1}, "l2": {"a": 2}}) is None  # one rater agrees with nobody
    # differences 1, -2, 3, 4: ranks 1, 2, 3, 4; W+ = 8, W- = 2; exact p: 3 of the 16 sign
    # patterns have a negative rank sum <= 2 ({}, {1}, {2}), doubled: 6/16
    tied = compare(1, 2, {"x": 2, "y": 1, "z": 4, "w": 4}, {"x": 1, "y": 3, "z": 1, "w": 0})
    assert (tied.statistic, tied.p_value) == (2.0, 0.375)
    assert tied.effect == pytest.approx((8 - 2) / 10)
    same = compare(1, 2, {"x": 3}, {"x": 3})
    assert (same.p_value, same.effect, same.favours()) == (1.0, 0.0, None)
