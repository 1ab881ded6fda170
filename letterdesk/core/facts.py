"""Facts in letter text: doses and dates, as written in German and English letters.

This is the deterministic extraction the evaluation uses to count doses and dates a letter
states that its case does not contain. (The fact-grounding issue extends it to fraction
counts, codes, laterality and drugs.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from letterdesk.core.cases import Case

_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
_MONTHS_DE = (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
).split()
_DOSE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,2})?)\s?Gy\b")
_DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_DATE_WORDS = re.compile(
    r"(?<!\d)(\d{1,2})\.?\s(" + "|".join(_MONTHS_EN + _MONTHS_DE) + r")\s(\d{4})(?!\d)"
)
_DATE_EN_US = re.compile(r"\b(" + "|".join(_MONTHS_EN) + r")\s(\d{1,2}),\s(\d{4})(?!\d)")


@dataclass(frozen=True)
class Fact:
    """One dose or date found in a text: its kind, normalised value and where it stands."""

    kind: str  # "dose" or "date"
    value: str  # dose in Gy as "60" or "2.67"; date as ISO "2025-01-06"
    text: str
    start: int
    end: int


def _dose_value(text: str) -> str:
    return f"{float(text.replace(',', '.')):g}"


def _month(name: str) -> int:
    return (_MONTHS_EN.index(name) if name in _MONTHS_EN else _MONTHS_DE.index(name)) + 1


def extract(text: str) -> Iterator[Fact]:
    """Every dose and date in a letter, in either language's notation."""
    for m in _DOSE.finditer(text):
        yield Fact("dose", _dose_value(m.group(1)), m.group(0), m.start(), m.end())
    for m in _DATE_NUMERIC.finditer(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        yield Fact("date", f"{year:04d}-{month:02d}-{day:02d}", m.group(0), m.start(), m.end())
    for m in _DATE_WORDS.finditer(text):
        day, month, year = int(m.group(1)), _month(m.group(2)), int(m.group(3))
        yield Fact("date", f"{year:04d}-{month:02d}-{day:02d}", m.group(0), m.start(), m.end())
    for m in _DATE_EN_US.finditer(text):
        month, day, year = _month(m.group(1)), int(m.group(2)), int(m.group(3))
        yield Fact("date", f"{year:04d}-{month:02d}-{day:02d}", m.group(0), m.start(), m.end())


def case_values(case: Case) -> set[tuple[str, str]]:
    """Every dose and date the case supports, as (kind, normalised value)."""
    values: set[tuple[str, str]] = set()
    for course in case.data.get("radiotherapy", []):
        for key in ("dose_per_fraction_gy", "total_dose_gy"):
            values.add(("dose", f"{float(course[key]):g}"))
        values.update({("date", course["start_date"]), ("date", course["end_date"])})
    dated = [
        case.data["patient"],
        *case.data["diagnoses"],
        *case.data.get("history", []),
        *case.data.get("follow_up", []),
    ]
    for item in dated:
        for key in ("date", "birth_date"):
            if item.get(key):
                values.add(("date", item[key]))
    # free text of the case may state further doses and dates (e.g. an earlier course)
    for free in _free_texts(case):
        values.update((f.kind, f.value) for f in extract(free))
    return values


def _free_texts(case: Case) -> Iterator[str]:
    data = case.data
    yield from (h.get("description", "") for h in data.get("history", []))
    yield from (f.get("description", "") for f in data.get("follow_up", []))
    yield from data.get("recommendations", [])
    yield data.get("findings", "") or ""
    yield data.get("notes", "") or ""


def unsupported(case: Case, letter: str) -> tuple[list[Fact], int]:
    """Doses and dates in the letter that the case does not contain, and how many there were."""
    supported = case_values(case)
    found = list(extract(letter))
    return [f for f in found if (f.kind, f.value) not in supported], len(found)
