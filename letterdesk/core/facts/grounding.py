"""Grounding: which facts of a letter its case supports, and which case facts the letter omits.

:func:`check` finds every fact in the letter (:mod:`letterdesk.core.facts.extract`) and looks for
its support among the facts the case states (:mod:`letterdesk.core.facts.case_facts`):

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
stages, concurrent drugs and side-effect grades that the letter does not state in any notation.
A gap a fact slot left (the case holds no value for it) is an open flag too. The outcome is
:class:`~letterdesk.core.facts.findings.Findings`.

A check of a three-page letter takes a few milliseconds and touches no file or store, so an
editor can run it on every edit; :class:`Grounding` prepares a case once for that. Signing off
with the findings recorded is :mod:`letterdesk.core.facts.sign_off`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.case_facts import (
    CaseFact,
    course_schedules,
    date_words,
    free_texts,
    name_forms,
    schedule_slot,
    side_words,
    structured_facts,
    words_around,
    words_of_line,
)
from letterdesk.core.facts.extract import NAME_PARTICLES, Fact, extract
from letterdesk.core.facts.findings import Findings, Omitted, Unsupported, sha256
from letterdesk.core.facts.key_facts import contains_fact
from letterdesk.core.facts.slots import GAP
from letterdesk.core.foundation import notation

_NEAR_DAYS = 62  # a date this close to a case date is taken as a wrong copy of it


def _document(case: Case | Mapping[str, Any]) -> Mapping[str, Any]:
    return case.data if isinstance(case, Case) else case


# --- the case, prepared ------------------------------------------------------------------------


class Grounding:
    """A case prepared for checking letters: build it once, then :meth:`check` every edit."""

    def __init__(self, case: Case | Mapping[str, Any]) -> None:
        self.case = _document(case)
        self.language = notation.check_language(str(self.case["language"]))
        self.facts: list[CaseFact] = structured_facts(self.case, self.language)
        self.schedules: list[dict[str, CaseFact]] = course_schedules(self.facts)
        told = [  # a structured field's ISO date is the field's fact, not a told one
            (path, text, list(extract(text)))
            for path, text in free_texts(self.case)
            if not _ISO_DATE.fullmatch(text)
        ]
        for path, _, found in told:
            self._add_free_text(path, found)
        self._by_value: dict[tuple[str, str], list[CaseFact]] = {}
        for fact in self.facts:
            self._by_value.setdefault((fact.kind, fact.value), []).append(fact)
        self.names = name_forms(self.case)
        people = (self.case.get("patient") or {}, self.case.get("recipient") or {})
        self.given_names = {str(person.get("given_name", "")).casefold() for person in people}
        self.people = [  # (given name, family name, the given name and the word after it)
            (given, str(p.get("family_name", "")), re.compile(rf"(?<!\w){re.escape(given)}\s"
                                                              rf"((?:{_PARTICLE}\s)*[^\W\d_][\w'’-]*)"))
            for p in people
            if len(given := str(p.get("given_name", ""))) >= 2
        ]  # fmt: skip
        self.side_words = side_words(self.case, told)
        self.date_words = date_words(self.case, told)
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
                groups.setdefault(fact.group, {})[schedule_slot(fact)] = told
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
        unsupported.extend(self._misnamed(letter, found))
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
        return bool(self._with_value(kind, value))

    def _with_value(self, kind: str, value: str) -> list[CaseFact]:
        """The case's facts with this value; a month without a day ("Mai 2026", ``2026-05``)
        is any date of that month."""
        if kind == "date" and _MONTH_ONLY.fullmatch(value):
            return [c for c in self._by_kind("date") if _same_date(value, c.value)]
        return self._by_value.get((kind, value), [])

    def _supports(self, kind: str, value: str, role: str = "") -> list[CaseFact]:
        """The case's facts with this value; a role the letter gives must be the field's
        (a free-text value, which has no field, supports any role)."""
        return [
            c
            for c in self._with_value(kind, value)
            if not role or c.role == role or not (c.role or c.expected)
        ]

    def _lone(self, fact: Fact, term: CaseFact | None, letter: str) -> Unsupported | None:
        if fact.kind == "ctcae_grade" and term is not None:
            return None if term.value == fact.value else self._instead(fact, term)
        if fact.kind == "name":
            return None if self._named(fact.value) else Unsupported(fact)
        if fact.kind == "laterality":
            return self._side(fact, letter)
        if fact.kind == "date" and not fact.role:
            return self._dated(fact, letter)
        if self._supports(fact.kind, fact.value, fact.role):
            return None
        return Unsupported(fact, *self._near(fact))

    def _named(self, name: str) -> bool:
        """Whether a written name is one of the case's people: the whole name, or its first
        words followed by a word that is not theirs ("Frau Muster Ambulanz") unless those
        first words are only a given name ("Frau Erika Schulz" is not Erika Muster)."""
        words = name.casefold().split()
        for n in range(len(words), 0, -1):
            form = " ".join(words[:n])
            if form in self.names and (n == len(words) or form not in self.given_names):
                return True
        return False

    def _misnamed(self, letter: str, found: tuple[Fact, ...]) -> list[Unsupported]:
        """Names without a title ("von Eike Jäger", "– Kim Novak, * 1973"): a given name of
        the case followed by a family name that is not that person's."""
        named = [(f.start, f.end) for f in found if f.kind == "name"]
        wrong = []
        for given, family, pattern in self.people:
            for m in pattern.finditer(letter):
                written = m.group(1)
                if (
                    (written[0].isupper() or " " in written)
                    and not family.startswith(written)
                    and not self._named(f"{given} {written}")  # the author: another person
                    and not any(m.start() < e and s < m.end() for s, e in named)
                ):
                    fact = Fact("name", f"{given} {written}", m.group(0), m.start(), m.end())
                    wrong.append(Unsupported(fact))
        return wrong

    def _side(self, fact: Fact, letter: str) -> Unsupported | None:
        """A side must be one the case gives the same thing ("Femur links"), or any side of
        the case when the letter's words around it do not occur with a side in the case."""
        said = set().union(*(self.side_words.get(w, ()) for w in words_around(letter, fact)))
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
        dated = set().union(*(self.date_words.get(w, ()) for w in words_of_line(letter, fact)))
        if any(_same_date(fact.value, d) for d in dated) or (
            not dated and self._supports("date", fact.value)
        ):
            return None
        return Unsupported(fact, *self._near(fact, dated))

    def _by_kind(self, kind: str) -> list[CaseFact]:
        return [c for c in self.facts if c.kind == kind]

    def _schedule(self, group: list[Fact], letter: str) -> list[Unsupported]:
        """A written schedule: every value must come from one course (or one told schedule)."""

        def matches(schedule: dict[str, CaseFact]) -> int:
            return sum(1 for f in group if _slot_value(schedule, schedule_slot(f)) == f.value)

        most = max(map(matches, self.schedules), default=0)
        if most == 0:
            return [u for f in group if (u := self._lone(f, None, letter)) is not None]
        best = [s for s in self.schedules if matches(s) == most]
        wrong: dict[Fact, Unsupported] = {}
        for schedule in best:  # when courses tie, what differs from either one is in doubt
            for f in group:
                if f not in wrong and _slot_value(schedule, schedule_slot(f)) != f.value:
                    source = schedule.get(schedule_slot(f))
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


