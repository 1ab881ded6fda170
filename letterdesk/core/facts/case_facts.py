"""The facts a case states, for checking a letter against it.

Each :class:`CaseFact` is one value of the case's fields (a dose, a date, a code…) with its JSON
path, its role, the course it belongs to and how a letter writes it; key facts come first, in
letter order. Beside them, the words the case writes next to its sides (``Femur links``) and its
dates (``12.06.2020: MRT der Mammae``), and the ways it names its people, so that
:mod:`letterdesk.core.facts.grounding` can tell which side or date a letter's words refer to.
Also every string of a case with its JSON path (:func:`free_texts`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from letterdesk.core.facts.extract import MONTHS_DE, MONTHS_EN, Fact, extract, normalise_tnm
from letterdesk.core.foundation import notation

_FOLLOW_UP_LETTERS = ("final_report", "follow_up")


@dataclass(frozen=True)
class CaseFact:
    """One value the case states, where it stands, and how a letter writes it."""

    kind: str
    value: str
    path: str
    """JSON path of the field, e.g. ``$.radiotherapy[0].total_dose_gy``."""
    role: str = ""
    course: int = -1
    """Index of the radiotherapy course (or free-text schedule) it belongs to; -1 for none."""
    expected: str = ""
    """The value in the letter's notation (``40,05 Gy``); empty for support-only facts."""
    name: str = ""
    """The key-fact name (``course_1_total_dose``) or another name for the fact."""
    key: bool = False
    """A key fact (:func:`letterdesk.core.facts.key_facts.key_facts`): counted in recall."""
    listed: bool = False
    """Listed as omitted when the letter does not state it (every key fact is)."""
    term: str = ""
    """For CTCAE grades: the side effect's term."""


def structured_facts(case: Mapping[str, Any], language: str) -> list[CaseFact]:
    """The facts of the case's fields: key facts first, in letter order, then the others.

    The one derivation of which fields a case states and how a letter writes them:
    :func:`letterdesk.core.facts.key_facts.key_facts` are its key facts."""
    lt = str(case.get("letter_type"))

    def date(name: str, iso: str, path: str, key: bool = False, role: str = "") -> CaseFact:
        written = notation.format_date(iso, language)
        return CaseFact("date", iso, path, role, expected=written, name=name, key=key, listed=key)

    p = case["patient"]
    full = notation.full_name(p["given_name"], p["family_name"])
    facts = [
        CaseFact(
            "name",
            full.casefold(),
            "$.patient.family_name",
            expected=full,
            name="patient_name",
            key=True,
            listed=True,
        ),
        date("birth_date", p["birth_date"], "$.patient.birth_date", key=True, role="birth"),
    ]
    for i, d in enumerate(case.get("diagnoses") or []):
        facts += _diagnosis_facts(i, d, language)
        if d.get("date"):
            name, path = f"diagnosis_{i + 1}_date", f"$.diagnoses[{i}].date"
            facts.append(date(name, d["date"], path, role="diagnosis"))
    for i, h in enumerate(case.get("history") or []):
        if h.get("date"):
            facts.append(date(f"history_{i + 1}_date", h["date"], f"$.history[{i}].date"))
    courses = case.get("radiotherapy") or []
    for i, course in enumerate(courses):
        facts += _course_facts(i, course, language)
        for key in ("start_date", "end_date"):
            name = f"course_{i + 1}_{key}"
            path, role = f"$.radiotherapy[{i}].{key}", key.removesuffix("_date")
            facts.append(date(name, course[key], path, key=True, role=role))
    if len(courses) > 1:  # "kumulativ 56 Gy": a boost adds to the total
        total = _gy(sum(float(c["total_dose_gy"]) for c in courses))
        facts.append(
            CaseFact(
                "dose",
                total,
                "$.radiotherapy",
                "total",
                expected=notation.format_gy(float(total), language),
            )
        )
    for i, t in enumerate(case.get("toxicities") or []):
        grade = int(t["ctcae_grade"])
        written = f"{t['term']} {notation.format_ctcae_grade(grade, language)}"
        listed = lt in _FOLLOW_UP_LETTERS and grade > 0  # a consultation's are grade 0
        facts.append(
            CaseFact(
                "ctcae_grade",
                str(grade),
                f"$.toxicities[{i}].ctcae_grade",
                expected=written,
                name=f"toxicity_{i + 1}_grade",
                listed=listed,
                term=str(t["term"]),
            )
        )
    for i, visit in enumerate(case.get("follow_up") or []):
        if visit.get("date"):
            scheduled = lt in _FOLLOW_UP_LETTERS  # a key fact of letters after treatment
            facts.append(
                date(f"follow_up_{i + 1}_date", visit["date"], f"$.follow_up[{i}].date", scheduled)
            )
    return facts


