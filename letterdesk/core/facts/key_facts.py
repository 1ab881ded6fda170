"""Key facts: the values of a case a correct letter must contain, written exactly as it writes them.

A key fact is a name and the exact string (in :mod:`letterdesk.core.foundation.notation`'s notation
for the
case's language) that must appear in the letter: the patient's name and birth date, each ICD-10
code, each radiotherapy course's total dose, dose per fraction, number of fractions, start and end
date, and each follow-up date. Follow-up dates are key facts of final reports and follow-up
letters only: an initial consultation precedes treatment and does not schedule follow-up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from letterdesk.core.foundation import notation

_FOLLOW_UP_LETTERS = ("final_report", "follow_up")


@dataclass(frozen=True)
class KeyFact:
    """One fact of a case: what it is (``name``) and the exact text a letter shows (``value``)."""

    name: str
    value: str


def key_facts(case: Mapping[str, Any]) -> list[KeyFact]:
    """The key facts of ``case`` in the case's language, in letter order."""
    language = notation.check_language(str(case["language"]))
    patient = case["patient"]
    facts = [
        KeyFact("patient_name", notation.full_name(patient["given_name"], patient["family_name"])),
        KeyFact("birth_date", notation.format_date(patient["birth_date"], language)),
    ]
    for n, diagnosis in enumerate(case.get("diagnoses") or [], start=1):
        facts.append(KeyFact(f"diagnosis_{n}_icd10", str(diagnosis["icd10"])))
    for n, course in enumerate(case.get("radiotherapy") or [], start=1):
        facts += [
            KeyFact(
                f"course_{n}_total_dose", notation.format_gy(course["total_dose_gy"], language)
            ),
            KeyFact(
                f"course_{n}_dose_per_fraction",
                notation.format_gy(course["dose_per_fraction_gy"], language),
            ),
            KeyFact(f"course_{n}_fractions", str(course["fractions"])),
            KeyFact(f"course_{n}_start_date", notation.format_date(course["start_date"], language)),
            KeyFact(f"course_{n}_end_date", notation.format_date(course["end_date"], language)),
        ]
    if case.get("letter_type") in _FOLLOW_UP_LETTERS:
        for n, visit in enumerate(case.get("follow_up") or [], start=1):
            if visit.get("date"):
                facts.append(
                    KeyFact(f"follow_up_{n}_date", notation.format_date(visit["date"], language))
                )
    return facts


def contains_fact(letter: str, value: str) -> bool:
    """Whether ``value`` occurs in ``letter`` verbatim and as a whole: not inside a longer word or
    number, so ``2 Gy`` is not found in ``52 Gy`` or ``1,2 Gy`` and ``C50`` not in ``C50.4``."""
    return next(occurrences(letter, value), None) is not None


def occurrences(text: str, value: str) -> Iterator[int]:
    """Where ``value`` stands in ``text`` as a whole (see :func:`contains_fact`), in order."""
    if not value:
        return
    start = text.find(value)
    while start >= 0:
        end = start + len(value)
        if not _continues(text, start - 1, -1) and not _continues(text, end, 1):
            yield start
        start = text.find(value, start + 1)


def _continues(text: str, at: int, step: int) -> bool:
    """Whether the character at ``at`` extends the match into a longer word or number."""
    if at < 0 or at >= len(text):
        return False
    char = text[at]
    if char.isalnum():
        return True
    # A decimal separator between digits joins numbers: "1,2 Gy", "C50.4".
    beyond = at + step
    return char in ".," and 0 <= beyond < len(text) and text[beyond].isdigit()


def missing_facts(case: Mapping[str, Any], letter: str) -> list[KeyFact]:
    """The key facts of ``case`` that ``letter`` does not contain (see :func:`contains_fact`)."""
    return [fact for fact in key_facts(case) if not contains_fact(letter, fact.value)]


def fact_recall(case: Mapping[str, Any], letter: str) -> float:
    """The share of the case's key facts found verbatim in ``letter`` (1.0 when it has none)."""
    facts = key_facts(case)
    if not facts:
        return 1.0
    return sum(contains_fact(letter, fact.value) for fact in facts) / len(facts)
