"""Fact slots: a letter refers to the case's facts, and LetterDesk writes the values in.

A slot is plain text any LLaMA-3 tokenizer encodes without new vocabulary: ``[[`` the field's
path in the case, dot-separated with 0-based list positions, an optional ``:form``, then
``]]`` — ``[[patient.family_name]]``, ``[[radiotherapy.0.total_dose_gy]]``,
``[[diagnoses.1.date:long]]``, ``[[recommendations.2]]``. Filling writes the case's value in the
notation of the case's language through :mod:`letterdesk.core.foundation.notation` (``06.01.2025`` /
``6 January 2025``, ``2,67 Gy`` / ``2.67 Gy``). The forms (``docs/fact-slots.md``):

- dates: ``short`` (default; de ``06.01.2025``, en ``6 January 2025``) and ``long``
  (de ``6. Januar 2025``);
- doses: ``gy`` (default; ``2,67 Gy``) and ``num`` (``2,67``);
- ``performance_status``: the scale and value (``ECOG 1``, ``KPS 80 %``);
- everything else: the value as the case writes it.

:func:`letterdesk.core.facts.slotting.slot_letter` turns a (case, letter) pair into the slotted
letter (training data); :func:`fill` turns a slotted letter back into text, with the span of
each value (the editor marks them). A slot whose field the case leaves empty, or does not
have, is filled with :data:`GAP`, never with an empty string or a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any

from letterdesk.core.facts.case_facts import structured_facts
from letterdesk.core.foundation import notation

OPEN, CLOSE = "[[", "]]"
GAP = "[…]"
"""What an empty slot shows: visible in the letter and counted as an open fact-check flag."""

SLOT = re.compile(r"\[\[([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*)(?::([a-z_]+))?\]\]")

# The kind of each field the case format has, by path with list positions written as "*".
_KINDS: dict[str, str] = {
    "patient.given_name": "text",
    "patient.family_name": "text",
    "patient.birth_date": "date",
    "recipient.title": "text",
    "recipient.given_name": "text",
    "recipient.family_name": "text",
    "author.name": "text",
    "author.role": "text",
    "diagnoses.*.text": "text",
    "diagnoses.*.icd10": "text",
    "diagnoses.*.date": "date",
    "diagnoses.*.histology": "text",
    "diagnoses.*.grading": "text",
    "diagnoses.*.tnm": "text",
    "diagnoses.*.uicc_stage": "text",
    "history.*.date": "date",
    "history.*.description": "text",
    "radiotherapy.*.target": "text",
    "radiotherapy.*.technique": "text",
    "radiotherapy.*.dose_per_fraction_gy": "gy",
    "radiotherapy.*.fractions": "count",
    "radiotherapy.*.total_dose_gy": "gy",
    "radiotherapy.*.start_date": "date",
    "radiotherapy.*.end_date": "date",
    "radiotherapy.*.concurrent_therapy": "text",
    "toxicities.*.term": "text",
    "toxicities.*.ctcae_grade": "grade",
    "performance_status": "performance_status",
    "findings": "text",
    "recommendations.*": "text",
    "follow_up.*.date": "date",
    "follow_up.*.description": "text",
}
FORMS: dict[str, tuple[str, ...]] = {
    "date": ("short", "long"),
    "gy": ("gy", "num"),
    "text": ("",),
    "count": ("",),
    "grade": ("",),
    "performance_status": ("",),
}
"""The forms of each kind of field; the first is the default and is not written in a slot."""

ROLES = {
    "total_dose_gy": "total",
    "dose_per_fraction_gy": "per_fraction",
    "start_date": "start",
    "end_date": "end",
    "birth_date": "birth",
}
"""The role :mod:`letterdesk.core.facts.extract` gives a value written in this field's place."""


@dataclass(frozen=True)
class Field:
    """One fact of a case a slot can name: its path, kind and value in the case."""

    path: str
    kind: str
    value: Any

    @property
    def role(self) -> str:
        """``total``, ``per_fraction``, ``start``, ``end``, ``birth``, ``diagnosis`` or empty."""
        return role_of(self.path)

    def slot(self, form: str = "") -> str:
        """The slot that names this field in ``form`` (the default form is not written)."""
        default = FORMS[self.kind][0]
        return f"{OPEN}{self.path}{':' + form if form and form != default else ''}{CLOSE}"

    def render(self, language: str, form: str = "") -> str:
        """The value as the letter writes it in ``language`` and ``form``."""
        form = form or FORMS[self.kind][0]
        if self.kind == "date":
            if form == "long":
                return notation.format_date_long(str(self.value), language)
            return notation.format_date(str(self.value), language)
        if self.kind == "gy":
            number = notation.format_number(float(self.value), language)
            return number if form == "num" else f"{number} Gy"
        if self.kind == "performance_status":
            return notation.format_performance_status(
                str(self.value["scale"]), int(self.value["value"]), language
            )
        return str(self.value)


