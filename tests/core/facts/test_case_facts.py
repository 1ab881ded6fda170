"""The facts a case states, as the check and the evaluation read them."""

from __future__ import annotations

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.case_facts import case_values, structured_facts
from letterdesk.core.facts.key_facts import key_facts
from tests.core.sample_cases import case


def test_case_values_keep_their_meaning_for_the_evaluation():
    sample = Case(case())
    assert {("dose", "40.05"), ("dose", "2.67"), ("date", "2025-01-06")} <= case_values(sample)


def test_key_facts_are_the_key_facts_of_the_structured_facts():
    sample = case()
    keyed = [(f.name, f.expected) for f in structured_facts(sample, "de") if f.key]
    assert [(f.name, f.value) for f in key_facts(sample)] == keyed


def test_case_values_keep_a_course_dose_unrounded_where_the_letter_rounds_it():
    sample = case()
    sample["radiotherapy"][0]["dose_per_fraction_gy"] = 2.667
    doses = {f.value for f in structured_facts(sample, "de") if f.path.endswith("fraction_gy")}
    assert "2.67" in doses and ("dose", "2.667") in case_values(Case(sample))
