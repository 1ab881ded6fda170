"""Facts in letter text: the values a letter states, found deterministically in German and
English notation, each with its kind, normalised value and position.

Kinds and their normalised values:

- ``dose``: gray as ``"60"`` or ``"2.67"``; ``role`` is ``total``, ``per_fraction`` or ``""``
  (``60 Gy``, ``60,0 Gy``, ``ED 2 Gy / GD 60 Gy``, ``2 Gy ED``, ``Gesamtdosis 60 Gy``);
- ``fractions``: the count as ``"30"`` (``30 x 2 Gy``, ``30 × 2 Gy``, ``in 30 Fraktionen``);
- ``date``: ISO ``"2025-02-01"`` (``01.02.2025``, ``01.02.25``, ``1. Februar 2025``,
  ``1. Feb. 2025``, ``February 1, 2025``, ``Feb 1st, 2025``, ``1 February 2025``,
  ``1st of February 2025``, ``2025-02-01``, ``01/02/2025`` and ``01/02/25``, read day first as
  in German and British use); a month without a day is ``"2025-02"`` (``Februar 2025``,
  ``Feb. 2025``); a two-digit year is the latest year ending in those digits that is at most
  five years ahead of today; ``role`` is ``birth`` (geb.), ``diagnosis`` (Erstdiagnose),
  ``start`` or ``end`` (vom … bis …) where the words before it say so;
- ``icd10`` (``C50.4``), ``tnm`` (``pT1c pN0(sn) cM0``, spaces normalised), ``uicc_stage``
  (``IIA``);
- ``laterality``: ``left``, ``right`` or ``bilateral`` (``links``, ``rechten``, ``beidseits``,
  ``right``);
- ``drug``: a canonical English name from :data:`letterdesk.core.facts.drugs.DRUGS`
  (``Temozolomid`` → ``temozolomide``);
- ``ctcae_grade``: ``"2"`` (``CTCAE Grad 2``, ``Grad 2 nach CTCAE v5.0``, ``grade 2``);
- ``name``: a person named after a title (``Frau Erika Muster``, ``Dr. med. Weber``);
- ``technique``: an irradiation technique or beam as a canonical word (``VMAT``, ``IMRT``,
  ``3D-CRT``, ``SBRT``, ``brachytherapy``, ``electrons``, ``protons``...), or a beam energy
  (``6 MV``, ``9 MeV``).

Facts written as one schedule (``30 x 2 Gy, Gesamtdosis 60 Gy``; ``60 Gy in 30 fractions of
2 Gy``) share a ``group`` number, so a check can ask whether one course has all of them.
:mod:`letterdesk.core.facts.grounding` checks the facts against a case (the case's own, in
:mod:`letterdesk.core.facts.case_facts`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from letterdesk.core.facts.drugs import DRUG, DRUG_SPELLINGS

KINDS = (
    "dose",
    "fractions",
    "date",
    "icd10",
    "tnm",
    "uicc_stage",
    "laterality",
    "drug",
    "ctcae_grade",
    "name",
    "technique",
)


@dataclass(frozen=True)
class Fact:
    """One value found in a text: its kind, normalised value and where it stands."""

    kind: str
    value: str
    text: str
    start: int
    end: int
    role: str = ""
    """What the text says the value is, where it says it: for doses ``total`` or
    ``per_fraction``; for dates ``birth``, ``diagnosis``, ``start`` or ``end``; else empty."""
    group: int = -1
    """Facts of one written schedule share a group number (>= 0); -1 for a lone fact."""


# --- doses and fractions -----------------------------------------------------------------------

_NUM = r"\d{1,3}(?:[.,]\d{1,2})?"
_GY = r"\s?Gy\b"
_FX = r"(?:Fraktion(?:en)?|fractions?|Sitzungen|sessions)\b"
_TOTAL_WORD = r"(?:GD|Gesamtdosis(?:\s(?:von|of))?|total\sdose(?:\sof)?|total|kumulativ)"
_DPF_WORD = r"(?:ED|Einzeldosis(?:\s(?:von|of))?|dose\sper\sfraction(?:\sof)?)"
_START = r"(?<![\w.,])"
# The patterns that open with a digit or a capital test what stands before it right after it
# ("\d(?<![\w.,]\d)": a digit not after a letter, digit, full stop or comma), not before it:
# a pattern that opens with a look-behind makes Python's regex engine try it at every position
# of the letter, one that opens with a digit only where a digit stands (several times as fast).
_DIGIT_ALONE = r"\d(?<![\w.,]\d)"  # _START + r"\d"
_NUM_ALONE = _DIGIT_ALONE + r"\d{0,2}(?:[.,]\d{1,2})?"  # _START + _NUM
# One written schedule each: named groups n (fractions), d (dose per fraction), t (total).
_SCHEDULES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # 30 x 2 Gy (= 60 Gy | , Gesamtdosis 60 Gy)
        _START + rf"(?P<n>\d{{1,3}})\s?[x×*]\s?(?P<d>{_NUM}){_GY}"
        rf"(?:\s?(?:=|,?\s(?:ad|{_TOTAL_WORD}))\s?(?P<t>{_NUM}){_GY})?",
        # ED 2 Gy / GD 60 Gy (in 30 Fraktionen)
        rf"\b{_DPF_WORD}\s?(?P<d>{_NUM}){_GY}\s?[/,;]?\s?{_TOTAL_WORD}\s?(?P<t>{_NUM}){_GY}"
        rf"(?:\s(?:in|mit|with)\s(?P<n>\d{{1,3}})\s{_FX})?",
        # GD 60 Gy / ED 2 Gy
        rf"\b{_TOTAL_WORD}\s?(?P<t>{_NUM}){_GY}\s?[/,;]?\s?{_DPF_WORD}\s?(?P<d>{_NUM}){_GY}",
        # 2 Gy ED / 60 Gy GD
        _START + rf"(?P<d>{_NUM}){_GY}\s?ED\s?[/,;]?\s?(?P<t>{_NUM}){_GY}\s?GD\b",
        # 60 Gy GD / 2 Gy ED
        _START + rf"(?P<t>{_NUM}){_GY}\s?GD\s?[/,;]?\s?(?P<d>{_NUM}){_GY}\s?ED\b",
        # 60 Gy in 30 fractions (of 2 Gy) / 60 Gy in 30 Fraktionen (à 2 Gy)
        _START + rf"(?P<t>{_NUM}){_GY}\s(?:in|über|with|mit)\s(?P<n>\d{{1,3}})\s{_FX}"
        rf"(?:\s(?:of|à|a|zu|je|mit)\s(?:je\s)?(?P<d>{_NUM}){_GY})?",
        # 30 fractions of 2 Gy / 30 Fraktionen à 2 Gy
        _START + rf"(?P<n>\d{{1,3}})\s{_FX}\s(?:of|à|a|zu|je|mit)\s(?:je\s)?(?P<d>{_NUM}){_GY}",
    )
)
_DOSE = re.compile(rf"({_NUM_ALONE}){_GY}")
_GY_AT = re.compile(_GY)
_GY_WORD = re.compile(r"Gy\b", re.IGNORECASE)
_FRACTIONS = re.compile(rf"({_DIGIT_ALONE}\d{{0,2}})\s?{_FX}", re.IGNORECASE)
_ROLE_BEFORE = (
    (re.compile(rf"{_TOTAL_WORD}\s?$", re.IGNORECASE), "total"),
    (re.compile(rf"{_DPF_WORD}\s?$", re.IGNORECASE), "per_fraction"),
)
_ROLE_AFTER = (
    (re.compile(r"^\s?(?:GD\b|total\b|Gesamtdosis\b)", re.IGNORECASE), "total"),
    (
        re.compile(r"^\s?(?:ED\b|per\sfraction|pro\sFraktion|je\sFraktion)", re.IGNORECASE),
        "per_fraction",
    ),
)


def gy_value(number: str) -> str:
    """A written dose number as its normalised value: ``"60,0"`` → ``"60"``."""
    return f"{float(number.replace(',', '.')):g}"


def _gy_lines(text: str) -> list[tuple[int, int]]:
    """The spans of the lines that mention gray: the only places a schedule can stand."""
    spans: list[tuple[int, int]] = []
    for m in _GY_WORD.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        spans.append((start, end if end >= 0 else len(text)))
    return spans


def _schedule_facts(text: str, taken: list[tuple[int, int]]) -> Iterator[Fact]:
    group = 0
    lines = _gy_lines(text)
    for pattern in _SCHEDULES:
        for m in (m for start, end in lines for m in pattern.finditer(text, start, end)):
            if _overlaps(taken, m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            for name, kind, role in (
                ("n", "fractions", ""),
                ("d", "dose", "per_fraction"),
                ("t", "dose", "total"),
            ):
                number = m.groupdict().get(name)
                if number is None:
                    continue
                start, end = m.span(name)
                if kind == "dose":
                    end = _GY_AT.match(text, end).end()  # type: ignore[union-attr]
                    value = gy_value(number)
                else:
                    value = str(int(number))
                yield Fact(kind, value, text[start:end], start, end, role, group)
            group += 1


def _overlaps(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in spans)


def _dose_role(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 24) : start], text[end : end + 16]
    for pattern, role in _ROLE_BEFORE:
        if pattern.search(before):
            return role
    for pattern, role in _ROLE_AFTER:
        if pattern.search(after):
            return role
    return ""


def _doses(text: str) -> Iterator[Fact]:
    taken: list[tuple[int, int]] = []
    yield from _schedule_facts(text, taken)
    for m in _DOSE.finditer(text):
        if not _overlaps(taken, m.start(), m.end()):
            role = _dose_role(text, m.start(), m.end())
            yield Fact("dose", gy_value(m.group(1)), m.group(0), m.start(), m.end(), role)
    for m in _FRACTIONS.finditer(text):
        if not _overlaps(taken, m.start(), m.end()):
            yield Fact("fractions", str(int(m.group(1))), m.group(1), m.start(), m.end(1))


# --- dates -------------------------------------------------------------------------------------

MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
MONTHS_DE = (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
).split()
# abbreviations letters use, with or without a full stop: Jan., Feb, Mrz., Sept., Okt. ...
_MONTH_SHORT = {
    "jan": 1, "jän": 1, "feb": 2, "mar": 3, "mär": 3, "mrz": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(
    [*MONTHS_EN, *MONTHS_DE, *(rf"{short.capitalize()}\.?" for short in _MONTH_SHORT)]
)
_YEAR = r"(\d{4}|\d{2})"  # group: four digits, or two (01.02.25)
_DAY_TH = r"(\d{1,2})(?:st|nd|rd|th)?"
_DATE_NUMERIC = re.compile(r"(\d(?<![\d.,/]\d)\d?)\.(\d{1,2})\." + _YEAR + r"(?![\d/])")
_DATE_SLASH = re.compile(r"(\d(?<![\d./]\d)\d?)/(\d{1,2})/" + _YEAR + r"(?![\d/])")
_DATE_ISO = re.compile(r"(\d(?<![\d.-]\d)\d{3})-(\d{2})-(\d{2})(?![\d-])")
_DATE_WORDS = re.compile(
    rf"(\d(?<![\d.]\d)\d?)(?:st|nd|rd|th)?\.?\s(?:of\s)?({_MONTH_NAMES})\s{_YEAR}(?![\d.]\d)"
)
# every month name opens with a capital A-Z: the look-ahead spares the engine the names elsewhere
_DATE_EN_US = re.compile(rf"(?=[A-Z])\b({_MONTH_NAMES})\s{_DAY_TH},?\s{_YEAR}(?![\d.]\d)")
_DATE_MONTH = re.compile(rf"(?=[A-Z])\b({_MONTH_NAMES})\s(\d{{4}})(?![\d.]\d)")


def _month(name: str) -> int:
    if name in MONTHS_EN:
        return MONTHS_EN.index(name) + 1
    if name in MONTHS_DE:
        return MONTHS_DE.index(name) + 1
    return _MONTH_SHORT[name.rstrip(".").lower()]


def _year(written: str) -> int:
    """A written year; two digits are the latest such year at most five years from now."""
    if len(written) == 4:
        return int(written)
    latest = dt.date.today().year + 5
    year = latest - (latest - int(written)) % 100
    return year


def _date_fact(m: re.Match[str], day: int, month: int, year: int) -> Fact:
    try:
        value = dt.date(year, month, day).isoformat()
    except ValueError:  # 31.02.2025: no calendar date, so nothing in a case can support it
        value = f"invalid:{m.group(0)}"
    return Fact("date", value, m.group(0), m.start(), m.end())


def _month_fact(m: re.Match[str]) -> Fact:
    value = f"{int(m.group(2)):04d}-{_month(m.group(1)):02d}"
    return Fact("date", value, m.group(0), m.start(), m.end())


def _date_facts(text: str) -> list[Fact]:
    """Every date in ``text`` in any notation the module knows, in text order."""
    found = [
        *(_date_fact(m, int(m[1]), int(m[2]), _year(m[3])) for m in _DATE_NUMERIC.finditer(text)),
        *(_date_fact(m, int(m[1]), int(m[2]), _year(m[3])) for m in _DATE_SLASH.finditer(text)),
        *(_date_fact(m, int(m[3]), int(m[2]), int(m[1])) for m in _DATE_ISO.finditer(text)),
        *(_date_fact(m, int(m[1]), _month(m[2]), _year(m[3])) for m in _DATE_WORDS.finditer(text)),
        *(_date_fact(m, int(m[2]), _month(m[1]), _year(m[3])) for m in _DATE_EN_US.finditer(text)),
    ]
    days = [(f.start, f.end) for f in found]
    found += [_month_fact(m) for m in _DATE_MONTH.finditer(text) if not _overlaps(days, *m.span())]
    return sorted(found, key=lambda f: f.start)


_BIRTH = re.compile(
    r"(?:\bgeb\.|\bgeboren(?:\sam)?|\bborn(?:\son)?|\bDOB:?|\bbirth:?|\*)\s?$", re.I
)
_DIAGNOSED = re.compile(
    r"\b(?:Erstdiagnose|ED|diagnostiziert|first\sdiagnosed|diagnosed|diagnosis)(?:\s(?:am|on|in))?:?\s?$",
    re.IGNORECASE,
)
_UNTIL = re.compile(r"\s?(?:bis(?:\szum)?|to|until|through|–|-)\s?", re.IGNORECASE)
_BETWEEN = re.compile(r"\s(?:and|und)\s")


def _dates(text: str) -> Iterator[Fact]:
    """Dates in text order, each with its role where the words around it say it: ``birth``
    (geb., born), ``diagnosis`` (Erstdiagnose, first diagnosed), ``start`` and ``end`` of a
    period (vom … bis …, from … to …, between … and …)."""
    found = _date_facts(text)
    roles = [_date_role(text[max(0, f.start - 24) : f.start]) for f in found]
    for i in range(len(found) - 1):
        between = text[found[i].end : found[i + 1].start]
        before = text[max(0, found[i].start - 12) : found[i].start].lower()
        if _UNTIL.fullmatch(between) or (
            _BETWEEN.fullmatch(between) and ("between" in before or "zwischen" in before)
        ):
            roles[i], roles[i + 1] = "start", "end"
    for fact, role in zip(found, roles, strict=True):
        yield replace(fact, role=role) if role else fact


def _date_role(before: str) -> str:
    if _BIRTH.search(before):
        return "birth"
    return "diagnosis" if _DIAGNOSED.search(before) else ""


# --- codes and stages --------------------------------------------------------------------------

_ICD10 = re.compile(r"([A-Z](?<![\w.-][A-Z])\d{2}(?:\.\d{1,2}[A-Z]?)?)(?![\w-])")
_T = r"(?:y?[cpr]|yp|a)?T(?:is|x|[0-4][a-d]?[12]?)"
_TNM_NOTE = r"(?:\s?\((?!UICC|Stad|stage)[^()\n]{1,16}\))?"  # pN0(sn), pN0 (0/3 sn), cM1 (OSS)
_N = r"(?:y?[cp])?N(?:x|[0-3][a-c]?)" + _TNM_NOTE
_M = r"(?:y?[cp])?M(?:x|[01][a-c]?)" + _TNM_NOTE
_TNM = re.compile(rf"(?<![\w-]){_T}\s{{1,2}}{_N}(?:\s{{1,2}}{_M})?(?![\w-])")
_UICC = re.compile(
    r"\bUICC(?:-Stadium|\s+Stadium|\s+stage|-stage)?\s+(?P<stage>IV|I{1,3}|0)(?P<sub>[A-C]\d?)?\b"
)


def normalise_tnm(text: str) -> str:
    """A TNM string with single spaces between its parts and none before parentheses."""
    squeezed = re.sub(r"\s+", " ", text.strip())
    return re.sub(r"\s\(", "(", squeezed).replace("( ", "(").replace(" )", ")")


def _codes(text: str) -> Iterator[Fact]:
    for m in _ICD10.finditer(text):
        code = m.group(1)
        if (
            code[0] in "DV"
            and "." not in code
            and "ICD" not in text[max(0, m.start() - 16) : m.start()]
        ):
            continue  # "V20 < 30 %", "D95": dose-volume parameters, unless it says ICD
        yield Fact("icd10", code, code, m.start(1), m.end(1))
    for m in _TNM.finditer(text):
        yield Fact("tnm", normalise_tnm(m.group(0)), m.group(0), m.start(), m.end())
    for m in _UICC.finditer(text):
        stage = m.group("stage") + (m.group("sub") or "")
        yield Fact("uicc_stage", stage, m.group(0), m.start(), m.end())


# --- laterality --------------------------------------------------------------------------------

_SIDES = {
    "left": r"links(?:seitig(?:e[nrms]?)?)?|linke[nrms]?|left(?:-sided)?",
    "right": r"rechts(?:seitig(?:e[nrms]?)?)?|rechte[nrms]?|right(?:-sided)?",
    "bilateral": r"beidseits|beidseitig(?:e[nrms]?)?|bilateral(?:e[nrms]?)?",
}
_SIDE = re.compile(  # one word boundary before all the alternatives (see _TECHNIQUE)
    r"\b(?:" + "|".join(rf"(?P<{side}>(?:{words})\b)" for side, words in _SIDES.items()) + ")",
    re.IGNORECASE,
)
# English "left" and "right" are sides only where they do not belong to another phrase.
_NOT_A_SIDE_BEFORE = re.compile(
    r"\b(?:is|was|were|has|have|had|be|been|nothing|all|she|he|they|we|i|who|it)\s$", re.IGNORECASE
)
_NOT_A_SIDE_AFTER = re.compile(
    r"^\s(?:the|us|our|home|away|now|to|over|behind|untreated|alone)\b", re.IGNORECASE
)


def _sides(text: str) -> Iterator[Fact]:
    for m in _SIDE.finditer(text):
        side = m.lastgroup or ""
        word = m.group(0).lower()
        if word in ("left", "right") and (
            _NOT_A_SIDE_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
            or _NOT_A_SIDE_AFTER.search(text[m.end() : m.end() + 12])
        ):
            continue
        yield Fact("laterality", side, m.group(0), m.start(), m.end())


# --- drugs -------------------------------------------------------------------------------------


def _drugs(text: str) -> Iterator[Fact]:
    for m in DRUG.finditer(text):
        name = DRUG_SPELLINGS[m.group(1).lower()]
        if name.isupper() and m.group(1) != m.group(1).upper():
            continue  # regimens are written in capitals; "flot" is not FLOT
        yield Fact("drug", name, m.group(1), m.start(), m.end())


# --- CTCAE grades ------------------------------------------------------------------------------

_CTCAE = re.compile(
    r"\bCTCAE(?:\s?v?\d(?:\.\d)?)?:?\s(?:Grad|grade)\s?(?P<a>[0-5])\b"
    r"|\b(?:Grad|grade)\s?(?P<b>[0-5])\b(?:\s?(?:nach|according\sto|,|\()\s?CTCAE(?:\sv?\d(?:\.\d)?)?)?",
    re.IGNORECASE,
)
_OTHER_GRADE = re.compile(r"(?:WHO|ISUP|Gleason|group|Tumor|tumour|tumor)[\s-]$", re.IGNORECASE)


def _grades(text: str) -> Iterator[Fact]:
    for m in _CTCAE.finditer(text):
        if m.group("b") is not None and _OTHER_GRADE.search(
            text[max(0, m.start() - 10) : m.start()]
        ):
            continue  # "ZNS-WHO-Grad 4", "ISUP grade 2": a tumour's grade, not a side effect's
        grade = m.group("a") or m.group("b")
        yield Fact("ctcae_grade", grade, m.group(0), m.start(), m.end())


# --- names -------------------------------------------------------------------------------------

_TITLE = re.compile(r"\b(?:Frau|Herrn?|Mrs?\.?|Ms\.?|Miss|Dr\.?|Prof\.?|Professor)(?=\s)")
_MORE_TITLES = frozenset(
    "Dr Dr. Prof Prof. Professor PD med. univ. rer. nat. dent. Kollege Kollegin Kollegen "
    "Kolleginnen Colleague".split()
)
NAME_PARTICLES = frozenset(  # the small words inside family names ("von der Heide")
    "von van de der den zu del da di le la al dos".split()
)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


def _names(text: str) -> Iterator[Fact]:
    seen_until = -1
    for m in _TITLE.finditer(text):
        if m.start() < seen_until:
            continue  # "Frau Dr. med. Weber": one name, not two
        words: list[tuple[int, int]] = []
        at = m.end()
        while sum(text[s:e] not in NAME_PARTICLES for s, e in words) < 4:
            if text[at : at + 1] != " ":
                break
            w = _NAME_WORD.match(text, at + 1)
            if w is None:
                break
            word = w.group(0)
            title = (
                word in _MORE_TITLES
                or text[w.end() : w.end() + 1] == "."
                and word + "." in _MORE_TITLES
            )
            if title and not words:
                at = w.end() + (1 if text[w.end() : w.end() + 1] == "." else 0)
                continue
            if not (word[0].isupper() or word in NAME_PARTICLES):
                break
            words.append((w.start(), w.end()))
            at = w.end()
        while words and text[words[-1][0] : words[-1][1]] in NAME_PARTICLES:
            words.pop()
        if words:
            start, end = words[0][0], words[-1][1]
            seen_until = end
            name = text[start:end].removesuffix("'s").removesuffix("’s")
            yield Fact("name", name, text[start:end], start, end)


# --- techniques --------------------------------------------------------------------------------

_TECHNIQUES = {
    "VMAT": r"VMAT|RapidArc",
    "IMRT": r"IMRT|intensit(?:y|äts)[\s-]modulierte?",
    "3D-CRT": r"3D[\s-]?CRT|3D[\s-]konformale?",
    "SBRT": r"SBRT|SABR",
    "SRS": r"SRS|Radiochirurgie|radiosurgery",
    "stereotactic": r"stereota(?:ctic|ktische[nrms]?|ktisch)",
    "tomotherapy": r"[Tt]omotherap(?:y|ie)",
    "brachytherapy": r"[Bb]rachytherap(?:y|ie)|HDR|PDR|LDR|Afterloading",
    "electrons": r"[Ee]le[ck]tron(?:s|en)",
    "protons": r"[Pp]roton(?:s|en)|[Pp]rotonentherapie|proton\stherapy",
    "photons": r"[Pp]hoton(?:s|en)",
}
# one word boundary before all the alternatives, not one per alternative: Python's regex engine
# would try every alternative's own at every position of the letter (several times as slow)
_TECHNIQUE = re.compile(
    r"\b(?:"
    + "|".join(rf"(?P<t{i}>(?:{words})\b)" for i, words in enumerate(_TECHNIQUES.values()))
    + ")"
)
_TECHNIQUE_NAMES = tuple(_TECHNIQUES)
_ENERGY = re.compile(rf"({_DIGIT_ALONE}\d?)\s?(MV|MeV)\b")


def _techniques(text: str) -> Iterator[Fact]:
    for m in _TECHNIQUE.finditer(text):
        name = _TECHNIQUE_NAMES[int((m.lastgroup or "t0")[1:])]
        yield Fact("technique", name, m.group(0), m.start(), m.end())
    for m in _ENERGY.finditer(text):
        yield Fact("technique", f"{int(m.group(1))} {m.group(2)}", m.group(0), m.start(), m.end())


# --- all of it ---------------------------------------------------------------------------------


def extract(text: str) -> Iterator[Fact]:
    """Every fact in a text (see the module's docstring for the kinds), kind by kind."""
    yield from _doses(text)
    yield from _dates(text)
    yield from _codes(text)
    yield from _sides(text)
    yield from _drugs(text)
    yield from _grades(text)
    yield from _names(text)
    yield from _techniques(text)
