"""Key facts: the exact strings a correct letter must contain, and how many of them a letter has."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from letterdesk.core.facts.key_facts import (
    KeyFact,
    contains_fact,
    fact_recall,
    key_facts,
    missing_facts,
)

CASE: dict[str, Any] = {
    "schema_version": 1,
    "case_id": "SYN-KF-1",
    "letter_type": "final_report",
    "language": "de",
    "synthetic": True,
    "patient": {
        "patient_id": "SYN-P-KF-1",
        "given_name": "Erika",
        "family_name": "Øberg-Müller",
        "sex": "female",
        "birth_date": "1954-03-02",
    },
    "diagnoses": [{"text": "Mammakarzinom", "icd10": "C50.4", "date": "2024-09-12"}],
    "radiotherapy": [
        {
            "target": "Restbrust links",
            "technique": "VMAT",
            "dose_per_fraction_gy": 2.67,
            "fractions": 15,
            "total_dose_gy": 40.05,
            "start_date": "2025-01-06",
            "end_date": "2025-01-24",
        },
        {
            "target": "Tumorbett links",
            "technique": "VMAT",
            "dose_per_fraction_gy": 2.0,
            "fractions": 8,
            "total_dose_gy": 16.0,
            "start_date": "2025-01-27",
            "end_date": "2025-02-05",
        },
    ],
    "follow_up": [
        {"date": "2025-03-24", "description": "Erste Nachsorge"},
        {"description": "Nachsorge ohne Datum"},
    ],
}


def test_the_key_facts_of_a_german_case_in_letter_notation():
    assert key_facts(CASE) == [
        KeyFact("patient_name", "Erika Øberg-Müller"),
        KeyFact("birth_date", "02.03.1954"),
        KeyFact("diagnosis_1_icd10", "C50.4"),
        KeyFact("course_1_total_dose", "40,05 Gy"),
        KeyFact("course_1_dose_per_fraction", "2,67 Gy"),
        KeyFact("course_1_fractions", "15"),
        KeyFact("course_1_start_date", "06.01.2025"),
        KeyFact("course_1_end_date", "24.01.2025"),
        KeyFact("course_2_total_dose", "16 Gy"),
        KeyFact("course_2_dose_per_fraction", "2 Gy"),
        KeyFact("course_2_fractions", "8"),
        KeyFact("course_2_start_date", "27.01.2025"),
        KeyFact("course_2_end_date", "05.02.2025"),
        KeyFact("follow_up_1_date", "24.03.2025"),
    ]


def test_english_facts_use_english_notation():
    case = copy.deepcopy(CASE) | {"language": "en"}
    values = {fact.name: fact.value for fact in key_facts(case)}
    assert values["birth_date"] == "2 March 1954"
    assert values["course_1_total_dose"] == "40.05 Gy"
    assert values["course_1_start_date"] == "6 January 2025"
    assert values["follow_up_1_date"] == "24 March 2025"


def test_an_initial_consultation_has_no_follow_up_facts():
    case = copy.deepcopy(CASE) | {"letter_type": "initial_consultation"}
    names = [fact.name for fact in key_facts(case)]
    assert "course_2_end_date" in names
    assert not any(name.startswith("follow_up") for name in names)


@pytest.mark.parametrize(
    ("letter", "value", "found"),
    [
        ("ED 2 Gy / GD 60 Gy", "2 Gy", True),
        ("GD 52 Gy", "2 Gy", False),
        ("ED 1,2 Gy", "2 Gy", False),
        ("ED 2,25 Gy", "2 Gy", False),
        ("Boost 12 Gy, dann 2 Gy.", "2 Gy", True),
        ("ICD-10 C50.4,", "C50", False),
        ("ICD-10 C50.4,", "C50.4", True),
        ("(C61)", "C61", True),
        ("in 300 Fraktionen", "30", False),
        ("30 x 2 Gy", "30", True),
        ("bis 24.01.2025.", "24.01.2025", True),
        ("bis 24.01.20255", "24.01.2025", False),
        ("from 6 January 2025 to", "6 January 2025", True),
        ("from 16 January 2025 to", "6 January 2025", False),
        ("Frau Erika Øberg-Müller, geb.", "Erika Øberg-Müller", True),
        ("Frau Erika Øberg-Müllers Befund", "Erika Øberg-Müller", False),
        ("", "2 Gy", False),
    ],
)
def test_a_fact_counts_only_as_a_whole_word_or_number(letter, value, found):
    assert contains_fact(letter, value) is found


def test_recall_is_the_share_of_facts_found():
    facts = key_facts(CASE)
    complete = " ".join(fact.value for fact in facts)
    assert fact_recall(CASE, complete) == 1.0
    assert missing_facts(CASE, complete) == []
    without_birth = complete.replace("02.03.1954", "03.02.1954")
    assert fact_recall(CASE, without_birth) == pytest.approx((len(facts) - 1) / len(facts))
    assert missing_facts(CASE, without_birth) == [KeyFact("birth_date", "02.03.1954")]
    assert fact_recall(CASE, "Sehr geehrte Frau Kollegin,") == 0.0