def role_of(path: str) -> str:
    """The role of the value a field's path names (:data:`ROLES`; a diagnosis's date is
    ``diagnosis``), or empty."""
    last = path.rsplit(".", 1)[-1]
    if last == "date" and path.startswith("diagnoses."):
        return "diagnosis"
    return ROLES.get(last, "")


def fields(case: Mapping[str, Any]) -> dict[str, Field]:
    """Every field of ``case`` a slot can name, by path, in the case's order (empty values
    left out: a slot that names one is a gap)."""
    return {
        path: Field(path, kind, value)
        for path, kind, value in _leaves(case, "")
        if value not in (None, "", {})
    }


def _leaves(node: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, kind, value) of every field of the case format the document holds, in order."""
    kind = _KINDS.get(re.sub(r"\.\d+(?=\.|$)", ".*", path)) if path else None
    if kind is not None:
        yield path, kind, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, f"{path}.{index}")


def json_path(path: str) -> str:
    """A slot's path as the case panel and the fact check name fields:
    ``radiotherapy.0.total_dose_gy`` → ``$.radiotherapy[0].total_dose_gy``."""
    return "$" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in path.split("."))


def slot_path(path: str) -> str:
    """A field's JSON path as a slot names it (the inverse of :func:`json_path`):
    ``$.radiotherapy[0].total_dose_gy`` → ``radiotherapy.0.total_dose_gy``."""
    return re.sub(r"\[(\d+)\]", r".\1", path).removeprefix("$.")


def slot_names(case: Mapping[str, Any]) -> tuple[str, ...]:
    """Every slot a letter for this case may write, each as written between the brackets
    (``path`` or ``path:form``): what constrained decoding allows while the model writes a slot.

    A field of the case format counts for every list item the case has, even where this case
    leaves it empty: a model that reaches for a course's missing end date writes a visible gap
    (:data:`GAP`), not another field's value; so does one that reaches for the author's name
    of a case that names no author. A list item the case does not have (a second course when
    there is one) cannot be named; a list the case leaves empty or out has its first item, as
    gaps (a case without toxicities: ``[[toxicities.0.term]]`` is a gap, not a guess)."""
    names = []
    for pattern, kind in _KINDS.items():
        default = FORMS[kind][0]
        for path in _expand(case, pattern.split(".")):
            names += [path] + [f"{path}:{form}" for form in FORMS[kind] if form != default]
    return tuple(names)


def key_slot_names(case: Mapping[str, Any]) -> tuple[str, ...]:
    """The slots of the case's key facts (:mod:`letterdesk.core.facts.key_facts`), as paths
    without a form (``diagnoses.1.icd10``, ``radiotherapy.0.total_dose_gy``): the fields a
    letter must not leave out (constrained decoding keeps them in an item's line)."""
    language = notation.check_language(str(case["language"]))
    return tuple(slot_path(fact.path) for fact in structured_facts(case, language) if fact.key)


def _expand(node: Any, parts: list[str], prefix: str = "") -> Iterator[str]:
    """The paths ``parts`` names in the case, ``*`` standing for each item of a list."""
    if not parts:
        yield prefix
        return
    head, rest = parts[0], parts[1:]
    join = f"{prefix}." if prefix else ""
    if head == "*":  # a list the case leaves empty or out: its first item, as a gap
        items = node if isinstance(node, list) and node else [{} if rest else ""]
        for index, item in enumerate(items):
            yield from _expand(item, rest, f"{join}{index}")
    else:
        child = node.get(head) if isinstance(node, Mapping) else None
        if rest and child is None:
            child = [] if rest[0] == "*" else {}  # "author.name" without an author: a gap
        yield from _expand(child, rest, f"{join}{head}")


# --- filling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilledSlot:
    """One slot of a filled letter: where its value stands and which field it came from."""

    start: int
    end: int
    path: str
    form: str
    missing: bool
    """The case has no value for this field: the letter shows :data:`GAP` here."""


@dataclass(frozen=True)
class Filled:
    """A slotted letter with the case's values written in."""

    text: str
    slots: tuple[FilledSlot, ...]

    @property
    def gaps(self) -> tuple[FilledSlot, ...]:
        """The slots the case could not fill."""
        return tuple(s for s in self.slots if s.missing)


def fill(slotted: str, case: Mapping[str, Any]) -> Filled:
    """``slotted`` with every slot replaced by the case's value (see the module docstring)."""
    language = notation.check_language(str(case["language"]))
    known = fields(case)
    parts: list[str] = []
    spans: list[FilledSlot] = []
    at = length = 0
    for m in SLOT.finditer(slotted):
        literal = slotted[at : m.start()]
        parts.append(literal)
        length += len(literal)
        path, form = m.group(1), m.group(2) or ""
        field = known.get(path)
        ok = field is not None and form in ("", *FORMS[field.kind])
        value = field.render(language, form) if field is not None and ok else GAP
        parts.append(value)
        spans.append(FilledSlot(length, length + len(value), path, form, not ok))
        length += len(value)
        at = m.end()
    parts.append(slotted[at:])
    return Filled("".join(parts), tuple(spans))


def value_spans(slotted: str, draft: str) -> tuple[FilledSlot, ...]:
    """Where each slot's value stands in ``draft``, the filled text of ``slotted`` (found by
    aligning the text between slots, so the case is not needed and may have changed since).
    Empty when the two do not align."""
    found = list(SLOT.finditer(slotted))
    pattern = "".join(
        re.escape(slotted[(found[i - 1].end() if i else 0) : m.start()]) + "(.*?)"
        for i, m in enumerate(found)
    ) + re.escape(slotted[found[-1].end() :] if found else slotted)
    aligned = re.fullmatch(pattern, draft, re.DOTALL)
    if aligned is None:
        return ()
    return tuple(
        FilledSlot(
            aligned.start(i + 1),
            aligned.end(i + 1),
            m.group(1),
            m.group(2) or "",
            aligned.group(i + 1) == GAP,
        )  # fmt: skip
        for i, m in enumerate(found)
    )


def carry_spans(spans: tuple[FilledSlot, ...], draft: str, text: str) -> tuple[FilledSlot, ...]:
    """The values of ``draft`` that ``text`` (the draft as corrected since) still holds
    unchanged, at their places in ``text``: a value the physician edited is ordinary text."""
    if text == draft:
        return spans
    blocks = SequenceMatcher(None, draft, text, autojunk=False).get_matching_blocks()
    kept = []
    for span in spans:
        for a, b, size in blocks:
            if a <= span.start and span.end <= a + size:
                moved = replace(span, start=span.start + b - a, end=span.end + b - a)
                if _same_edges(draft, span, text, moved):  # typing at its edge edits it too
                    kept.append(moved)
                break
    return tuple(kept)


def _same_edges(draft: str, span: FilledSlot, text: str, moved: FilledSlot) -> bool:
    return (
        draft[span.start - 1 : span.start] == text[moved.start - 1 : moved.start]
        and draft[span.end : span.end + 1] == text[moved.end : moved.end + 1]
    )


class SlotStream:
    """Fills a slotted letter while it streams: text passes through at once, a slot is held
    back until it is complete and then given out as its value. The reader never sees slot
    syntax; a lone ``[`` waits only for the next character."""

    def __init__(self, case: Mapping[str, Any]) -> None:
        self.case = case
        self.raw: list[str] = []
        self._pending = ""

    def feed(self, text: str) -> str:
        """The letter text ``text`` adds, with complete slots filled."""
        self.raw.append(text)
        pending = self._pending + text
        out: list[str] = []
        while pending:
            at = pending.find("[")
            if at < 0:
                out.append(pending)
                pending = ""
                break
            out.append(pending[:at])
            pending = pending[at:]
            if pending == "[":
                break  # the next piece says whether a slot begins
            if not pending.startswith(OPEN):
                out.append("[")
                pending = pending[1:]
                continue
            m = SLOT.match(pending)
            if m is not None:
                out.append(fill(m.group(0), self.case).text)
                pending = pending[m.end() :]
                continue
            if _could_become_slot(pending):
                break
            out.append(pending[:2])  # "[[" that cannot be a slot: ordinary text
            pending = pending[2:]
        self._pending = pending
        return "".join(out)

    def finish(self) -> str:
        """What is still held back when the letter ends: an unfinished slot shows as a gap."""
        rest, self._pending = self._pending, ""
        return GAP if rest.startswith(OPEN) else rest

    @property
    def slotted(self) -> str:
        """The text as the model wrote it, slots and all."""
        return "".join(self.raw)


_SLOT_PREFIX = re.compile(r"\[\[[a-z0-9_.]*(?::[a-z_]*)?\]?$")


def _could_become_slot(text: str) -> bool:
    return _SLOT_PREFIX.fullmatch(text) is not None
