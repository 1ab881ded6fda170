"""Write the labelled sentences the fact check is measured on (tests/core/data/grounding_set.jsonl).

Sentences are lines of the reference letters (both house styles, both languages) of synthetic
cases, each with its dates written again in one notation drawn per sentence: as the generator
writes them, or as other letters do (ISO 8601, 07/05/2026, 07/05/26, 07.05.26, 7th May 2026,
7 Sept 2026, 7. Okt. 2026, Mai 2026). Half are left as they are ("correct"); in the other half
one error is planted, of eleven kinds: a wrong total dose or dose per fraction, a wrong number
of fractions, a shifted date, the wrong side, an invented drug, a wrong ICD-10 code, TNM, UICC
stage, name, CTCAE grade or technique.

Where to plant is found from the case, not from the fact check's extractor: the case's values
are looked for in the line in the notations letters write them in, and one of them is changed.
So an error the extractor cannot see is planted all the same, and counts as missed.

Each record names its case (seed, index), the house style, the date notation and, for a planted
error, the character span of the planted text, so the test can regenerate the case and check.
Deterministic: the same script writes the same file. Run it from the repository root:

    .venv/bin/python scripts/make_grounding_set.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from letterdesk.core.foundation import notation  # noqa: E402
from letterdesk.core.synthetic.generator import generate_case, reference_letter  # noqa: E402

OUT = ROOT / "tests" / "core" / "data" / "grounding_set.jsonl"
SEED = 31  # a series used neither for training (0) nor for the held-out cases (7_000_003)
PER_ERROR = 40
ERRORS = (
    "wrong_dose",
    "wrong_fractions",
    "shifted_date",
    "wrong_side",
    "invented_drug",
    "wrong_icd10",
    "wrong_tnm",
    "wrong_uicc_stage",
    "wrong_name",
    "wrong_grade",
    "wrong_technique",
)
CORRECT = PER_ERROR * len(ERRORS)
NOTATIONS = {
    "de": ("as_written", "iso", "two_digit", "short_month", "month_only"),
    "en": ("as_written", "iso", "slash", "two_digit", "ordinal", "short_month", "month_only"),
}

_DOSES = (1.8, 2, 2.5, 2.67, 3, 4, 5, 7.5, 8, 10, 12, 20, 25, 30, 36, 40.05, 45, 50, 50.4, 60, 66)
_SHIFTS = (-365, -28, -14, -7, -3, -2, -1, 1, 2, 3, 7, 14, 28, 365)
_MONTH_SHIFTS = (-365, -62, -31, 31, 62, 365)  # always another month
_INVENTED = (  # (German, English): common in radiation oncology, not all in the generator
    ("Cetuximab", "cetuximab"), ("Docetaxel", "docetaxel"), ("Gemcitabin", "gemcitabine"),
    ("Oxaliplatin", "oxaliplatin"), ("Etoposid", "etoposide"), ("Nivolumab", "nivolumab"),
    ("Durvalumab", "durvalumab"), ("Cisplatin", "cisplatin"), ("Carboplatin", "carboplatin"),
    ("Paclitaxel", "paclitaxel"), ("Temozolomid", "temozolomide"), ("Capecitabin", "capecitabine"),
)  # fmt: skip
_SWAP = {"links": "rechts", "rechts": "links", "left": "right", "right": "left", "linke": "rechte",
         "rechte": "linke", "linken": "rechten", "rechten": "linken"}  # fmt: skip
_CODES = ("C50.4", "C50.8", "C61", "C34.1", "C20", "C53.9", "C71.1", "C79.5", "C79.3", "C15.5",
          "C32.0", "C18.7", "C67.2", "C25.0", "C43.5", "C81.1", "C01", "C77.0")  # fmt: skip
_STAGES = ("0", "IA", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC", "IVA", "IVB", "I", "II", "III")
_NAMES = ("Schulz", "Hoffmann", "Novak", "Ahmeti", "Kowalczyk", "Lindqvist", "O'Brien", "Yılmaz")
_TECHNIQUES = ("VMAT", "IMRT", "3D-CRT", "SBRT", "Tomotherapie", "HDR-Brachytherapie")
_MONTH_SHORT = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec".split(),
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sep. Okt. Nov. Dez.".split(),
}

Span = tuple[int, int]
Planted = tuple[str, int, int]


# --- dates in other notations -------------------------------------------------------------------


def _case_dates(document: Any) -> set[str]:
    """Every ISO date of the case."""
    if isinstance(document, str):
        return {document} if re.fullmatch(r"\d{4}-\d{2}-\d{2}", document) else set()
    if isinstance(document, dict):
        return set().union(*map(_case_dates, document.values()))
    if isinstance(document, list):
        return set().union(*map(_case_dates, document))
    return set()


def _dates_in(line: str, case: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of each case date the line writes, as the generator writes it."""
    found: list[tuple[int, int, str]] = []
    for iso in _case_dates(case):
        for language in ("de", "en"):
            for written in (notation.format_date_long(iso, language),
                            notation.format_date(iso, language)):  # fmt: skip
                for m in re.finditer(rf"(?<![\d.]){re.escape(written)}(?!\d)", line):
                    if not any(m.start() < e and s < m.end() for s, e, _ in found):
                        found.append((m.start(), m.end(), iso))
    return sorted(found)


