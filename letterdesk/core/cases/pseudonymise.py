"""Pseudonymising a case and texts written from it before they leave the store.

:func:`pseudonymise` replaces every identifying value of the patient — full, given and family
name, birth date (in each notation a letter uses), patient and case ID, and addresses — by a
placeholder such as ``[PATIENT_NAME]`` or ``[BIRTH_DATE]``; the same real value gets the same
placeholder in the case, the prompt and the letter alike. Used by ``letterdesk pairs`` (unless
``--identified``) and by ``python -m training dataset``; the trainer puts invented values in
the placeholders' place before training (``training.pseudonymise``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from letterdesk.core.foundation import notation

# how a birth date is written, by placeholder; "BIRTH_DATE" is the letter's own notation
DATE_FORMS: dict[str, Callable[[dt.date, str], str]] = {
    "BIRTH_DATE": lambda d, lang: notation.format_date(d.isoformat(), lang),
    "BIRTH_DATE_LONG": lambda d, lang: notation.format_date_long(d.isoformat(), lang),
    "BIRTH_DATE_ISO": lambda d, lang: d.isoformat(),
    "BIRTH_DATE_SHORT": lambda d, lang: (
        f"{d.day}.{d.month}.{d.year}" if lang == "de" else f"{d.day:02d}/{d.month:02d}/{d.year}"
    ),
}
# fields of the patient block (the case format keeps unknown fields) that hold an address
PATIENT_ADDRESS_FIELDS = ("address", "street", "postal_code", "city", "phone", "email")
_RECIPIENT_ADDRESS_FIELDS = ("street", "postal_code")
PLACEHOLDER = re.compile(r"\[([A-Z][A-Z_]*)\]")


def placeholder(name: str) -> str:
    """The placeholder text for a name: ``[PATIENT_NAME]``."""
    return f"[{name}]"


@dataclass(frozen=True)
class Pseudonymised:
    """A case document and texts with every identifying value replaced by its placeholder."""

    case: dict[str, Any]
    texts: list[str]
    replaced: dict[str, int]
    """How often each placeholder was put in, over case and texts."""


def identifying_values(case: Mapping[str, Any]) -> dict[str, str]:
    """Real value → placeholder name for everything of this case that identifies the patient."""
    language = str(case["language"])
    patient = case["patient"]
    values: dict[str, str] = {}
    seen: set[str] = set()

    def add(value: object, name: str) -> None:
        text = str(value or "").strip()
        if len(text) >= 2 and text.casefold() not in seen:
            seen.add(text.casefold())
            values[text] = name

    add(notation.full_name(patient["given_name"], patient["family_name"]), "PATIENT_NAME")
    add(f"{patient['family_name']}, {patient['given_name']}", "PATIENT_NAME_REVERSED")
    add(patient["family_name"], "PATIENT_FAMILY_NAME")
    add(patient["given_name"], "PATIENT_GIVEN_NAME")
    birth = dt.date.fromisoformat(str(patient["birth_date"]))
    for name, form in DATE_FORMS.items():
        add(form(birth, language), name)
    add(patient.get("patient_id"), "PATIENT_ID")
    add(case.get("case_id"), "CASE_ID")
    for key in PATIENT_ADDRESS_FIELDS:
        add(patient.get(key), f"PATIENT_{key.upper()}")
    recipient = case.get("recipient") or {}
    for key in _RECIPIENT_ADDRESS_FIELDS:
        add(recipient.get(key), f"RECIPIENT_{key.upper()}")
    return values


def _pattern(values: Mapping[str, str]) -> re.Pattern[str]:
    # longest first, so "Erika Muster" becomes [PATIENT_NAME], not [PATIENT_GIVEN_NAME] [...]
    alternatives = sorted(values, key=len, reverse=True)
    body = "|".join(re.escape(v) for v in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


_WORD = re.compile(r"\w+")


class Replacer:
    """Replaces real values (matched whole, ignoring case) by placeholders, counting each.

    Candidates are looked up by the word they start with, so thousands of values (every
    patient of an export) cost no more per text than a dozen.
    """

    def __init__(self, values: Mapping[str, str]) -> None:
        self.by_first_word: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        for value in sorted(values, key=len, reverse=True):
            first = _WORD.match(value)
            if first is None:
                continue  # every identifying value starts with a letter or digit
            pattern = re.compile(rf"{re.escape(value)}(?!\w)", re.IGNORECASE)
            entry = (pattern, values[value])
            self.by_first_word.setdefault(first.group(0).casefold(), []).append(entry)
        self.counts: dict[str, int] = {}

    def _replace(self, text: str) -> str:
        pieces, done = [], 0
        for word in _WORD.finditer(text):
            if word.start() < done:
                continue
            for pattern, name in self.by_first_word.get(word.group(0).casefold(), ()):
                found = pattern.match(text, word.start())
                if found:
                    pieces += [text[done : found.start()], placeholder(name)]
                    done = found.end()
                    self.counts[name] = self.counts.get(name, 0) + 1
                    break
        return "".join(pieces) + text[done:] if pieces else text

    def __call__(self, value: Any) -> Any:
        """The value with replacements; strings inside lists and dicts included."""
        if isinstance(value, str):
            return self._replace(value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value


def pseudonymise(case: Mapping[str, Any], *texts: str) -> Pseudonymised:
    """The case document and the texts (prompt, letter, ...) with placeholders for identities."""
    replace = Replacer(identifying_values(case))
    document = replace(dict(case))
    patient = document["patient"]
    # the structured fields get their placeholder even where the text match could not see them
    patient["given_name"] = placeholder("PATIENT_GIVEN_NAME")
    patient["family_name"] = placeholder("PATIENT_FAMILY_NAME")
    patient["birth_date"] = placeholder("BIRTH_DATE_ISO")
    patient["patient_id"] = placeholder("PATIENT_ID")
    document["case_id"] = placeholder("CASE_ID")
    for key in PATIENT_ADDRESS_FIELDS:
        if key in patient:
            patient[key] = placeholder(f"PATIENT_{key.upper()}")
    recipient = document.get("recipient") or {}
    for key in _RECIPIENT_ADDRESS_FIELDS:
        if key in recipient:
            recipient[key] = placeholder(f"RECIPIENT_{key.upper()}")
    return Pseudonymised(document, [replace(t) for t in texts], replace.counts)


# a single given or family name of another patient may well be a physician's ("Dr. Müller");
# the full name, birth date, IDs and address are specific enough to remove wherever they occur
SPECIFIC = (
    "PATIENT_NAME",
    "PATIENT_NAME_REVERSED",
    "PATIENT_ID",
    "CASE_ID",
    *DATE_FORMS,
    *(f"PATIENT_{k.upper()}" for k in PATIENT_ADDRESS_FIELDS),
)


def other_patients(cases: Sequence[Mapping[str, Any]]) -> Replacer:
    """Replaces the specific identities of all these patients by ``[OTHER_...]`` placeholders,
    for a pair that mentions another patient of the export."""
    values: dict[str, str] = {}
    for case in cases:
        for value, name in identifying_values(case).items():
            if name in SPECIFIC:
                values.setdefault(value, f"OTHER_{name.removeprefix('PATIENT_')}")
    return Replacer(values)


def leaks(case: Mapping[str, Any], text: str, *, specific_only: bool = False) -> list[str]:
    """The identifying values of the (real) case that still occur in ``text``; with
    ``specific_only`` just the full name, birth date, IDs and address."""
    values = {
        v: n for v, n in identifying_values(case).items() if not specific_only or n in SPECIFIC
    }
    return sorted({m.group(0) for m in _pattern(values).finditer(text)}) if values else []