def _gy(value: float) -> str:
    return f"{round(float(value), 2):g}"


def _diagnosis_facts(i: int, d: Mapping[str, Any], language: str) -> list[CaseFact]:
    where, n = f"$.diagnoses[{i}]", i + 1
    facts = [
        CaseFact(
            "icd10",
            str(d["icd10"]),
            f"{where}.icd10",
            expected=str(d["icd10"]),
            name=f"diagnosis_{n}_icd10",
            key=True,
            listed=True,
        )
    ]
    side = d.get("laterality") or "none"
    if side != "none":
        written = notation.format_laterality(side, language)
        facts.append(
            CaseFact(
                "laterality",
                side,
                f"{where}.laterality",
                expected=written,
                name=f"diagnosis_{n}_side",
                listed=True,
            )
        )
    if d.get("tnm"):
        facts.append(
            CaseFact(
                "tnm",
                normalise_tnm(d["tnm"]),
                f"{where}.tnm",
                expected=d["tnm"],
                name=f"diagnosis_{n}_tnm",
                listed=True,
            )
        )
    if d.get("uicc_stage"):
        stage = str(d["uicc_stage"])
        facts.append(
            CaseFact(
                "uicc_stage",
                stage,
                f"{where}.uicc_stage",
                expected=f"UICC {stage}",
                name=f"diagnosis_{n}_uicc_stage",
                listed=True,
            )
        )
    return facts


_COURSE_DOSES = (
    ("total_dose_gy", "total", "total_dose"),
    ("dose_per_fraction_gy", "per_fraction", "dose_per_fraction"),
)
"""A course's doses: field, role and key-fact name."""


def _course_facts(i: int, course: Mapping[str, Any], language: str) -> list[CaseFact]:
    where, n = f"$.radiotherapy[{i}]", i + 1
    facts = []
    for field_name, role, name in _COURSE_DOSES:
        value = float(course[field_name])
        facts.append(
            CaseFact(
                "dose",
                _gy(value),
                f"{where}.{field_name}",
                role,
                i,
                notation.format_gy(value, language),
                f"course_{n}_{name}",
                key=True,
                listed=True,
            )
        )
    facts.append(
        CaseFact(
            "fractions",
            str(int(course["fractions"])),
            f"{where}.fractions",
            course=i,
            expected=str(course["fractions"]),
            name=f"course_{n}_fractions",
            key=True,
            listed=True,
        )
    )
    for drug in extract(str(course.get("concurrent_therapy") or "")):
        if drug.kind == "drug":
            facts.append(
                CaseFact(
                    "drug",
                    drug.value,
                    f"{where}.concurrent_therapy",
                    course=i,
                    expected=drug.text,
                    name=f"course_{n}_drug",
                    listed=True,
                )
            )
    return facts


def course_schedules(facts: list[CaseFact]) -> list[dict[str, CaseFact]]:
    """Each radiotherapy course's schedule: its doses and fraction count by
    :func:`schedule_slot`, in course order."""
    schedules: dict[int, dict[str, CaseFact]] = {}
    for fact in facts:
        if fact.course >= 0 and fact.kind in ("dose", "fractions"):
            schedules.setdefault(fact.course, {})[schedule_slot(fact)] = fact
    return [schedules[i] for i in sorted(schedules)]


def schedule_slot(fact: Fact | CaseFact) -> str:
    """The place of a dose or fraction count in a schedule: ``n`` fractions, ``t`` total dose,
    ``d`` dose per fraction, ``?`` a dose of no stated role."""
    if fact.kind == "fractions":
        return "n"
    return "t" if fact.role == "total" else "d" if fact.role == "per_fraction" else "?"


