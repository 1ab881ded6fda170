"""Grounding: which facts of a letter its case supports, and which case facts the letter omits.

:func:`check` finds every fact in the letter (:mod:`letterdesk.core.facts.extract`) and looks for
its
support in the case:

- a dose, fraction count or date must be a value of the case; a written schedule
  (``30 x 2 Gy, Gesamtdosis 60 Gy``) must match one course as a whole; a dose the letter calls
  a total must be one, a date after ``geb.`` the birth date, ``vom … bis …`` a course's start
  and end; a date on a line with words the case writes with its dates must be one of those;
- a CTCAE grade must be the grade of the side effect named just before it;
- a side must be the one the case gives the words around it (``Femur links``), else one of
  the case's sides; a drug, code, stage or name must occur in the case.

Anything the case's free text states counts as support (an imaging history "beidseits", an
earlier course's dose). Each unsupported fact carries its position in the letter and, where the
case has a near candidate, what the case says instead and the JSON path of that field.
Omitted facts are the case's key facts (:mod:`letterdesk.core.facts.key_facts`) and its sides,
stages,
concurrent drugs and side-effect grades that the letter does not state in any notation. A gap
a fact slot left (the case holds no value for it) is an open flag too.

A check of a three-page letter takes a few milliseconds and touches no file or store, so an
editor can run it on every edit; :class:`Grounding` prepares a case once for that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.extract import (
    MONTHS_DE,
    MONTHS_EN,
    Fact,
    extract,
    free_texts,
    normalise_tnm,
)
from letterdesk.core.facts.key_facts import contains_fact
from letterdesk.core.facts.slots import GAP
from letterdesk.core.foundation import notation
from letterdesk.core.foundation.errors import LetterDeskError

if TYPE_CHECKING:  # the store is needed only to sign off; checking letters never touches it
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.letters import Letter

_FOLLOW_UP_LETTERS = ("final_report", "follow_up")
_NEAR_DAYS = 62  # a date this close to a case date is taken as a wrong copy of it


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


@dataclass(frozen=True)
class Unsupported:
    """A fact of the letter without support in the case."""

    fact: Fact
    instead: str | None = None
    """What the case says instead, in the letter's notation, if it has a near candidate."""
    case_path: str | None = None
    """JSON path of the case field that holds ``instead``."""

    @property
    def kind(self) -> str:
        """The fact's kind (``dose``, ``date``, ``laterality`` …)."""
        return self.fact.kind

    @property
    def text(self) -> str:
        """The fact as the letter writes it."""
        return self.fact.text

    @property
    def start(self) -> int:
        """Offset of the fact's first character in the letter."""
        return self.fact.start

    @property
    def end(self) -> int:
        """Offset just past the fact's last character."""
        return self.fact.end

    def message(self) -> str:
        """One sentence for the physician."""
        if self.kind == "gap":
            return "The case holds no value for this place in the letter: fill it in or remove it"
        said = f"; the case says {self.instead}" if self.instead else ""
        return f"{_KIND_WORDS[self.kind]} “{self.text}” is not in the case{said}"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return {
            "kind": self.kind,
            "text": self.text,
            "value": self.fact.value,
            "start": self.start,
            "end": self.end,
            "instead": self.instead,
            "case_path": self.case_path,
        }


@dataclass(frozen=True)
class Omitted:
    """A case fact the letter does not state."""

    kind: str
    name: str
    expected: str
    """The fact in the letter's notation (``24.01.2025``)."""
    path: str
    """JSON path of the case field, e.g. ``$.radiotherapy[0].end_date``."""
    key: bool

    def message(self) -> str:
        """One sentence for the physician."""
        return f"{_KIND_WORDS[self.kind]} {self.expected} from the case is not in the letter"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Findings:
    """The outcome of one check: unsupported letter facts, omitted case facts, all facts."""

    unsupported: tuple[Unsupported, ...]
    omitted: tuple[Omitted, ...]
    letter_facts: tuple[Fact, ...] = field(repr=False)
    text_sha256: str = ""
    """SHA-256 of the checked text, so a sign-off can tell the findings are current."""

    @property
    def flagged(self) -> bool:
        """True when there is anything to resolve or confirm."""
        return bool(self.unsupported or self.omitted)

    def to_dict(self) -> dict[str, Any]:
        """The findings as JSON-ready data (what ``letterdesk check --json`` writes)."""
        return {
            "unsupported": [u.to_dict() for u in self.unsupported],
            "omitted": [o.to_dict() for o in self.omitted],
            "facts": len(self.letter_facts),
            "text_sha256": self.text_sha256,
        }


