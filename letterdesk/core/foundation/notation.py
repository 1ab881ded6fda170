"""How numbers, dates and names are written in each letter language.

The prompt renderer, the synthetic reference letters and the fact checks all write case values
through these functions, so a value the model reads in a case appears in exactly the notation a
correct letter copies verbatim: German ``06.01.2025`` and ``2,67 Gy``, English ``6 January 2025``
and ``2.67 Gy``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

LANGUAGES = ("de", "en")

_MONTHS = {
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_SEX_TITLES = {"de": {"female": "Frau", "male": "Herr"}, "en": {"female": "Ms", "male": "Mr"}}
_LATERALITY = {
    "de": {"left": "links", "right": "rechts", "bilateral": "beidseits", "none": ""},
    "en": {"left": "left", "right": "right", "bilateral": "bilateral", "none": ""},
}
_GRADE_WORD = {"de": "Grad", "en": "grade"}


def check_language(language: str) -> str:
    """Return ``language`` if it is a letter language, else raise ``ValueError``."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported letter language {language!r}; use one of {LANGUAGES}")
    return language


def format_date(iso_date: str, language: str) -> str:
    """An ISO date as a letter writes it: de ``06.01.2025``, en ``6 January 2025``."""
    day = dt.date.fromisoformat(iso_date)
    if check_language(language) == "de":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day} {_MONTHS['en'][day.month - 1]} {day.year}"


def format_date_long(iso_date: str, language: str) -> str:
    """An ISO date with the month spelled out: de ``6. Januar 2025``, en ``6 January 2025``."""
    day = dt.date.fromisoformat(iso_date)
    month = _MONTHS[check_language(language)][day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"


def format_number(value: float, language: str, max_decimals: int = 2) -> str:
    """A number rounded half up to ``max_decimals``, without trailing zeros, in the language's
    decimal separator: de ``2,67``, en ``2.67``; ``2.0`` becomes ``2``."""
    check_language(language)
    step = Decimal(1).scaleb(-max_decimals)
    # str() gives the shortest decimal form of the float, so 40.05 stays 40.05 and not 40.049...
    rounded = Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",") if language == "de" else text


def format_gy(value: float, language: str) -> str:
    """A dose in gray: de ``2 Gy``, ``2,67 Gy``, ``50,4 Gy``; en ``2 Gy``, ``40.05 Gy``."""
    return f"{format_number(value, language)} Gy"


def format_fraction_schedule(fractions: int, dose_per_fraction: float, language: str) -> str:
    """Fractions times dose per fraction: ``30 x 2 Gy``; de ``15 x 2,67 Gy``."""
    return f"{fractions} x {format_gy(dose_per_fraction, language)}"


def format_performance_status(scale: str, value: int, language: str) -> str:
    """Performance status: ``ECOG 1``; Karnofsky de ``KPS 80 %``, en ``KPS 80%``."""
    if scale == "KPS":
        return f"KPS {value} %" if check_language(language) == "de" else f"KPS {value}%"
    return f"{scale} {value}"


def format_ctcae_grade(grade: int, language: str) -> str:
    """A CTCAE grade: de ``CTCAE Grad 2``, en ``CTCAE grade 2``."""
    return f"CTCAE {_GRADE_WORD[check_language(language)]} {grade}"


def format_laterality(laterality: str | None, language: str) -> str:
    """The side as a word (de ``links``, en ``left``); empty for ``none`` or no side."""
    return _LATERALITY[check_language(language)].get(laterality or "none", "")


def sex_title(sex: str, language: str) -> str:
    """The title for a person of this sex: de ``Frau``/``Herr``, en ``Ms``/``Mr``; empty for
    ``diverse`` and ``unknown``, which are addressed by full name without a title."""
    return _SEX_TITLES[check_language(language)].get(sex, "")


def full_name(given_name: str, family_name: str) -> str:
    """Given name and family name as a letter writes them: ``Erika Muster``."""
    return f"{given_name} {family_name}".strip()


def titled_name(sex: str, given_name: str, family_name: str, language: str) -> str:
    """The full name with the sex title if there is one: ``Frau Erika Muster``,
    ``Mr John Smith``, or just ``Alex Muster`` for ``diverse``/``unknown``."""
    title = sex_title(sex, language)
    name = full_name(given_name, family_name)
    return f"{title} {name}" if title else name


def titled_family_name(sex: str, given_name: str, family_name: str, language: str) -> str:
    """The short form used in running text: ``Frau Muster``, ``Mr Smith``; without a title the
    full name (``Alex Muster``), since a bare family name reads as rude."""
    title = sex_title(sex, language)
    return f"{title} {family_name}" if title else full_name(given_name, family_name)
