"""The arguments of a promotion: every problem is reported with the others."""

from __future__ import annotations

from pathlib import Path

from training.promote_args import PromoteArgs


def args(**overrides) -> PromoteArgs:
    return PromoteArgs(Path("b"), Path("r"), Path("d"), Path("o"), **overrides)


def test_the_margins_are_checked_with_the_other_arguments(tmp_path):
    problems = args(rouge_margin=-0.01, recall_margin=1.5).problems()
    assert "rouge_margin and recall_margin must be at least 0 and below 1" in problems
    missing = args(promotion_basis="study", study_result=tmp_path / "none.json").problems()
    assert any("does not exist" in p for p in missing)
