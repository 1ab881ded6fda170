"""Write the labelled sentences the fact check is measured on (tests/core/data/grounding_set.jsonl).

Sentences are lines of the reference letters (both house styles, both languages) of synthetic
cases. Half are left as written ("correct"); in the other half one error is planted: a wrong
dose, a wrong number of fractions, a shifted date, the wrong side, or an invented drug. Each
record names its case (seed, index), the house style, the sentence and, for a planted error,
the character span of the planted text, so the test can regenerate the case and check.

Deterministic: the same script writes the same file. Run it from the repository root:

    .venv/bin/python scripts/make_grounding_set.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from letterdesk.core.facts.extract import Fact, extract  # noqa: E402
from letterdesk.core.foundation import notation  # noqa: E402
from letterdesk.core.synthetic.generator import generate_case, reference_letter  # noqa: E402

OUT = ROOT / "tests" / "core" / "data" / "grounding_set.jsonl"
SEED = 31  # a series used neither for training (0) nor for the held-out cases (7_000_003)
PER_ERROR = 50
ERRORS = ("wrong_dose", "wrong_fractions", "shifted_date", "wrong_side", "invented_drug")
CORRECT = PER_ERROR * len(ERRORS)

_DOSES = (
    1.8,
    2,
    2.5,
    2.67,
    3,
    4,
    5,
    5.2,
    7.25,
    7.5,
    8,
    10,
    12,
    15,
    20,
    25,
    26,
    30,
    36.25,
    40.05,
    41.4,
    45,
    48,
    50,
    50.4,
    54,
    56,
    59.4,
    60,
    66,
    70,
    78,
)
_SHIFTS = (-365, -28, -14, -7, -3, -2, -1, 1, 2, 3, 7, 14, 28, 365)
# Drugs to invent, (German, English): common in radiation oncology, not all in the generator.
_INVENTED = (
    ("Cetuximab", "cetuximab"),
    ("Docetaxel", "docetaxel"),
    ("Gemcitabin", "gemcitabine"),
    ("Oxaliplatin", "oxaliplatin"),
    ("Etoposid", "etoposide"),
    ("Nivolumab", "nivolumab"),
    ("Atezolizumab", "atezolizumab"),
    ("Bevacizumab", "bevacizumab"),
    ("Anastrozol", "anastrozole"),
    ("Exemestan", "exemestane"),
    ("Cisplatin", "cisplatin"),
    ("Carboplatin", "carboplatin"),
    ("Paclitaxel", "paclitaxel"),
    ("Temozolomid", "temozolomide"),
    ("Capecitabin", "capecitabine"),
    ("Pembrolizumab", "pembrolizumab"),
    ("Durvalumab", "durvalumab"),
    ("Tamoxifen", "tamoxifen"),
    ("Letrozol", "letrozole"),
    ("Mitomycin C", "mitomycin C"),
    ("5-FU", "5-FU"),
)
_SWAP = {
    "links": "rechts",
    "rechts": "links",
    "left": "right",
    "right": "left",
    "linke": "rechte",
    "rechte": "linke",
    "linken": "rechten",
    "rechten": "linken",
}


def sentences() -> Iterator[tuple[int, str, dict[str, Any], str]]:
    """(case index, house style, case, line) for every line with a fact, case after case."""
    for index in range(10_000):
        case = generate_case(SEED, index)
        for style in ("A", "B"):
            for line in reference_letter(case, style).split("\n"):
                if any(True for _ in extract(line)):
                    yield index, style, case, line


def _plant(
    error: str, line: str, case: dict[str, Any], rng: random.Random
) -> tuple[str, int, int] | None:
    """The line with one error planted, and the span of the planted text; None if it has no
    fact of that kind."""
    language = case["language"]
    facts = list(extract(line))
    if error == "invented_drug":
        return _invent_drug(line, case, facts, rng)
    kind = {
        "wrong_dose": "dose",
        "wrong_fractions": "fractions",
        "shifted_date": "date",
        "wrong_side": "laterality",
    }[error]
    chosen = [f for f in facts if f.kind == kind]
    if not chosen:
        return None
    fact = rng.choice(chosen)
    if error == "wrong_dose":
        old = float(fact.value)
        new = rng.choice(
            [
                d
                for d in (*_DOSES, old + 0.2, old - 0.2, old + 2, old + 10)
                if abs(d - old) > 1e-6 and d > 0
            ]
        )
        text = notation.format_gy(new, language)
    elif error == "wrong_fractions":
        old_n = int(fact.value)
        text = str(
            max(1, old_n + rng.choice((-5, -3, -2, -1, 1, 2, 3, 5)))
            if old_n > 1
            else rng.choice((2, 3, 5))
        )
    elif error == "shifted_date":
        text = _shifted(fact, rng.choice(_SHIFTS))
    else:
        if fact.text.lower() not in _SWAP:
            return None
        swapped = _SWAP[fact.text.lower()]
        text = swapped.capitalize() if fact.text[0].isupper() else swapped
    if text == fact.text:
        return None
    return line[: fact.start] + text + line[fact.end :], fact.start, fact.start + len(text)


def _shifted(fact: Fact, days: int) -> str:
    day = dt.date.fromisoformat(fact.value) + dt.timedelta(days=days)
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", fact.text):
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return notation.format_date(day.isoformat(), "en")  # "6 January 2025"


def _invent_drug(
    line: str, case: dict[str, Any], facts: list[Fact], rng: random.Random
) -> tuple[str, int, int] | None:
    told = json.dumps(case, ensure_ascii=False).casefold()
    german = case["language"] == "de"
    candidates = [
        d[0] if german else d[1]
        for d in _INVENTED
        if d[1].split()[0].casefold().rstrip("e") not in told
    ]
    drug = rng.choice(candidates)
    present = [f for f in facts if f.kind == "drug"]
    if present:
        fact = rng.choice(present)
        return line[: fact.start] + drug + line[fact.end :], fact.start, fact.start + len(drug)
    if not any(f.kind == "dose" for f in facts):
        return None  # a drug is invented where a course is told
    body = line.rstrip(".")
    lead = ", simultan " if german else ", concurrent "
    start = len(body) + len(lead)
    return body + lead + drug + line[len(body) :], start, start + len(drug)


def build() -> list[dict[str, Any]]:
    """The labelled set: PER_ERROR sentences per planted error, then CORRECT correct ones."""
    records: list[dict[str, Any]] = []
    wanted = {error: PER_ERROR for error in ERRORS} | {"correct": CORRECT}
    rng = random.Random(f"letterdesk-grounding-set:{SEED}")
    for index, style, case, line in sentences():
        label = rng.choice([k for k, left in wanted.items() if left > 0])
        record = {"seed": SEED, "index": index, "style": style, "label": label}
        if label == "correct":
            record |= {"sentence": line, "span": None}
        else:
            planted = _plant(label, line, case, rng)
            if planted is None:
                continue
            text, start, end = planted
            record |= {"sentence": text, "span": [start, end], "original": line}
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