def name_forms(case: Mapping[str, Any]) -> set[str]:
    """Every way the case's people may be named after a title, case-folded."""
    forms: set[str] = set()
    people = [case.get("patient") or {}, case.get("recipient") or {}]
    for person in people:
        given, family = str(person.get("given_name", "")), str(person.get("family_name", ""))
        forms.update({family, f"{given} {family}", given})
    author = str((case.get("author") or {}).get("name", ""))
    words = [w for w in author.split() if w.rstrip(".") + "." not in _TITLE_WORDS]
    forms.update(" ".join(words[n:]) for n in range(len(words)))
    return {f.strip().casefold() for f in forms if f.strip()}


Told = tuple[str, str, list[Fact]]  # a string of the case: its path, text and facts
_CLAUSE = re.compile(r"[,;:\n]|\.\s")
_WORD = re.compile(r"[^\W\d_]{4,}")


def words_around(text: str, side: Fact) -> set[str]:
    """The words (of four letters or more) near a side word in its clause, case-folded."""
    clauses = _CLAUSE.split(text[max(0, side.start - 80) : side.start])
    after = _CLAUSE.split(text[side.end : side.end + 60])[0]
    before = _WORD.findall(clauses[-1])
    if not before and not _WORD.findall(after) and len(clauses) > 1:
        before = _WORD.findall(clauses[-2])  # "Lung cancer, right": the side of what precedes
    near = before[-3:] + _WORD.findall(after)[:2]
    return {w.casefold() for w in near if not _SIDE_WORD.fullmatch(w)}


def side_words(case: Mapping[str, Any], told: list[Told]) -> dict[str, set[str]]:
    """Which sides the case gives each word it writes next to a side (``femur`` → left)."""
    words: dict[str, set[str]] = {}
    for _, text, found in told:
        for side in found:
            if side.kind == "laterality":
                for word in words_around(text, side):
                    words.setdefault(word, set()).add(side.value)
    for d in case.get("diagnoses") or []:
        if (d.get("laterality") or "none") != "none":
            for word in _WORD.findall(str(d["text"])):
                words.setdefault(word.casefold(), set()).add(d["laterality"])
    return words


def words_of_line(text: str, date: Fact) -> set[str]:
    """The words of a date's line up to the dates before and after it, case-folded."""
    start = text.rfind("\n", 0, date.start) + 1
    end = text.find("\n", date.end)
    line = text[start : end if end >= 0 else len(text)]
    around = _DATE_LIKE.split(line)
    at = len(_DATE_LIKE.findall(text[start : date.start]))
    parts = around[at : at + 2]  # the text between the neighbouring dates and this one
    return {w.casefold() for part in parts for w in _WORD.findall(part)} - _DATE_WORDS


def date_words(case: Mapping[str, Any], told: list[Told]) -> dict[str, set[str]]:
    """Which dates the case gives the words written with them (``mammae`` → 2020-06-12):
    history, follow-up, diagnosis and course dates with their texts, and free-text dates."""
    words: dict[str, set[str]] = {}

    def add(text: str, iso: str) -> None:
        for word in _WORD.findall(text):
            words.setdefault(word.casefold(), set()).add(iso)

    for key, text_key in (("history", "description"), ("follow_up", "description"),
                          ("diagnoses", "text")):  # fmt: skip
        for entry in case.get(key) or []:
            if entry.get("date"):
                add(str(entry.get(text_key, "")), entry["date"])
    for course in case.get("radiotherapy") or []:
        for key in ("start_date", "end_date"):
            add(str(course.get("target", "")), course[key])
    for _, text, found in told:
        for fact in found:
            if fact.kind == "date":
                add(text, fact.value)
    for word in _DATE_WORDS:
        words.pop(word, None)
    return words


_DATE_LIKE = re.compile(r"\d{1,2}\.\s?(?:\d{1,2}\.|[^\W\d_]+\s)\d{4}|[^\W\d_]+\s\d{1,2},\s\d{4}")
# month names belong to the date, not to what it dates
_DATE_WORDS = frozenset(m.casefold() for m in (*MONTHS_EN, *MONTHS_DE))
_SIDE_WORD = re.compile(
    r"(?i)links|rechts|left|right|beidseits|bilateral|linke[nrms]?|rechte[nrms]?"
)
_TITLE_WORDS = frozenset("Dr. Prof. Professor. PD. med. univ. rer. nat.".split())


def free_texts(document: object, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every string in a case document with its JSON path, e.g. ``$.history[0].description``."""
    if isinstance(document, str):
        yield path, document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield from free_texts(value, f"{path}.{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from free_texts(value, f"{path}[{index}]")
