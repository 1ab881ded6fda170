"""The facts a case states: one derivation, key facts a view of it."""

from __future__ import annotations

from letterdesk.core.facts.case_facts import structured_facts
from letterdesk.core.facts.key_facts import key_facts
from tests.core.sample_cases import case


def test_key_facts_are_the_key_facts_of_the_structured_facts():
    sample = case()
    expected = [
        ("patient_name", "Thảo Nguyễn"), ("birth_date", "02.03.1954"),
        ("diagnosis_1_icd10", "C50.4"), ("course_1_total_dose", "40,05 Gy"),
        ("course_1_dose_per_fraction", "2,67 Gy"), ("course_1_fractions", "15"),
        ("course_1_start_date", "06.01.2025"), ("course_1_end_date", "24.01.2025"),
        ("follow_up_1_date", "07.03.2025"),
    ]  # fmt: skip
    assert [(f.name, f.value) for f in key_facts(sample)] == expected
    keyed = [(f.name, f.expected) for f in structured_facts(sample, "de") if f.key]
    assert keyed == expected  # one derivation: the key facts are a view of the case's facts
