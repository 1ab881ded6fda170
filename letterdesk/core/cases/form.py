"""What the case form needs from the core: dates and numbers as people type them, and the
importer's validation messages by field.

A date may be typed as the letter language writes it (``17.06.1972``, ``17/06/1972``) or as
ISO (``1972-06-17``); a dose with a decimal comma or point (``2,67``). What cannot be read is
kept as typed, so the case format's own check names the field ("not a valid date") exactly as
the importer would.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from letterdesk.core.cases.case import validate
from letterdesk.core.foundation.notation import format_date

_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_MISSING = re.compile(r"^the required field “(\w+)” is missing")
_NUMBER = re.compile(r"^\s*-?\d+([.,]\d+)?\s*$")


def read_date(text: str) -> str:
    """A typed date as ISO (``17.06.1972`` → ``1972-06-17``); unreadable text as typed."""
    found = _DAY_FIRST.match(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
    elif found := _ISO.match(text):
        year, month, day = (int(g) for g in found.groups())
    else:
        return text.strip()
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return text.strip()  # 31.02.2025: the case check says it is not a date


def show_date(iso: str, language: str) -> str:
    """An ISO date as the form shows it: de ``17.06.1972``, en ``1972-06-17``."""
    try:
        return (
            format_date(iso, "de") if language == "de" else dt.date.fromisoformat(iso).isoformat()
        )
    except ValueError:
        return iso


def read_number(text: str, whole: bool = False) -> Any:
    """A typed number (decimal comma or point) as int or float; unreadable text as typed."""
    if not _NUMBER.match(text):
        return text.strip()
    value = float(text.replace(",", "."))
    if whole or (value.is_integer() and not re.search(r"[.,]", text)):
        return int(value) if value.is_integer() else value
    return value


def show_number(value: Any, language: str) -> str:
    """A number as the form shows it: de ``2,67``, en ``2.67``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if language == "de" else text


def field_problems(document: dict[str, Any]) -> dict[str, list[str]]:
    """The importer's messages about ``document`` by field path (``radiotherapy[0].fractions``;
    ``""`` for the document as a whole); warnings are marked as such."""
    errors, warnings = validate(document)
    found: dict[str, list[str]] = {}
    for problems, prefix in ((errors, ""), (warnings, "warning: ")):
        for problem in problems:
            path = problem.path.removeprefix("$").removeprefix(".")
            if missing := _MISSING.match(problem.message):  # shown at the missing field
                path = f"{path}.{missing.group(1)}" if path else missing.group(1)
            found.setdefault(path, []).append(prefix + problem.message)
    return found