_PARTICLE = "(?:" + "|".join(sorted(NAME_PARTICLES)) + ")"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_ONLY = re.compile(r"\d{4}-\d{2}")


def _same_date(written: str, case_date: str) -> bool:
    """Whether a letter's date (a day, or a month without a day) names the case's date."""
    return written == case_date or (
        _MONTH_ONLY.fullmatch(written) is not None and case_date.startswith(written + "-")
    )


def _slot_value(schedule: Mapping[str, CaseFact], slot: str) -> str | None:
    found = schedule.get(slot)
    return found.value if found is not None else None


def _as_omitted(fact: CaseFact) -> Omitted:
    return Omitted(fact.kind, fact.name, fact.expected, fact.path, fact.key)


def _nearest_date(iso: str, candidates: list[CaseFact]) -> CaseFact | None:
    if iso.startswith("invalid:"):
        return None
    day = dt.date.fromisoformat(iso + "-15" if _MONTH_ONLY.fullmatch(iso) else iso)

    def distance(c: CaseFact) -> int:
        other = dt.date.fromisoformat(c.value)
        if (other.month, other.day) == (day.month, day.day):
            return 0  # the same day in another year: a wrong year
        return abs((other - day).days)

    near = min(candidates, key=distance, default=None)
    return near if near is not None and distance(near) <= _NEAR_DAYS else None


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


def unsupported(case: Case, letter: str) -> tuple[list[Fact], int]:
    """Doses and dates in the letter that the case does not support, and how many there were.

    A dose must fit the role the letter gives it (a total dose is not supported by a dose per
    fraction) and the course its schedule names (see :func:`check`).
    """
    findings = check(case, letter)
    kinds = ("dose", "date")
    wrong = [f.fact for f in findings.unsupported if f.kind in kinds]
    return wrong, sum(1 for f in findings.letter_facts if f.kind in kinds)
