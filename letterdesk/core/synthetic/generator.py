"""Synthetic cases: a seeded, deterministic generator of plausible radiation-oncology cases.

Every case is invented. It follows the case format (``resources/case.schema.json``), carries
``"synthetic": true`` and IDs starting ``SYN-``. The same ``(seed, index, language, letter_type)``
gives the identical case in every process. The random draws never depend on the language, so a
case asked for in German and in English is the same clinical story in two languages.
Reference letters for the cases are written by :mod:`letterdesk.core.synthetic.letters`.

Catalogue texts are bilingual, written ``"deutsch|english"``; ``{side}``, ``{lesion}`` and
``{r}`` are filled in per case.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from letterdesk.core.foundation import notation
from letterdesk.core.synthetic.catalogue import (
    _CHEMO_ADVICE,
    _CITIES,
    _DRUG,
    _FAMILY,
    _FINAL_FINDINGS,
    _GENERIC_ADVICE,
    _GIVEN,
    _GRADES,
    _HOSPITALS,
    _INITIAL_ADVICE,
    _NOTES,
    _PRACTICE,
    _ROLES,
    _SEXES,
    _SITES,
    _STREETS,
    _TECH,
    _TITLE_WEIGHTS,
    _TITLES,
    _TOX,
    _Course,
    _Primary,
    _Site,
    _Step,
)
from letterdesk.core.synthetic.letters import HOUSE_STYLES, reference_letter

__all__ = [
    "HOUSE_STYLES",
    "LETTER_TYPES",
    "generate_case",
    "generate_cases",
    "reference_letter",
]

LETTER_TYPES = ("final_report", "initial_consultation", "follow_up")
_LETTER_TYPE_WEIGHTS = (60, 20, 20)
_QUARTER = dt.timedelta(weeks=13)


# --- generator -------------------------------------------------------------------------------


class _Say:
    """Renders catalogue text in the case's language with the case's side and lesion."""

    def __init__(self, language: str, side: str, lesion: str) -> None:
        self.language = language
        self.side = notation.format_laterality(side, language)
        self.lesion = _pick(lesion, language) if lesion else ""

    def __call__(self, text: str, r: str = "") -> str:
        return _pick(text, self.language).format(side=self.side, lesion=self.lesion, r=r)


def _pick(text: str, language: str) -> str:
    german, _, english = text.partition("|")
    return german if language == "de" else (english or german)


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _weekday_from(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _add_weekdays(day: dt.date, count: int) -> dt.date:
    for _ in range(count):
        day = _weekday_from(day + dt.timedelta(days=1))
    return day


def _given_name(rng: random.Random, sex: str) -> str:
    return rng.choice(_GIVEN[sex if sex in ("female", "male") else "neutral"])


def _patient(rng: random.Random, sex: str, seed: int, index: int) -> dict[str, Any]:
    year = int(rng.triangular(1935, 2000.99, 1956))
    birth = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    return {
        "patient_id": f"SYN-P-{seed}-{index:06d}",
        "given_name": _given_name(rng, sex),
        "family_name": rng.choice(_FAMILY),
        "sex": sex,
        "birth_date": _iso(birth),
    }


def _recipient(rng: random.Random, language: str, site: _Site) -> dict[str, Any]:
    sex = rng.choices(("female", "male", "unknown"), (48, 48, 4))[0]
    title = rng.choices(_TITLES[language], _TITLE_WEIGHTS)[0]
    in_hospital = rng.random() < 0.6
    institution = (
        f"{_pick(site.referrer, language)}, {rng.choice(_HOSPITALS)}"
        if in_hospital
        else _pick(_PRACTICE, language)
    )
    city, postal_prefix = rng.choice(_CITIES)
    recipient = {
        "salutation": notation.sex_title(sex, language),
        "title": title,
        "given_name": _given_name(rng, sex),
        "family_name": rng.choice(_FAMILY),
        "institution": institution,
        "street": f"{rng.choice(_STREETS)} {rng.randint(1, 140)}",
        "postal_code": f"{postal_prefix}{rng.randint(0, 99):02d}",
        "city": city,
    }
    return {key: value for key, value in recipient.items() if value}


def _author(rng: random.Random, language: str) -> dict[str, str]:
    sex = rng.choice(("female", "male"))
    title = "Dr. med. " if language == "de" else "Dr "
    name = f"{_given_name(rng, sex)} {rng.choice(_FAMILY)}"
    has_title = rng.random() < 0.8
    return {
        "name": f"{title}{name}" if has_title else name,
        "role": _pick(rng.choice(_ROLES[sex]), language),
    }


def _diagnoses(
    rng: random.Random,
    say: _Say,
    site: _Site,
    primary: _Primary | None,
    side: str,
    dates: tuple[dt.date, dt.date],
) -> list[dict[str, Any]]:
    icd10, text = rng.choice(site.diagnoses)
    main: dict[str, Any] = {"text": say(text), "icd10": icd10, "date": _iso(dates[0])}
    if site.histologies:
        main["histology"] = say(rng.choice(site.histologies))
    if site.gradings:
        main["grading"] = say(rng.choice(site.gradings))
    if site.stages:
        main["tnm"], main["uicc_stage"] = rng.choice(site.stages)
    main["laterality"] = side if site.lateral else "none"
    if primary is None:
        return [main]
    first: dict[str, Any] = {
        "text": say(primary.text),
        "icd10": primary.icd10,
        "date": _iso(dates[1]),
        "histology": say(primary.histology),
        "grading": rng.choice(("G2", "G3")),
        "laterality": side if primary.lateral else "none",
    }
    return [main, first]


def _history(
    rng: random.Random, say: _Say, steps: tuple[_Step, ...], day: dt.date
) -> tuple[list[dict[str, str]], dt.date]:
    """History entries from ``day`` on, in order; returns them and the date the last one ends."""
    entries: list[dict[str, str]] = []
    for step in steps:
        happens = rng.random() < step.chance
        gap, text = rng.randint(*step.gap_days), rng.choice(step.texts)
        resection = rng.choices(("R0", "R1"), (85, 15))[0]
        if happens:
            day += dt.timedelta(days=gap)
            entries.append(
                {"date": _iso(day), "kind": step.kind, "description": say(text, resection)}
            )
            day += dt.timedelta(days=step.lasts_days)
    return entries, day


def _primary_history(
    rng: random.Random, say: _Say, primary: _Primary, first: dt.date, metastasis: dt.date
) -> list[dict[str, str]]:
    surgery = first + dt.timedelta(days=rng.randint(14, 42))
    systemic = metastasis + dt.timedelta(days=rng.randint(0, 5))
    resection = rng.choices(("R0", "R1"), (85, 15))[0]
    return [
        {"date": _iso(surgery), "kind": "surgery", "description": say(primary.surgery, resection)},
        {"date": _iso(systemic), "kind": "systemic", "description": say(primary.systemic)},
    ]


def _courses(
    rng: random.Random, say: _Say, plan: tuple[_Course, ...], start: dt.date
) -> list[dict[str, Any]]:
    courses: list[dict[str, Any]] = []
    for course in plan:
        fractions = rng.choice(course.fractions)
        pause = rng.randint(1, 3) if rng.random() < 0.15 and fractions >= 10 else 0
        days = (fractions - 1) * (2 if course.every_other_day else 1) + pause
        end = _add_weekdays(start, days)
        entry: dict[str, Any] = {
            "target": say(course.target),
            "technique": say(_TECH[rng.choice(course.techniques)]),
            "dose_per_fraction_gy": course.dose_per_fraction,
            "fractions": fractions,
            "total_dose_gy": round(course.dose_per_fraction * fractions, 2),
            "start_date": _iso(start),
            "end_date": _iso(end),
        }
        drug = rng.choice(course.concurrent) if course.concurrent else ""
        if drug:
            entry["concurrent_therapy"] = say(_DRUG[drug])
        courses.append(entry)
        start = _add_weekdays(end, 1)
    return courses


def _further_courses(
    seed: int,
    index: int,
    say_side: tuple[_Say, str],
    site: _Site,
    plan: tuple[_Course, ...],
    last_end: str,
) -> list[dict[str, Any]]:
    """Courses beyond the site's usual plan, so that how many courses a case has is not tied to
    its site: a sequential boost (or two) after a curative plan, a second lesion treated after a
    palliative one. Drawn from a series of their own: the rest of the case stays as it was."""
    rng = random.Random(f"letterdesk-synthetic-courses:{seed}:{index}")
    say, side = say_side
    if site.primaries:  # metastases: another lesion of the same kind, where there is one
        others = [lesion for lesion in site.lesions if _pick(lesion, say.language) != say.lesion]
        named = [p[0] for p in site.plans if "{lesion}" in p[0].target]  # not "whole brain"
        if not others or not named or rng.random() >= 0.25:
            return []
        plan, say = (rng.choice(named),), _Say(say.language, side, rng.choice(others))
    else:
        room = 3 - len(plan)
        wanted = 0 if rng.random() >= 0.2 else (2 if rng.random() < 0.3 else 1)
        if min(room, wanted) <= 0:
            return []
        german, _, english = plan[0].target.partition("|")
        plan = tuple(
            _Course(
                f"Boost {n}: {german}|Boost {n}: {english or german}" if wanted > 1
                else f"Boost: {german}|Boost: {english or german}",
                rng.choice((2.0, 2.0, 2.5, 3.0)),
                (rng.choice((3, 4, 5, 6, 8)),),
                plan[-1].techniques,
            )
            for n in range(1, min(room, wanted) + 1)
        )  # fmt: skip
    start = _add_weekdays(dt.date.fromisoformat(last_end), rng.choice((1, 1, 5, 10)))
    return _courses(rng, say, plan, start)


def _toxicities(
    rng: random.Random, say: _Say, site: _Site, letter_type: str
) -> list[dict[str, Any]]:
    pool = (site.late if letter_type == "follow_up" else site.acute).split()
    terms = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
    grades, weights = _GRADES[letter_type]
    return [
        {"term": say(_TOX[term]), "ctcae_grade": rng.choices(grades, weights)[0]} for term in terms
    ]


def _performance_status(rng: random.Random, site: _Site) -> dict[str, Any]:
    ecog = rng.choices((0, 1, 2, 3), (40, 40, 15, 5))[0]
    if site.primaries:
        ecog = min(3, ecog + 1)
    if site.kps:
        return {"scale": "KPS", "value": (90, 70, 50, 30)[ecog] + 10 * rng.randint(0, 1)}
    return {"scale": "ECOG", "value": ecog}


def _follow_up(
    rng: random.Random, say: _Say, site: _Site, end: dt.date, letter_type: str
) -> tuple[list[dict[str, str]], dt.date]:
    """The follow-up schedule and the day of the visit a follow-up letter reports on."""
    first = _weekday_from(end + dt.timedelta(days=rng.randint(42, 56)))
    visit = first + rng.randint(0, 3) * _QUARTER
    count = rng.randint(2, 3)
    if letter_type == "follow_up":
        days = [visit + n * _QUARTER for n in range(1, count + 1)]
    else:
        days = [first + n * _QUARTER for n in range(count)]
    lead = _pick("Nachsorge mit|Follow-up with", say.language)
    entries = [
        {"date": _iso(day), "description": f"{lead} {say(site.follow_exam)}"} for day in days
    ]
    if days[0] == first:
        entries[0]["description"] = say(
            "Erste Nachsorge mit klinischer Untersuchung|"
            "First follow-up visit with clinical examination"
        )
    return entries, visit


def _findings(rng: random.Random, say: _Say, site: _Site, letter_type: str, visit: dt.date) -> str:
    if letter_type == "initial_consultation":
        return say(rng.choice(site.initial_findings))
    if letter_type == "final_report":
        return say(rng.choice(_FINAL_FINDINGS))
    when = notation.format_date(_iso(visit), say.language)
    lead = _pick("Vorstellung am|Seen on", say.language)
    return f"{lead} {when}: {say(rng.choice(site.follow_findings))}"


def _recommendations(
    rng: random.Random, say: _Say, site: _Site, letter_type: str, chemotherapy: bool
) -> list[str]:
    if letter_type == "initial_consultation":
        chosen = rng.sample(_INITIAL_ADVICE, 2) + ([_CHEMO_ADVICE] if chemotherapy else [])
    else:
        chosen = rng.sample(site.advice, min(2, len(site.advice))) + [rng.choice(_GENERIC_ADVICE)]
    return [say(text) for text in chosen]


def _draw_sex(rng: random.Random, site: _Site, primary: _Primary | None) -> str:
    return rng.choices(_SEXES, primary.sexes if primary else site.sexes)[0]


def generate_case(
    seed: int, index: int, *, language: str | None = None, letter_type: str | None = None
) -> dict[str, Any]:
    """The synthetic case number ``index`` of the series ``seed``.

    Deterministic for ``(seed, index, language, letter_type)`` in every process. ``language``
    (``de``/``en``) and ``letter_type`` are drawn (50/50; 60/20/20) when not given.
    """
    rng = random.Random(f"letterdesk-synthetic:{seed}:{index}")
    drawn_language = rng.choice(notation.LANGUAGES)
    drawn_type = rng.choices(LETTER_TYPES, _LETTER_TYPE_WEIGHTS)[0]
    language = notation.check_language(language or drawn_language)
    letter_type = letter_type or drawn_type
    if letter_type not in LETTER_TYPES:
        raise ValueError(f"unknown letter type {letter_type!r}; use one of {LETTER_TYPES}")
    site = rng.choices(_SITES, [s.weight for s in _SITES])[0]
    primary = rng.choice(site.primaries) if site.primaries else None
    sex, side = _draw_sex(rng, site, primary), rng.choice(("left", "right"))
    say = _Say(language, side, rng.choice(site.lesions))
    diagnosed = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
    first_diagnosed = diagnosed - dt.timedelta(days=rng.randint(400, 2200))
    history = _primary_history(rng, say, primary, first_diagnosed, diagnosed) if primary else []
    later_history, last = _history(rng, say, site.history, diagnosed)
    history = sorted(history + later_history, key=lambda entry: entry["date"])
    start = _weekday_from(max(last, diagnosed) + dt.timedelta(days=rng.randint(14, 35)))
    plan = rng.choice(site.plans)
    courses = _courses(rng, say, plan, start)
    courses += _further_courses(seed, index, (say, side), site, plan, courses[-1]["end_date"])
    end = dt.date.fromisoformat(courses[-1]["end_date"])
    follow_up, visit = _follow_up(rng, say, site, end, letter_type)
    case: dict[str, Any] = {
        "schema_version": 1,
        "synthetic": True,
        "case_id": f"SYN-{seed}-{index:06d}",
        "letter_type": letter_type,
        "language": language,
        "patient": _patient(rng, sex, seed, index),
        "recipient": _recipient(rng, language, site),
        "author": _author(rng, language),
        "diagnoses": _diagnoses(rng, say, site, primary, side, (diagnosed, first_diagnosed)),
        "history": history,
        "radiotherapy": courses,
        "toxicities": _toxicities(rng, say, site, letter_type),
        "performance_status": _performance_status(rng, site),
        "findings": _findings(rng, say, site, letter_type, visit),
        "follow_up": follow_up,
        "recommendations": _recommendations(
            rng, say, site, letter_type, any("concurrent_therapy" in c for c in courses)
        ),
    }
    if rng.random() < 0.3:
        case["notes"] = say(rng.choice(_NOTES))
    return case


def generate_cases(
    n: int,
    seed: int = 0,
    *,
    language: str | None = None,
    letter_type: str | None = None,
    start: int = 0,
) -> list[dict[str, Any]]:
    """Cases ``start`` to ``start + n - 1`` of the series ``seed`` (see :func:`generate_case`)."""
    return [
        generate_case(seed, index, language=language, letter_type=letter_type)
        for index in range(start, start + n)
    ]
