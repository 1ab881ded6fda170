"""Key facts: the values of a case a correct letter must contain, written exactly as it writes them.

A key fact is a name and the exact string (in :mod:`letterdesk.core.foundation.notation`'s notation
for the case's language) that must appear in the letter. Which facts are key facts is defined once,
with the other facts a case states, by :func:`letterdesk.core.facts.case_facts.structured_facts`:
the patient's name and birth date, each ICD-10 code, each radiotherapy course's total dose, dose per
fraction, number of fractions, start and end date, and each follow-up date of final reports and
follow-up letters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from letterdesk.core.facts.case_facts import structured_facts
from letterdesk.core.foundation import notation


@dataclass(frozen=True)
class KeyFact:
    """One fact of a case: what it is (``name``) and the exact text a letter shows (``value``)."""

    name: str
    value: str


def key_facts(case: Mapping[str, Any]) -> list[KeyFact]:
    """The key facts of ``case`` in the case's language, in letter order."""
    language = notation.check_language(str(case["language"]))
    return [KeyFact(f.name, f.expected) for f in structured_facts(case, language) if f.key]


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
