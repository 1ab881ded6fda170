"""The tables of the independent evaluation cases (:mod:`training.independent_cases`), read from
``independent_cases.json`` beside this module: the treated sites with their diagnoses,
schedules and words, and the names, practices and phrases around them. Every text is a pair,
German first, then English; ``{side}``, ``{s}``, ``{place}`` and the like are filled per case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

TABLES_FILE = Path(__file__).with_name("independent_cases.json")

Words = tuple[str, str]
"""The same text in German and in English."""


@dataclass(frozen=True)
class Course:
    """One radiotherapy course of a schedule."""

    target: Words
    technique: str  # a key of Tables.techniques
    dose_per_fraction: float
    fractions: int
    simultaneous: bool = False  # starts with the previous course (SIB, a second lesion)
    concurrent: Words | None = None


@dataclass(frozen=True)
class Plan:
    """A schedule of one to three courses."""

    courses: tuple[Course, ...]
    prior: Words | None = None  # earlier radiotherapy of the same region: this is a re-irradiation


@dataclass(frozen=True)
class Diagnosis:
    """One way a site's diagnosis is written, with what must agree with it."""

    icd: str
    text: Words
    histology: tuple[Words, ...] = ()
    grading: tuple[Words, ...] = ()
    staging: tuple[tuple[str, str], ...] = ()  # (TNM, UICC stage or "" when none applies)
    places: tuple[Words, ...] = (("", ""),)  # fills {place}
    plans: tuple[int, ...] = ()  # indices into the site's plans; empty: any
    history: tuple[tuple[str, Words], ...] = ()  # empty: the site's
    lateral: bool = False


@dataclass(frozen=True)
class Site:
    """A treated entity: its diagnoses, schedules and the words around them."""

    diagnoses: tuple[Diagnosis, ...]
    plans: tuple[Plan, ...]
    history: tuple[tuple[str, Words], ...]
    toxicities: tuple[Words, ...]
    late_effects: tuple[Words, ...]
    findings: tuple[Words, Words]  # (before treatment, at follow-up)
    advice: tuple[Words, ...]  # the first is for the weeks right after treatment
    follow_up: Words
    sex: str | None = None
    primaries: tuple[tuple[str, Words, str | None], ...] = ()  # metastases: (ICD, primary, sex)


@dataclass(frozen=True)
class Tables:
    """Everything the case writer draws from."""

    sites: tuple[Site, ...]
    """The sites a case is drawn from; one listed twice is drawn twice as often."""
    techniques: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    """Technique key → (German wordings, English wordings)."""
    switch: dict[str, tuple[Words, ...]]
    """Code-switching: per language, (term, the other language's word) as colleagues write it
    in a hurry."""
    comorbidities: tuple[tuple[str, Words], ...]
    """(ICD-10, text)."""
    given_names: dict[str, tuple[str, ...]]
    """Sex (female, male, other) → given names."""
    family_names: tuple[str, ...]
    titles: dict[str, tuple[str, ...]]
    salutations: dict[str, dict[str, str]]
    practices: dict[str, tuple[tuple[str, str, str, str], ...]]
    """Language → (institution, street, postal code, city)."""
    author_roles: dict[str, dict[str, tuple[str, ...]]]
    general_findings: dict[str, tuple[Words, ...]]
    """Letter type → findings any site may have."""
    general_advice: tuple[Words, ...]
    baseline_toxicities: tuple[Words, ...]
    """Complaints before treatment."""
    first_visit: tuple[Words, ...]
    planning: tuple[Words, ...]
    notes: tuple[Words, ...]


def _tuples(value: Any) -> Any:
    """JSON's lists as tuples, all the way down (the tables are immutable)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _course(data: dict[str, Any]) -> Course:
    return Course(**_tuples(data))


def _plan(data: dict[str, Any]) -> Plan:
    return Plan(tuple(_course(c) for c in data["courses"]), _tuples(data.get("prior")))


def _site(data: dict[str, Any]) -> Site:
    values = _tuples({k: v for k, v in data.items() if k not in ("diagnoses", "plans")})
    return Site(
        diagnoses=tuple(Diagnosis(**_tuples(d)) for d in data["diagnoses"]),
        plans=tuple(_plan(p) for p in data["plans"]),
        **values,
    )


def load_tables(path: Path = TABLES_FILE) -> Tables:
    """The tables in ``path``, each site once however often it is drawn."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sites = {name: _site(site) for name, site in data.pop("sites").items()}
    drawn = tuple(sites[name] for name in data.pop("site_draw"))
    expected = {f.name for f in fields(Tables)} - {"sites"}
    if set(data) != expected:
        raise ValueError(f"{path}: expected the tables {sorted(expected)}, found {sorted(data)}")
    return Tables(sites=drawn, **_tuples(data))


TABLES = load_tables()