def _written(iso: str, style: str, language: str) -> str:
    """A date in one notation."""
    day = dt.date.fromisoformat(iso)
    month = _MONTH_SHORT[language][day.month - 1]
    full = notation.format_date_long(iso, language).split()[-2]  # the month's name
    if style == "iso":
        return iso
    if style == "slash":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "two_digit":
        separator = "." if language == "de" else "/"
        return f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year % 100:02d}"
    if style == "ordinal":
        suffix = "th" if 10 <= day.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
            day.day % 10, "th")  # fmt: skip
        return f"{day.day}{suffix} {full} {day.year}"
    if style == "short_month":
        return f"{day.day}. {month} {day.year}" if language == "de" else (
            f"{day.day} {month} {day.year}")  # fmt: skip
    if style == "month_only":
        return f"{full} {day.year}"
    raise ValueError(style)


Dated = list[tuple[int, int, str]]  # (start, end, ISO date) in a line


def renotated(line: str, case: dict[str, Any], style: str) -> tuple[str, Dated]:
    """The line with its case dates written in ``style``, and where they now stand."""
    spans = _dates_in(line, case)
    if style == "as_written":
        return line, spans
    out, at, moved = [], 0, []
    for start, end, iso in spans:
        out.append(line[at:start])
        written = _written(iso, style, case["language"])
        begin = sum(map(len, out))
        moved.append((begin, begin + len(written), iso))
        out.append(written)
        at = end
    out.append(line[at:])
    return "".join(out), moved


# --- where the case's values stand in a line ----------------------------------------------------


def _find(
    line: str, text: str, before: str = r"(?<![\w.,])", after: str = r"(?![\w,]\d|\w)"
) -> list[Span]:
    return [m.span() for m in re.finditer(before + re.escape(text) + after, line)]


def _replace(line: str, span: Span, text: str) -> Planted:
    start, end = span
    return line[:start] + text + line[end:], start, start + len(text)


def _courses(case: dict[str, Any]) -> list[dict[str, Any]]:
    return list(case.get("radiotherapy") or [])


