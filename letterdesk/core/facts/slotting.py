"""Slotting letters: a (case, letter) pair turned into the letter a slot-writing model learns
from, each case value it states replaced by its fact slot (:mod:`letterdesk.core.facts.slots`).

Used by the demo model's training and the learning loop's dataset; the app's drafts never need
it. Filling the result (:func:`letterdesk.core.facts.slots.fill`) gives back the letter exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from letterdesk.core.facts.key_facts import occurrences
from letterdesk.core.facts.slots import CLOSE, FORMS, OPEN, fields, role_of
from letterdesk.core.foundation import notation

# A count or grade is a bare number: it is a slot only where the words around it say what it is.
_COUNT_AFTER = re.compile(r"\s?(?:x|×|\*)\s?\d|\s(?:Fraktion|fraction|Sitzung|session)")
_COUNT_BEFORE = re.compile(r"(?:\bin|\bmit|\bwith)\s$")
_NUM_BEFORE_SLASH = re.compile(r"\s?/\s?\d")
_GRADE_BEFORE = re.compile(r"(?:\bGrad|\bgrade)\s?$", re.IGNORECASE)


@dataclass(frozen=True)
class Slotted:
    """A letter with the case's facts replaced by slots, and what stayed literal."""

    text: str
    slots: int
    ambiguous: tuple[str, ...]
    """Values the case holds in more than one field that could not be told apart here: left
    as text (a training target teaches no role for them)."""


def slot_letter(case: Mapping[str, Any], letter: str) -> Slotted:
    """``letter`` with each case value it states unambiguously replaced by its slot.

    A value is found as a whole (not inside a longer word or number); where values overlap
    the longer wins (``Mammakarzinom links`` before ``links``); a bare count or grade counts
    only where the words around it say what it is. A value several fields share is given to
    the field whose role the surrounding words name (:mod:`letterdesk.core.facts.extract`), else to
    the fields in case order when it occurs as often as there are fields; otherwise it stays
    literal and is listed in :attr:`Slotted.ambiguous`. Filling the result gives back
    ``letter`` exactly.
    """
    language = notation.check_language(str(case["language"]))
    sites = _sites(case, letter, language)
    roles = _roles(letter)
    chosen: list[tuple[int, int, str]] = []
    undecided: list[tuple[int, int, list[tuple[str, str]]]] = []
    for (start, end), candidates in sorted(sites.items()):
        role = roles.get((start, end), "")
        narrowed = [c for c in candidates if role and role_of(c[0]) == role] or candidates
        if len({path for path, _ in narrowed}) == 1:
            chosen.append((start, end, _slot_text(narrowed[0])))
        else:
            undecided.append((start, end, narrowed))
    by_candidates: dict[tuple[tuple[str, str], ...], list[tuple[int, int]]] = {}
    for start, end, candidates in undecided:
        beside = _beside(letter, start, end, candidates, chosen)
        if beside is not None:
            chosen.append((start, end, _slot_text(beside)))
        else:
            by_candidates.setdefault(tuple(sorted(set(candidates))), []).append((start, end))
    ambiguous = _shared(case, letter, by_candidates, chosen)
    out, at = [], 0
    for start, end, slot in sorted(chosen):
        out += [letter[at:start], slot]
        at = end
    out.append(letter[at:])
    return Slotted("".join(out), len(chosen), tuple(ambiguous))


def _beside(
    letter: str,
    start: int,
    end: int,
    candidates: list[tuple[str, str]],
    chosen: list[tuple[int, int, str]],
) -> tuple[str, str] | None:
    """The one candidate that belongs to the list item whose other values stand on the same
    line (``- [[history.0.date]]: [[history.0.description]]``), if there is one."""
    line_start = letter.rfind("\n", 0, start) + 1
    line_end = letter.find("\n", end) % (len(letter) + 1)
    items = {
        _item(slot[len(OPEN) : -len(CLOSE)]) for s, _, slot in chosen if line_start <= s < line_end
    }
    fits = sorted({c for c in candidates if _item(c[0]) in items - {""}})
    # one field, perhaps in two forms that read the same (an English date, short or long):
    # the default form, as everywhere else — never the set's order, which changes from run
    # to run and made two trainings on the same letters differ
    return fits[0] if len({path for path, _ in fits}) == 1 else None


def _item(path: str) -> str:
    """The list item a path belongs to (``history.0``), or empty for a field of no list."""
    parts = path.split(":")[0].split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and parts[1].isdigit() else ""


def _shared(
    case: Mapping[str, Any],
    letter: str,
    by_candidates: dict[tuple[tuple[str, str], ...], list[tuple[int, int]]],
    chosen: list[tuple[int, int, str]],
) -> list[str]:
    """Give the values several fields share to a field where that is safe (adds to
    ``chosen``); the values left literal."""
    ambiguous: list[str] = []
    placed = {slot for _, _, slot in chosen}
    for group, spans in by_candidates.items():
        ordered = sorted(group, key=lambda c: _case_order(case, c[0]))
        unplaced = [c for c in ordered if _slot_text(c) not in placed]
        patient = [c for c in ordered if c[0].startswith("patient.")]
        if patient:  # an identifier never stays literal: it goes to the patient's own field
            chosen += [(s, e, _slot_text(patient[0])) for s, e in spans]
        elif len({path for path, _ in unplaced}) == 1:  # the others are written elsewhere
            chosen += [(s, e, _slot_text(unplaced[0])) for s, e in spans]
        elif len(spans) == len(ordered):
            chosen += [(s, e, _slot_text(c)) for (s, e), c in zip(spans, ordered, strict=True)]
        else:
            ambiguous += [letter[s:e] for s, e in spans]
    return ambiguous


def _slot_text(candidate: tuple[str, str]) -> str:
    path, form = candidate
    return f"{OPEN}{path}{':' + form if form else ''}{CLOSE}"


def _case_order(case: Mapping[str, Any], path: str) -> int:
    return list(fields(case)).index(path)


def _sites(
    case: Mapping[str, Any], letter: str, language: str
) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """Every place a case value stands in ``letter`` → the (path, form)s that write it there;
    overlapping places resolved longest first."""
    found: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for f in fields(case).values():
        default = FORMS[f.kind][0]
        for form in FORMS[f.kind]:
            value = f.render(language, form)
            for start in _occurrences(letter, value):
                if _fits(f.kind, form, letter, start, start + len(value)):
                    found.setdefault((start, start + len(value)), []).append(
                        (f.path, "" if form == default else form)
                    )
    kept: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for span in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
        if not any(span[0] < e and s < span[1] for s, e in kept):
            kept[span] = found[span]
    return kept


def _occurrences(text: str, value: str) -> Iterator[int]:
    if OPEN not in value and CLOSE not in value:  # a value that looks like a slot stays text
        yield from occurrences(text, value)


def _fits(kind: str, form: str, text: str, start: int, end: int) -> bool:
    if form == "num":  # a dose without its unit only in "2/60 Gy"
        return bool(_NUM_BEFORE_SLASH.match(text, end))
    if kind == "count":
        return bool(
            _COUNT_AFTER.match(text, end) or _COUNT_BEFORE.search(text[max(0, start - 6) : start])
        )
    if kind == "grade":
        return bool(_GRADE_BEFORE.search(text[max(0, start - 7) : start]))
    return True


def _roles(letter: str) -> dict[tuple[int, int], str]:
    from letterdesk.core.facts.extract import extract  # facts reads cases; slots stays below it

    return {(f.start, f.end): f.role for f in extract(letter) if f.role}
