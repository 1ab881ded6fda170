"""Scoring letters as the promotion gate does: key facts counted as the app counts them, and
the change between two models on the same letters with its paired bootstrap interval."""

from __future__ import annotations

import random

import pytest

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.key_facts import key_facts
from letterdesk.core.synthetic.generator import generate_case
from training.evaluate import paired_change, rouge, rouge_per_letter, score_letter


def german_case_with_28_fractions() -> dict:
    case = generate_case(5, 2)  # German final report: 70 Gy in 28 fractions of 2,5 Gy
    case["follow_up"][1]["date"] = "2025-02-28"
    return case


def test_a_fraction_count_is_not_found_inside_a_date():
    case = german_case_with_28_fractions()
    facts = {fact.name: fact.value for fact in key_facts(case)}
    assert facts["course_1_fractions"] == "28"
    assert facts["follow_up_2_date"] == "28.02.2025"
    others = [value for name, value in facts.items() if name != "course_1_fractions"]
    letter = "Befunde und Daten: " + "; ".join(others) + "."
    assert "28" in letter  # as a substring, inside "28.02.2025"

    score = score_letter(Case(case), letter)
    assert (score.key_facts, score.key_facts_found) == (len(facts), len(facts) - 1)

    told = score_letter(Case(case), letter + " Die Bestrahlung erfolgte in 28 Fraktionen.")
    assert told.key_facts_found == len(facts)


def test_a_dose_is_not_found_inside_a_larger_dose():
    case = german_case_with_28_fractions()
    facts = {fact.name: fact.value for fact in key_facts(case)}
    assert facts["course_1_dose_per_fraction"] == "2,5 Gy"
    letter = " ".join(v for n, v in facts.items() if n != "course_1_dose_per_fraction")
    assert score_letter(Case(case), letter + " 12,5 Gy").key_facts_found == len(facts) - 1


def test_rouge_per_letter_averages_to_rouge():
    letters = ["Der Patient wurde bestrahlt.", "Frau Müller kam zur Nachsorge."]
    references = ["Der Patient wurde gut bestrahlt.", "Frau Müller kam heute zur Nachsorge."]
    per_letter = rouge_per_letter(letters, references)
    assert len(per_letter) == 2 and all(0 < s["rougeL"] < 1 for s in per_letter)
    mean = sum(s["rougeL"] for s in per_letter) / 2
    assert rouge(letters, references)["rougeL"] == pytest.approx(mean, abs=1e-4)


def test_the_interval_of_a_clear_change_excludes_zero_and_is_reproducible():
    draw = random.Random(3)
    current = [draw.uniform(0.3, 0.6) for _ in range(40)]
    worse = [c - 0.05 + draw.gauss(0, 0.01) for c in current]
    change = paired_change(worse, current, seed=7)
    assert change.low <= change.change <= change.high < 0
    assert change.change == pytest.approx(-0.05, abs=0.01)
    assert paired_change(worse, current, seed=7) == change
    assert not change.above(-0.01)


def test_an_unchanged_model_has_an_interval_of_zero_width():
    current = [0.4, 0.5, 0.6] * 10
    change = paired_change(current, current)
    assert (change.change, change.low, change.high, change.letters) == (0.0, 0.0, 0.0, 30)
    assert change.above(-0.01) and not change.above(0.0)


def test_weights_make_the_change_one_over_all_facts():
    # two letters with 10 facts each lost one; eight letters with 2 facts each lost none
    facts = [10, 10] + [2] * 8
    current = [1.0] * 10
    new = [0.9, 0.9] + [1.0] * 8
    change = paired_change(new, current, facts)
    assert change.change == pytest.approx(-2 / 36)
    assert change.low < change.change < change.high <= 0
