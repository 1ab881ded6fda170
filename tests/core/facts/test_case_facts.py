"""The facts a case states, as the check and the evaluation read them."""

from __future__ import annotations

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.case_facts import case_values
from tests.core.sample_cases import case


def test_case_values_keep_their_meaning_for_the_evaluation():
    sample = Case(case())
    assert {("dose", "40.05"), ("dose", "2.67"), ("date", "2025-01-06")} <= case_values(sample)
