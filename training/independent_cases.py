"""Independent evaluation cases: a second case writer, apart from LetterDesk's own generator.

Scores measured on cases from :mod:`letterdesk.core.synthetic.generator` flatter a model trained
on that generator's output, because the evaluation then shares its phrasing and structure. This
module was written independently of the generator (none of its vocabulary, tables or logic is
imported or copied) from the domain primer alone: other wording of diagnoses, targets,
techniques, findings and advice, code-switched free text (an English term in a German case and
the other way round), odd and multi-course schedules, re-irradiations, benign indications,
Unicode names and optional fields left out in varied combinations. Its words and schedules are
data, in ``independent_cases.json`` (read by :mod:`training.independent_tables`).

Every case is invented, valid against ``resources/case.schema.json``, carries
``"synthetic": true`` and an ID starting ``IND-``; the same ``(seed, index)`` always gives the
same case.

These cases are for evaluation only. Never use them for training, fine-tuning, prompt tuning or
choosing hyper-parameters: once they have shaped the model, they stop measuring it.

Run: .venv/bin/python -m training.independent_cases --n 200 --seed 0 --out cases.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.files import write_text_atomically
from training.independent_tables import TABLES, Diagnosis, Plan, Site, Words


def _say(pair: Words, language: str) -> str:
    return pair[0] if language == "de" else pair[1]


def _switch(rng: random.Random, text: str, language: str, chance: float) -> str:
    """Now and then swap one term for the other language's word, as busy colleagues do."""
    if rng.random() >= chance:
        return text
    usable = [p for p in TABLES.switch[language] if re.search(rf"\b{re.escape(p[0])}\b", text)]
    if not usable:
        return text
    old, new = rng.choice(usable)
    return re.sub(rf"\b{re.escape(old)}\b", new, text)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _after_weekdays(day: dt.date, count: int) -> dt.date:
    """The weekday ``count`` weekdays after ``day`` (five fractions a week)."""
    while count:
        day += dt.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _number(value: float, language: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "de" else text


def _fill(rng: random.Random, language: str, dx: Diagnosis) -> dict[str, str]:
    """The values for a case's placeholders: side, place and numbers."""
    side = rng.choice(("left", "right"))
    words = {"de": {"left": ("links", "li."), "right": ("rechts", "re.")},
             "en": {"left": ("left", "L"), "right": ("right", "R")}}[language][side]  # fmt: skip
    fill = {"side": words[0], "s": words[1], "laterality": side}
    fill["place"] = _say(rng.choice(dx.places), language).format_map(fill)
    kg0 = rng.randint(48, 108)
    fill.update(
        mm=str(rng.randint(5, 28)),
        psa=_number(rng.uniform(3.5, 18.0), language),
        psa_low=_number(rng.uniform(0.05, 0.9), language),
        kg0=str(kg0),
        kg=str(kg0 - rng.randint(0, 5)),
    )
    return fill


def _first_start(rng: random.Random, letter_type: str, reirradiation: bool) -> dt.date:
    """The first course's first day, so that every date of the case falls in 2018–2027."""
    first = dt.date(2021, 1, 1) if reirradiation else dt.date(2018, 6, 1)
    last = {
        "initial_consultation": dt.date(2027, 9, 30),
        "final_report": dt.date(2027, 3, 31),
        "follow_up": dt.date(2025, 6, 30),
    }[letter_type]
    return _weekday(_day_between(rng, first, last))


def _courses(
    rng: random.Random, language: str, plan: Plan, start: dt.date, fill: dict[str, str]
) -> list[dict[str, Any]]:
    """The radiotherapy block: sequential courses follow on, simultaneous ones start together."""
    courses: list[dict[str, Any]] = []
    for course in plan.courses:
        if courses and not course.simultaneous:
            start = _weekday(_end(courses[-1]) + dt.timedelta(days=1 + rng.choice((0, 0, 2, 7))))
        elif courses:
            start = dt.date.fromisoformat(courses[-1]["start_date"])
        entry: dict[str, Any] = {
            "target": _switch(rng, _say(course.target, language).format_map(fill), language, 0.2),
            "technique": rng.choice(TABLES.techniques[course.technique][language == "en"]),
            "dose_per_fraction_gy": course.dose_per_fraction,
            "fractions": course.fractions,
            "total_dose_gy": round(course.dose_per_fraction * course.fractions, 2),
            "start_date": start.isoformat(),
            "end_date": _after_weekdays(start, course.fractions - 1).isoformat(),
        }
        if course.concurrent:
            entry["concurrent_therapy"] = _say(course.concurrent, language)
        courses.append(entry)
    return courses


def _end(course: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(course["end_date"])


@dataclass(frozen=True)
class _Timeline:
    """The case's key dates, fixed before any text is written."""

    diagnosis: dt.date
    history_until: dt.date  # history entries fall between diagnosis and this day
    visit: dt.date  # consultation, last treatment day or follow-up visit
    prior: dt.date | None  # the earlier radiotherapy of a re-irradiation


def _timeline(
    rng: random.Random, letter_type: str, plan: Plan, start: dt.date, last_end: dt.date
) -> tuple[_Timeline, int]:
    """Dates around the courses, and the months from the end of treatment to the visit."""
    months = 0
    if letter_type == "initial_consultation":
        visit = _weekday(start - dt.timedelta(days=rng.randint(7, 21)))
        diagnosis = visit - dt.timedelta(days=rng.randint(10, 90))
    else:
        diagnosis = start - dt.timedelta(days=rng.randint(21, 150))
        visit = last_end
        if letter_type == "follow_up":
            months = rng.randint(2, 18)
            visit = _weekday(last_end + dt.timedelta(days=round(months * 30.44)))
    prior = None
    if plan.prior:
        prior = start - dt.timedelta(days=rng.randint(9 * 30, 30 * 30))
        diagnosis = prior - dt.timedelta(days=rng.randint(20, 120))
    until = prior or (visit if letter_type == "initial_consultation" else start)
    return _Timeline(diagnosis, until - dt.timedelta(days=3), visit, prior), months


def _main_diagnosis(
    rng: random.Random, language: str, dx: Diagnosis, fill: dict[str, str], when: dt.date
) -> dict[str, Any]:
    text = _say(dx.text, language).format_map(fill)
    entry: dict[str, Any] = {"text": text[:1].upper() + text[1:], "icd10": dx.icd}
    if rng.random() < 0.85:
        entry["date"] = when.isoformat()
    if dx.histology and rng.random() < 0.85:
        entry["histology"] = _switch(rng, _say(rng.choice(dx.histology), language), language, 0.1)
    if dx.grading and rng.random() < 0.8:
        entry["grading"] = _say(rng.choice(dx.grading), language)
    if dx.staging and rng.random() < 0.85:
        tnm, stage = rng.choice(dx.staging)
        entry["tnm"] = tnm
        if stage and rng.random() < 0.75:
            entry["uicc_stage"] = stage
    if dx.lateral and rng.random() < 0.9:
        entry["laterality"] = fill["laterality"]
    elif not dx.lateral and rng.random() < 0.6:
        entry["laterality"] = _side_named(text)
    return entry


def _side_named(text: str) -> str:
    """The side a text names (a brain metastasis "präzentral links"), else ``none``."""
    for side, words in (("left", "links|left"), ("right", "rechts|right")):
        if re.search(rf"\b({words})\b", text):
            return side
    return "none"


def _diagnoses(
    rng: random.Random, language: str, site: Site, dx: Diagnosis, sex: str, fill: dict[str, str],
    when: dt.date,
) -> list[dict[str, Any]]:  # fmt: skip
    """The treated diagnosis, for metastases the primary tumour, now and then a comorbidity."""
    diagnoses = [_main_diagnosis(rng, language, dx, fill, when)]
    primaries = [p for p in site.primaries if p[2] in (None, sex)]
    if primaries:
        icd, text, _ = rng.choice(primaries)
        primary = {"text": _say(text, language), "icd10": icd}
        diagnoses.insert(rng.randint(0, 1), primary)
    if rng.random() < 0.25:
        icd, text = rng.choice(TABLES.comorbidities)
        diagnoses.append({"text": _say(text, language), "icd10": icd, "laterality": "none"})
    return diagnoses


def _history(
    rng: random.Random, language: str, site: Site, dx: Diagnosis, plan: Plan, fill: dict[str, str],
    timeline: _Timeline,
) -> list[dict[str, Any]]:  # fmt: skip
    """Earlier steps in order; a re-irradiation always names the earlier radiotherapy."""
    steps = list(dx.history or site.history)
    if steps and rng.random() < 0.15 and not plan.prior:
        return []
    chosen = sorted(rng.sample(range(len(steps)), rng.randint(1, len(steps)))) if steps else []
    span = max(0, (timeline.history_until - timeline.diagnosis).days)
    days = sorted(rng.randint(0, span) for _ in chosen)
    history: list[dict[str, Any]] = []
    for index, offset in zip(chosen, days, strict=True):
        kind, text = steps[index]
        entry: dict[str, Any] = {"kind": kind}
        if rng.random() < 0.9:
            entry["date"] = (timeline.diagnosis + dt.timedelta(days=offset)).isoformat()
        entry["description"] = _switch(rng, _say(text, language).format_map(fill), language, 0.1)
        history.append(entry)
    if plan.prior and timeline.prior:
        earlier = _say(plan.prior, language)
        history.append(
            {"date": timeline.prior.isoformat(), "kind": "radiotherapy", "description": earlier}
        )
    return history


def _toxicities(
    rng: random.Random, language: str, site: Site, letter_type: str
) -> list[dict[str, Any]] | None:
    """Acute effects at the end, late effects at follow-up, a baseline before treatment."""
    pool: tuple[Words, ...]
    grades: tuple[int, ...]
    weights: tuple[int, ...]
    if letter_type == "final_report":
        present, pool, grades, weights = 0.9, site.toxicities, (0, 1, 2, 3), (10, 50, 30, 10)
    elif letter_type == "follow_up":
        present, pool, grades, weights = 0.65, site.late_effects, (0, 1, 2, 3), (30, 45, 20, 5)
    else:
        present, pool, grades, weights = 0.35, TABLES.baseline_toxicities, (0, 1, 2), (40, 45, 15)
    if rng.random() >= present:
        return None
    terms = rng.sample(pool, rng.randint(1, min(4, len(pool))))
    other = "en" if language == "de" else "de"
    # German letters often keep the English CTCAE term; English ones rarely borrow German.
    borrow = 0.3 if language == "de" else 0.1
    return [
        {
            "term": _say(term, other if rng.random() < borrow else language),
            "ctcae_grade": rng.choices(grades, weights)[0],
        }
        for term in terms
    ]


def _performance_status(rng: random.Random) -> dict[str, Any] | None:
    if rng.random() < 0.2:
        return None
    if rng.random() < 0.55:
        return {"scale": "ECOG", "value": rng.choices((0, 1, 2), (5, 4, 1))[0]}
    return {"scale": "KPS", "value": rng.choices((100, 90, 80, 70, 60), (2, 4, 3, 2, 1))[0]}


def _follow_up(
    rng: random.Random, language: str, site: Site, letter_type: str, timeline: _Timeline,
    start: dt.date,
) -> list[dict[str, Any]] | None:  # fmt: skip
    """Next dates: the planning CT before treatment, later visits after it."""
    if rng.random() < 0.15:
        return None
    visit = timeline.visit
    if letter_type == "initial_consultation":
        gap = max(1, (start - visit).days - 1)
        day = _weekday(visit + dt.timedelta(days=rng.randint(1, gap)))
        return [
            {
                "date": min(day, start).isoformat(),
                "description": _say(rng.choice(TABLES.planning), language),
            }
        ]
    if letter_type == "follow_up":
        day = _weekday(visit + dt.timedelta(days=rng.choice((91, 182))))
        return [{"date": day.isoformat(), "description": _say(site.follow_up, language)}]
    first = _weekday(visit + dt.timedelta(days=rng.randint(42, 56)))
    visits = [
        {"date": first.isoformat(), "description": _say(rng.choice(TABLES.first_visit), language)}
    ]
    if rng.random() < 0.6:
        later = _weekday(first + dt.timedelta(days=91))
        visits.append({"date": later.isoformat(), "description": _say(site.follow_up, language)})
    if rng.random() < 0.15:
        visits.append(
            {"description": _say(("bei Beschwerden früher", "sooner if needed"), language)}
        )
    return visits


def _findings(
    rng: random.Random, language: str, site: Site, letter_type: str, fill: dict[str, str]
) -> str | None:
    """Free-text findings, written as prose, a list with semicolons or separate lines."""
    if rng.random() < 0.08:
        return None
    general = TABLES.general_findings[letter_type]
    if letter_type == "initial_consultation":
        parts = [site.findings[0], *rng.sample(general, rng.randint(0, 2))]
    elif letter_type == "follow_up":
        parts = [rng.choice(general), site.findings[1]]
    else:
        parts = rng.sample(general, rng.randint(1, 2))
    if rng.random() < 0.3:
        rng.shuffle(parts)
    texts = [_say(part, language).format_map(fill) for part in parts]
    text = rng.choice((" ", "\n", " – ")).join(texts)
    return _switch(rng, text, language, 0.25)


def _recommendations(
    rng: random.Random, language: str, site: Site, letter_type: str, fill: dict[str, str]
) -> list[str] | None:
    if rng.random() < 0.15:
        return None
    advice = site.advice[1:] if letter_type == "follow_up" else site.advice
    general = TABLES.general_advice[:1] if letter_type == "follow_up" else TABLES.general_advice
    chosen = rng.sample(advice, rng.randint(1, len(advice)))
    chosen += rng.sample(general, rng.randint(0, min(2, len(general))))
    return [_switch(rng, _say(a, language).format_map(fill), language, 0.15) for a in chosen]


def _recipient(rng: random.Random, language: str) -> dict[str, Any] | None:
    """A referring physician: with or without title, salutation, first name and address."""
    if rng.random() < 0.15:
        return None
    sex = rng.choices(("female", "male", "other"), (45, 45, 10))[0]
    recipient: dict[str, Any] = {}
    if sex in TABLES.salutations[language] and rng.random() < 0.8:
        recipient["salutation"] = TABLES.salutations[language][sex]
    if rng.random() < 0.7:
        recipient["title"] = rng.choice(TABLES.titles[language])
    if rng.random() < 0.6:
        recipient["given_name"] = rng.choice(TABLES.given_names[sex])
    recipient["family_name"] = rng.choice(TABLES.family_names)
    if rng.random() < 0.75:
        institution, street, postal_code, city = rng.choice(TABLES.practices[language])
        recipient["institution"] = institution
        if rng.random() < 0.8:
            recipient.update(street=street, postal_code=postal_code, city=city)
    return recipient


def _author(rng: random.Random, language: str) -> dict[str, str] | None:
    if rng.random() < 0.3:
        return None
    sex = rng.choice(("female", "male"))
    title = rng.choice(("Dr. med. ", "Prof. Dr. ", "") if language == "de" else ("Dr ", ""))
    author = {
        "name": f"{title}{rng.choice(TABLES.given_names[sex])} {rng.choice(TABLES.family_names)}"
    }
    if rng.random() < 0.8:
        author["role"] = rng.choice(TABLES.author_roles[language][sex])
    return author


def _patient(rng: random.Random, seed: int, index: int, sex: str, start: dt.date) -> dict[str, Any]:
    age_days = rng.randint(28 * 365, 90 * 365)
    return {
        "patient_id": f"IND-PAT-{seed}-{index:05d}",
        "given_name": rng.choice(TABLES.given_names.get(sex, TABLES.given_names["other"])),
        "family_name": rng.choice(TABLES.family_names),
        "sex": sex,
        "birth_date": (start - dt.timedelta(days=age_days)).isoformat(),
    }


def independent_case(seed: int, index: int) -> dict[str, Any]:
    """Case ``index`` of the independent series ``seed``; the same arguments, the same case."""
    rng = random.Random(f"letterdesk-independent-case:{seed}:{index}")
    language = rng.choice(("de", "en"))
    letter_type = rng.choices(("final_report", "initial_consultation", "follow_up"), (5, 3, 3))[0]
    site = rng.choice(TABLES.sites)
    dx = rng.choice(site.diagnoses)
    plan = site.plans[rng.choice(dx.plans)] if dx.plans else rng.choice(site.plans)
    sex = site.sex or rng.choices(("female", "male", "diverse", "unknown"), (47, 47, 3, 3))[0]
    fill = _fill(rng, language, dx)
    start = _first_start(rng, letter_type, plan.prior is not None)
    courses = _courses(rng, language, plan, start, fill)
    timeline, months = _timeline(rng, letter_type, plan, start, max(map(_end, courses)))
    fill.update(months=str(months), visit_no=str(1 + months // 3))
    case: dict[str, Any] = {
        "schema_version": 1,
        "synthetic": True,
        "case_id": f"IND-{seed}-{index:05d}",
        "letter_type": letter_type,
        "language": language,
        "patient": _patient(rng, seed, index, sex, start),
    }
    optional: dict[str, Any] = {
        "recipient": _recipient(rng, language),
        "author": _author(rng, language),
        "diagnoses": _diagnoses(rng, language, site, dx, sex, fill, timeline.diagnosis),
        "history": _history(rng, language, site, dx, plan, fill, timeline) or None,
        "radiotherapy": courses,
        "toxicities": _toxicities(rng, language, site, letter_type),
        "performance_status": _performance_status(rng),
        "findings": _findings(rng, language, site, letter_type, fill),
        "follow_up": _follow_up(rng, language, site, letter_type, timeline, start),
        "recommendations": _recommendations(rng, language, site, letter_type, fill),
        "notes": _say(rng.choice(TABLES.notes), language) if rng.random() < 0.15 else None,
    }
    case.update((key, value) for key, value in optional.items() if value is not None)
    return case


def independent_cases(n: int = 200, seed: int = 0) -> list[dict[str, Any]]:
    """Cases 0 to ``n - 1`` of the independent series ``seed``, for evaluation only."""
    return [independent_case(seed, index) for index in range(n)]


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200, help="number of cases")
    parser.add_argument("--seed", type=int, default=0, help="series; the same seed, the same cases")
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("--n must not be negative")
    cases = independent_cases(args.n, args.seed)
    lines = "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)
    write_text_atomically(args.out, lines, mode=0o644)  # synthetic, so readable by all
    print(f"wrote {len(cases)} independent evaluation cases to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(cli())