_KIND_WORDS = {
    "dose": "Dose",
    "fractions": "Number of fractions",
    "date": "Date",
    "icd10": "ICD-10 code",
    "tnm": "TNM",
    "uicc_stage": "UICC stage",
    "laterality": "Side",
    "drug": "Drug",
    "ctcae_grade": "CTCAE grade",
    "name": "Name",
    "gap": "Missing value",
}


def _document(case: Case | Mapping[str, Any]) -> Mapping[str, Any]:
    return case.data if isinstance(case, Case) else case


def sha256(text: str) -> str:
    """The SHA-256 of a letter's text, as :attr:`Findings.text_sha256` records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the case, prepared ------------------------------------------------------------------------


class Grounding:
    """A case prepared for checking letters: build it once, then :meth:`check` every edit."""

    def __init__(self, case: Case | Mapping[str, Any]) -> None:
        self.case = _document(case)
        self.language = notation.check_language(str(self.case["language"]))
        self.facts: list[CaseFact] = _structured_facts(self.case, self.language)
        self.schedules: list[dict[str, CaseFact]] = _course_schedules(self.facts)
        told = [(path, text, list(extract(text))) for path, text in free_texts(self.case)]
        for path, _, found in told:
            self._add_free_text(path, found)
        self._by_value: dict[tuple[str, str], list[CaseFact]] = {}
        for fact in self.facts:
            self._by_value.setdefault((fact.kind, fact.value), []).append(fact)
        self.names = _name_forms(self.case)
        self.side_words = _side_words(self.case, told)
        self.date_words = _date_words(self.case, told)
        self.terms = [  # side effects, to bind a grade in the letter to its term
            (c.term.casefold(), c) for c in self.facts if c.kind == "ctcae_grade" and c.term
        ]

    def _add_free_text(self, path: str, found: list[Fact]) -> None:
        groups: dict[int, dict[str, CaseFact]] = {}
        for fact in found:
            if fact.kind == "name" and path.startswith("$.patient"):
                continue
            told = CaseFact(fact.kind, fact.value, path, fact.role)
            self.facts.append(told)
            if fact.group >= 0:
                groups.setdefault(fact.group, {})[_slot(fact)] = told
        self.schedules.extend(groups.values())  # an earlier course told in the history

    def check(self, letter: str) -> Findings:
        """The findings for ``letter`` (see the module's docstring)."""
        found = tuple(extract(letter))
        bound = {f: self._bound_term(letter, f) for f in found if f.kind == "ctcae_grade"}
        unsupported: list[Unsupported] = []
        for fact in found:
            if fact.group < 0:
                problem = self._lone(fact, bound.get(fact), letter)
                if problem is not None:
                    unsupported.append(problem)
        groups: dict[int, list[Fact]] = {}
        for fact in found:
            if fact.group >= 0:
                groups.setdefault(fact.group, []).append(fact)
        for group in groups.values():
            unsupported.extend(self._schedule(group, letter))
        unsupported.extend(_gaps(letter))
        unsupported.sort(key=lambda u: (u.start, u.end))
        omitted = tuple(o for o in self._listed() if not self._present(o, letter, found, bound))
        return Findings(
            tuple(unsupported), tuple(_as_omitted(o) for o in omitted), found, sha256(letter)
        )

    # --- support for one fact ------------------------------------------------------------

    def holds(self, kind: str, value: str) -> bool:
        """Whether the case holds this value in any field or role (a value the letter puts
        in the wrong role is held, but not supported there)."""
        return bool(self._by_value.get((kind, value)))

    def _supports(self, kind: str, value: str, role: str = "") -> list[CaseFact]:
        """The case's facts with this value; a role the letter gives must be the field's
        (a free-text value, which has no field, supports any role)."""
        return [
            c
            for c in self._by_value.get((kind, value), ())
            if not role or c.role == role or not (c.role or c.expected)
        ]

    def _lone(self, fact: Fact, term: CaseFact | None, letter: str) -> Unsupported | None:
        if fact.kind == "ctcae_grade" and term is not None:
            return None if term.value == fact.value else self._instead(fact, term)
        if fact.kind == "name":
            words = fact.value.casefold().split()
            forms = (" ".join(words[:n]) for n in range(len(words), 0, -1))
            return None if any(f in self.names for f in forms) else Unsupported(fact)
        if fact.kind == "laterality":
            return self._side(fact, letter)
        if fact.kind == "date" and not fact.role:
            return self._dated(fact, letter)
        if self._supports(fact.kind, fact.value, fact.role):
            return None
        return Unsupported(fact, *self._near(fact))

    def _side(self, fact: Fact, letter: str) -> Unsupported | None:
        """A side must be one the case gives the same thing ("Femur links"), or any side of
        the case when the letter's words around it do not occur with a side in the case."""
        said = set().union(*(self.side_words.get(w, ()) for w in _words_around(letter, fact)))
        if fact.value in (said or {c.value for c in self._by_kind("laterality")}):
            return None
        sides = {s for s in said if s != fact.value}
        if len(sides) == 1:
            written = notation.format_laterality(sides.pop(), self.language)
            path = next(
                (c.path for c in self._by_kind("laterality") if c.expected == written), None
            )
            return Unsupported(fact, written, path)
        return Unsupported(fact, *self._near(fact))

    def _dated(self, fact: Fact, letter: str) -> Unsupported | None:
        """A date next to words the case writes with dates ("- 12.06.2020: MRT der Mammae")
        must be one of the dates the case gives those words."""
        dated = set().union(*(self.date_words.get(w, ()) for w in _words_of_line(letter, fact)))
        if fact.value in dated or (not dated and self._supports("date", fact.value)):
            return None
        return Unsupported(fact, *self._near(fact, dated))

    def _by_kind(self, kind: str) -> list[CaseFact]:
        return [c for c in self.facts if c.kind == kind]

    def _schedule(self, group: list[Fact], letter: str) -> list[Unsupported]:
        """A written schedule: every value must come from one course (or one told schedule)."""

        def matches(schedule: dict[str, CaseFact]) -> int:
            return sum(1 for f in group if _slot_value(schedule, _slot(f)) == f.value)

        most = max(map(matches, self.schedules), default=0)
        if most == 0:
            return [u for f in group if (u := self._lone(f, None, letter)) is not None]
        best = [s for s in self.schedules if matches(s) == most]
        wrong: dict[Fact, Unsupported] = {}
        for schedule in best:  # when courses tie, what differs from either one is in doubt
            for f in group:
                if f not in wrong and _slot_value(schedule, _slot(f)) != f.value:
                    source = schedule.get(_slot(f))
                    wrong[f] = self._instead(f, source) if source else Unsupported(f)
        return list(wrong.values())

    def _instead(self, fact: Fact, source: CaseFact) -> Unsupported:
        return Unsupported(fact, source.expected or self._written(source), source.path)

    def _near(self, fact: Fact, dated: set[str] | None = None) -> tuple[str | None, str | None]:
        """What the case says instead of an unsupported fact, and where; (None, None) if unsure.
        ``dated``: the dates the case writes with the words around a date in the letter."""
        # a near candidate is a field of the case, never a value seen in its free text
        candidates = [c for c in self.facts if c.kind == fact.kind and c.expected]
        if fact.kind == "date":  # the same role (or the same words), and another value
            candidates = [
                c
                for c in candidates
                if c.value != fact.value
                and (not fact.role or c.role == fact.role)
                and (not dated or c.value in dated)
            ]
        if fact.kind == "dose":
            same = [c for c in candidates if not fact.role or c.role == fact.role] or candidates
            near = min(same, key=lambda c: abs(float(c.value) - float(fact.value)), default=None)
        elif fact.kind == "date":
            near = _nearest_date(fact.value, candidates)
        elif fact.kind == "icd10":
            near = next((c for c in candidates if c.value[:3] == fact.value[:3]), None)
        elif fact.kind in ("tnm", "uicc_stage", "laterality", "fractions"):
            near = candidates[0] if len({c.value for c in candidates}) == 1 else None
        else:
            near = None
        return (near.expected, near.path) if near is not None else (None, None)

    def _written(self, fact: CaseFact) -> str:
        if fact.kind == "dose":
            return notation.format_gy(float(fact.value), self.language)
        return fact.value

    def _bound_term(self, letter: str, grade: Fact) -> CaseFact | None:
        """The case's side effect named just before a grade in the letter, if any."""
        window = letter[max(0, grade.start - 160) : grade.start]
        window = window[max(window.rfind("\n"), window.rfind(";")) + 1 :].casefold()
        best, at = None, -1
        for term, fact in self.terms:
            where = window.rfind(term)
            if where > at:
                best, at = fact, where
        return best

    # --- omitted facts -------------------------------------------------------------------

    def _listed(self) -> list[CaseFact]:
        return [f for f in self.facts if f.listed]

    def _present(
        self,
        fact: CaseFact,
        letter: str,
        found: tuple[Fact, ...],
        bound: Mapping[Fact, CaseFact | None],
    ) -> bool:
        if fact.kind == "name":
            return contains_fact(letter, fact.expected)
        if fact.kind == "ctcae_grade":
            return any(
                t is not None and t.path == fact.path and g.value == fact.value
                for g, t in bound.items()
            )
        return any(
            f.kind == fact.kind and f.value == fact.value and (not f.role or f.role == fact.role)
            for f in found
        )


def _slot(fact: Fact | CaseFact) -> str:
    if fact.kind == "fractions":
        return "n"
    return "t" if fact.role == "total" else "d" if fact.role == "per_fraction" else "?"


def _slot_value(schedule: Mapping[str, CaseFact], slot: str) -> str | None:
    found = schedule.get(slot)
    return found.value if found is not None else None


def _as_omitted(fact: CaseFact) -> Omitted:
    return Omitted(fact.kind, fact.name, fact.expected, fact.path, fact.key)


def _nearest_date(iso: str, candidates: list[CaseFact]) -> CaseFact | None:
    if iso.startswith("invalid:"):
        return None
    day = dt.date.fromisoformat(iso)

    def distance(c: CaseFact) -> int:
        other = dt.date.fromisoformat(c.value)
        if (other.month, other.day) == (day.month, day.day):
            return 0  # the same day in another year: a wrong year
        return abs((other - day).days)

    near = min(candidates, key=distance, default=None)
    return near if near is not None and distance(near) <= _NEAR_DAYS else None


def _name_forms(case: Mapping[str, Any]) -> set[str]:
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


_Told = tuple[str, str, list[Fact]]  # a string of the case: its path, text and facts
_CLAUSE = re.compile(r"[,;:\n]|\.\s")
_WORD = re.compile(r"[^\W\d_]{4,}")


def _words_around(text: str, side: Fact) -> set[str]:
    """The words (of four letters or more) near a side word in its clause, case-folded."""
    clauses = _CLAUSE.split(text[max(0, side.start - 80) : side.start])
    after = _CLAUSE.split(text[side.end : side.end + 60])[0]
    before = _WORD.findall(clauses[-1])
    if not before and not _WORD.findall(after) and len(clauses) > 1:
        before = _WORD.findall(clauses[-2])  # "Lung cancer, right": the side of what precedes
    near = before[-3:] + _WORD.findall(after)[:2]
    return {w.casefold() for w in near if not _SIDE_WORD.fullmatch(w)}


def _side_words(case: Mapping[str, Any], told: list[_Told]) -> dict[str, set[str]]:
    """Which sides the case gives each word it writes next to a side (``femur`` → left)."""
    words: dict[str, set[str]] = {}
    for _, text, found in told:
        for side in found:
            if side.kind == "laterality":
                for word in _words_around(text, side):
                    words.setdefault(word, set()).add(side.value)
    for d in case.get("diagnoses") or []:
        if (d.get("laterality") or "none") != "none":
            for word in _WORD.findall(str(d["text"])):
                words.setdefault(word.casefold(), set()).add(d["laterality"])
    return words


def _words_of_line(text: str, date: Fact) -> set[str]:
    """The words of a date's line up to the dates before and after it, case-folded."""
    start = text.rfind("\n", 0, date.start) + 1
    end = text.find("\n", date.end)
    line = text[start : end if end >= 0 else len(text)]
    around = _DATE_LIKE.split(line)
    at = len(_DATE_LIKE.findall(text[start : date.start]))
    parts = around[at : at + 2]  # the text between the neighbouring dates and this one
    return {w.casefold() for part in parts for w in _WORD.findall(part)} - _DATE_WORDS


def _date_words(case: Mapping[str, Any], told: list[_Told]) -> dict[str, set[str]]:
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


def _structured_facts(case: Mapping[str, Any], language: str) -> list[CaseFact]:
    """The facts of the case's fields: key facts first, in letter order, then the others."""
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


def _course_facts(i: int, course: Mapping[str, Any], language: str) -> list[CaseFact]:
    where, n = f"$.radiotherapy[{i}]", i + 1
    facts = []
    for field_name, role, name in (
        ("total_dose_gy", "total", "total_dose"),
        ("dose_per_fraction_gy", "per_fraction", "dose_per_fraction"),
    ):
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


def _course_schedules(facts: list[CaseFact]) -> list[dict[str, CaseFact]]:
    schedules: dict[int, dict[str, CaseFact]] = {}
    for fact in facts:
        if fact.course >= 0 and fact.kind in ("dose", "fractions"):
            schedules.setdefault(fact.course, {})[_slot(fact)] = fact
    return [schedules[i] for i in sorted(schedules)]


# --- the checks the app and the evaluation use ----------------------------------------------------


def _gaps(letter: str) -> list[Unsupported]:
    """Every gap a fact slot left (:data:`letterdesk.core.facts.slots.GAP`): an open flag each."""
    found, at = [], letter.find(GAP)
    while at >= 0:
        found.append(Unsupported(Fact("gap", "", GAP, at, at + len(GAP))))
        at = letter.find(GAP, at + len(GAP))
    return found


def check(case: Case | Mapping[str, Any], letter: str) -> Findings:
    """Unsupported facts of ``letter`` and omitted facts of ``case`` (see the module docstring).

    For a letter being edited, build a :class:`Grounding` once and call its ``check``.
    """
    return Grounding(case).check(letter)


def fact_metrics(case: Case | Mapping[str, Any], letter: str) -> dict[str, Any]:
    """Fact precision and key-fact recall of one letter, with the counts behind them.

    ``precision``: supported letter facts / all facts found in the letter (1.0 when it states
    none); ``recall``: the case's key facts the letter states, in any notation / all key facts.
    """
    grounding = Grounding(case)
    findings = grounding.check(letter)
    facts, wrong = len(findings.letter_facts), len(findings.unsupported)
    doses_dates = [f for f in findings.letter_facts if f.kind in ("dose", "date")]
    misplaced = [
        u.fact
        for u in findings.unsupported
        if u.kind in ("dose", "date") and grounding.holds(u.kind, u.fact.value)
    ]
    keys = sum(1 for f in grounding.facts if f.key)
    missing = sum(1 for o in findings.omitted if o.key)
    return {
        "facts": facts,
        "supported_facts": facts - wrong,
        "precision": (facts - wrong) / facts if facts else 1.0,
        "key_facts": keys,
        "key_facts_present": keys - missing,
        "recall": (keys - missing) / keys if keys else 1.0,
        "unsupported": wrong,
        "omitted": len(findings.omitted),
        "doses_dates": len(doses_dates),
        "doses_dates_not_in_case": sum(
            1 for u in findings.unsupported if u.kind in ("dose", "date")
        )
        - len(misplaced),
        "doses_dates_wrong_role": len(misplaced),
    }


# --- signing off a letter with findings -----------------------------------------------------------


class UnconfirmedFindings(LetterDeskError):
    """A letter with unresolved fact-check findings was to be signed without confirmation."""


def audit_details(findings: Findings, confirmed: bool) -> dict[str, Any]:
    """What the audit log records about the fact check at sign-off."""
    return {
        "text_sha256": findings.text_sha256,
        "confirmed": confirmed,
        "unsupported": [
            {"kind": u.kind, "text": u.text, "start": u.start, "end": u.end, "instead": u.instead}
            for u in findings.unsupported
        ],
        "omitted": [
            {"kind": o.kind, "expected": o.expected, "path": o.path} for o in findings.omitted
        ],
    }


def sign_off_with_flags(
    store: Store,
    letter_id: int,
    revision_id: int,
    *,
    user: str,
    findings: Findings,
    confirmed: bool = False,
) -> Letter:
    """Sign off a revision and record its fact check in the audit log's ``sign_off`` entry.

    ``findings`` must be the check of exactly this revision's text. When it flags anything,
    the physician must have confirmed signing anyway (``confirmed=True``); otherwise
    :class:`UnconfirmedFindings` is raised and nothing is signed.
    """
    from letterdesk.core.store import letters

    text = letters.revision(store, revision_id).text
    if findings.text_sha256 != sha256(text):
        raise LetterDeskError(
            "The fact check does not match this version of the letter.",
            "Check the letter again (grounding.check) right before signing it off.",
        )
    if findings.flagged and not confirmed:
        n, m = len(findings.unsupported), len(findings.omitted)
        raise UnconfirmedFindings(
            f"The letter has {n} fact(s) not found in the case and omits {m} case fact(s). "
            "Please confirm that you want to sign it off as it is.",
            "Pass confirmed=True once the physician has confirmed.",
        )
    details = {"fact_check": audit_details(findings, confirmed)}
    return letters.sign_off(store, letter_id, revision_id, user=user, details=details)


def unsupported(case: Case, letter: str) -> tuple[list[Fact], int]:
    """Doses and dates in the letter that the case does not support, and how many there were.

    A dose must fit the role the letter gives it (a total dose is not supported by a dose per
    fraction) and the course its schedule names (see :func:`check`).
    """
    findings = check(case, letter)
    kinds = ("dose", "date")
    wrong = [f.fact for f in findings.unsupported if f.kind in kinds]
    return wrong, sum(1 for f in findings.letter_facts if f.kind in kinds)