def _wrong_dose(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    language = case["language"]
    doses = {float(c[k]) for c in _courses(case) for k in ("total_dose_gy", "dose_per_fraction_gy")}
    spans = [(s, v) for v in doses for s in _find(line, notation.format_gy(v, language))]
    if not spans:
        return None
    (start, end), old = rng.choice(sorted(spans))
    new = rng.choice([d for d in (*_DOSES, old + 0.2, old + 2) if d not in doses and d > 0])
    number = notation.format_number(new, language)
    return _replace(line, (start, start + len(notation.format_number(old, language))), number)


def _wrong_fractions(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    counts = {int(c["fractions"]) for c in _courses(case)}
    spans = [
        (m.span(1), n) for n in counts for m in re.finditer(
            rf"(?<![\w.,])({n})(?=\s?(?:x|×|Fraktion|fraction))", line)
    ]  # fmt: skip
    if not spans:
        return None
    span, old = rng.choice(sorted(spans))
    new = max(1, old + rng.choice((-5, -3, -2, -1, 1, 2, 3, 5))) if old > 1 else rng.choice((2, 5))
    return None if new in counts else _replace(line, span, str(new))


def _shifted_date(
    line: str, dates: list[tuple[int, int, str]], case: dict[str, Any], style: str,
    rng: random.Random,
) -> Planted | None:  # fmt: skip
    if not dates:
        return None
    start, end, iso = rng.choice(dates)
    shifts = _MONTH_SHIFTS if style == "month_only" else _SHIFTS
    moved = (dt.date.fromisoformat(iso) + dt.timedelta(days=rng.choice(shifts))).isoformat()
    if style == "as_written":
        written = line[start:end]
        numeric = re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", written)
        language = "de" if numeric or case["language"] == "de" and "." in written else "en"
        text = (notation.format_date(moved, "de") if numeric
                else notation.format_date_long(moved, language))  # fmt: skip
    else:
        text = _written(moved, style, case["language"])
    return _replace(line, (start, end), text)


def _wrong_side(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    spans = [m.span() for m in re.finditer(r"\b(?:" + "|".join(_SWAP) + r")\b", line, re.I)]
    if not spans:
        return None
    start, end = rng.choice(spans)
    word = line[start:end]
    swapped = _SWAP[word.lower()]
    return _replace(line, (start, end), swapped.capitalize() if word[0].isupper() else swapped)


def _invented_drug(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    told = json.dumps(case, ensure_ascii=False).casefold()
    german = case["language"] == "de"
    drug = rng.choice([d[0] if german else d[1] for d in _INVENTED if d[1][:6] not in told])
    therapies = " ".join(str(c.get("concurrent_therapy") or "") for c in _courses(case))
    given = set(re.findall(r"[A-Za-zäöü-]{5,}", therapies))
    spans = [s for w in sorted(given) for s in _find(line, w)]
    if spans:
        return _replace(line, rng.choice(spans), drug)
    doses = [s for c in _courses(case) for s in _find(line, notation.format_gy(
        float(c["total_dose_gy"]), case["language"]))]  # fmt: skip
    if not doses:
        return None  # a drug is invented where a course is told
    body = line.rstrip(".")
    lead = ", simultan " if german else ", concurrent "
    start = len(body) + len(lead)
    return body + lead + drug + line[len(body) :], start, start + len(drug)


def _wrong_icd10(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    codes = {d["icd10"] for d in case.get("diagnoses") or []}
    spans = [s for code in sorted(codes) for s in _find(line, code)]
    if not spans:
        return None
    return _replace(line, rng.choice(spans), rng.choice([c for c in _CODES if c not in codes]))


def _wrong_tnm(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    spans = [s for d in case.get("diagnoses") or [] if d.get("tnm") for s in _find(line, d["tnm"])]
    if not spans:
        return None
    start, end = rng.choice(spans)
    parts = list(re.finditer(r"(?<=[TN])([0-4])", line[start:end]))
    if not parts:
        return None
    digit = rng.choice(parts)
    old = int(digit.group(1))
    new = str(old + 1 if old < 3 else old - 1)
    return _replace(line, (start + digit.start(), start + digit.end()), new)


def _wrong_uicc_stage(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    stages = {d["uicc_stage"] for d in case.get("diagnoses") or [] if d.get("uicc_stage")}
    spans = [
        m.span(1) for stage in sorted(stages)
        for m in re.finditer(rf"UICC[^\n\d]{{0,12}}?\b({re.escape(stage)})\b", line)
    ]  # fmt: skip
    if not spans:
        return None
    return _replace(line, rng.choice(spans), rng.choice([s for s in _STAGES if s not in stages]))


def _wrong_name(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    people = [case.get("patient") or {}, case.get("recipient") or {}]
    families = {str(p.get("family_name", "")) for p in people} - {""}
    spans = [s for name in sorted(families) for s in _find(line, name, r"(?<!\w)", r"(?!\w)")]
    if not spans:
        return None
    return _replace(line, rng.choice(spans), rng.choice([n for n in _NAMES if n not in families]))


def _wrong_grade(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    terms = [str(t.get("term", "")) for t in case.get("toxicities") or []]
    spans = [m.span(1) for m in re.finditer(r"\b(?:Grad|grade)\s([0-5])\b", line)]
    if not spans or not any(term and term in line for term in terms):
        return None  # a side effect's grade, not a tumour's ("WHO grade 2")
    span = rng.choice(spans)
    old = int(line[span[0] : span[1]])
    return _replace(line, span, str(rng.choice([g for g in (1, 2, 3, 4) if g != old])))


def _wrong_technique(line: str, case: dict[str, Any], rng: random.Random) -> Planted | None:
    told = " ".join(str(c.get("technique", "")) for c in _courses(case))
    known = [t for t in ("VMAT", "IMRT", "3D-CRT", "SBRT", "Tomotherapie", "Tomotherapy")
             if t in told]  # fmt: skip
    spans = [s for t in known for s in _find(line, t, r"(?<![\w-])", r"(?![\w-])")]
    energies = [m.span(1) for m in re.finditer(r"\b(\d{1,2}) MV\b", line)]
    if spans and (not energies or rng.random() < 0.7):
        anywhere = json.dumps(case, ensure_ascii=False).casefold()
        others = [
            t
            for t in _TECHNIQUES  # not one the case names anywhere (another course...)
            if not any(part.casefold()[:6] in anywhere for part in t.split("-"))
        ]
        return _replace(line, rng.choice(spans), rng.choice(others))
    if energies:
        span = rng.choice(energies)
        old = line[span[0] : span[1]]
        return _replace(line, span, rng.choice([e for e in ("6", "10", "15", "18") if e != old]))
    return None


PLANTERS: dict[str, Callable[[str, dict[str, Any], random.Random], Planted | None]] = {
    "wrong_dose": _wrong_dose,
    "wrong_fractions": _wrong_fractions,
    "wrong_side": _wrong_side,
    "invented_drug": _invented_drug,
    "wrong_icd10": _wrong_icd10,
    "wrong_tnm": _wrong_tnm,
    "wrong_uicc_stage": _wrong_uicc_stage,
    "wrong_name": _wrong_name,
    "wrong_grade": _wrong_grade,
    "wrong_technique": _wrong_technique,
}


# --- the set ------------------------------------------------------------------------------------


def sentences() -> Iterator[tuple[int, str, dict[str, Any], str]]:
    """(case index, house style, case, line) for every line that is not empty, case after case."""
    for index in range(10_000):
        case = generate_case(SEED, index)
        for style in ("A", "B"):
            for line in reference_letter(case, style).split("\n"):
                if line.strip():
                    yield index, style, case, line


def build() -> list[dict[str, Any]]:
    """The labelled set: PER_ERROR sentences per planted error, then CORRECT correct ones."""
    records: list[dict[str, Any]] = []
    wanted = {error: PER_ERROR for error in ERRORS} | {"correct": CORRECT}
    rng = random.Random(f"letterdesk-grounding-set-2:{SEED}")
    for index, style, case, line in sentences():
        label = rng.choice([k for k, left in wanted.items() if left > 0])
        dates_style = rng.choice(NOTATIONS[case["language"]])
        text, dates = renotated(line, case, dates_style)
        record = {"seed": SEED, "index": index, "style": style, "dates": dates_style,
                  "label": label}  # fmt: skip
        if label == "correct":
            if not dates and not any(plant(text, case, random.Random(0)) for plant in
                                     PLANTERS.values()):  # fmt: skip
                continue  # a line without any fact of the case
            record |= {"sentence": text, "span": None}
        else:
            planted = (
                _shifted_date(text, dates, case, dates_style, rng) if label == "shifted_date"
                else PLANTERS[label](text, case, rng)
            )  # fmt: skip
            if planted is None or planted[0] == text:
                continue
            sentence, start, end = planted
            record |= {"sentence": sentence, "span": [start, end], "original": text}
        records.append(record)
        wanted[label] -= 1
        if not any(wanted.values()):
            return records
    raise RuntimeError(f"not enough sentences; still wanted {wanted}")


def main() -> None:
    """Write the set as JSON lines, one record per sentence."""
    records = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(records)} sentences written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
