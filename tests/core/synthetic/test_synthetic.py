"""Synthetic cases and their reference letters: deterministic, valid, varied, and faithful."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from statistics import mean
from typing import Any

import jsonschema
import pytest

from letterdesk.core.cases.address import address_block
from letterdesk.core.facts.key_facts import key_facts, missing_facts
from letterdesk.core.foundation import notation
from letterdesk.core.synthetic.generator import (
    HOUSE_STYLES,
    LETTER_TYPES,
    generate_case,
    generate_cases,
    reference_letter,
)

ROOT = Path(__file__).resolve().parents[3]
Case = dict[str, Any]


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return generate_cases(600, seed=7)


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


# --- determinism -----------------------------------------------------------------------------


def test_the_same_seed_and_index_give_the_identical_case():
    first = json.dumps(generate_cases(40, seed=3, start=10), ensure_ascii=False)
    second = json.dumps(generate_cases(40, seed=3, start=10), ensure_ascii=False)
    assert first == second
    assert generate_cases(5, seed=3, start=12)[0] == generate_case(3, 12)
    assert generate_case(3, 12, language="en", letter_type="follow_up") == generate_case(
        3, 12, language="en", letter_type="follow_up"
    )


def test_different_seeds_and_indices_give_different_cases():
    one, other = generate_cases(30, seed=1), generate_cases(30, seed=2)
    assert all(a != b for a, b in zip(one, other, strict=True))
    assert len({json.dumps(c["patient"] | {"patient_id": ""}) for c in one}) > 25


def test_cases_are_identical_in_another_process_with_another_hash_seed():
    script = (
        "import json, sys; from letterdesk.core.synthetic.generator import generate_cases; "
        "sys.stdout.write(json.dumps(generate_cases(25, seed=11, start=100), "
        "ensure_ascii=True))"
    )
    env = os.environ | {"PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert out == json.dumps(generate_cases(25, seed=11, start=100), ensure_ascii=True)


def test_the_clinical_story_does_not_depend_on_the_language():
    for index in range(20):
        german = generate_case(5, index, language="de")
        english = generate_case(5, index, language="en")
        assert german["language"] == "de" and english["language"] == "en"
        assert german["patient"] == english["patient"]
        assert [d["icd10"] for d in german["diagnoses"]] == [
            d["icd10"] for d in english["diagnoses"]
        ]
        pairs = zip(german["radiotherapy"], english["radiotherapy"], strict=True)
        for de_course, en_course in pairs:
            for key in ("dose_per_fraction_gy", "fractions", "total_dose_gy", "start_date"):
                assert de_course[key] == en_course[key]


def test_language_and_letter_type_can_be_chosen_and_are_checked():
    case = generate_case(0, 1, language="en", letter_type="initial_consultation")
    assert (case["language"], case["letter_type"]) == ("en", "initial_consultation")
    with pytest.raises(ValueError):
        generate_case(0, 1, language="fr")
    with pytest.raises(ValueError):
        generate_case(0, 1, letter_type="discharge")


# --- the cases -------------------------------------------------------------------------------


def test_every_case_follows_the_case_format_and_is_complete(cases):
    schema = json.loads((ROOT / "resources" / "case.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for case in cases:
        assert list(validator.iter_errors(case)) == [], case["case_id"]
        assert case["synthetic"] is True
        assert case["case_id"].startswith("SYN-") and case["patient"]["patient_id"].startswith(
            "SYN-P-"
        )
        for key in (
            "recipient",
            "author",
            "history",
            "radiotherapy",
            "toxicities",
            "performance_status",
            "findings",
            "follow_up",
            "recommendations",
        ):
            assert case[key], (case["case_id"], key)
        assert 1 <= len(case["toxicities"]) <= 3
        assert all(0 <= t["ctcae_grade"] <= 3 for t in case["toxicities"])
        assert 2 <= len(case["follow_up"]) <= 3 and all(f.get("date") for f in case["follow_up"])
    assert 0.15 < sum("notes" in case for case in cases) / len(cases) < 0.45


def test_languages_and_letter_types_are_drawn_with_their_weights(cases):
    languages = Counter(case["language"] for case in cases)
    types = Counter(case["letter_type"] for case in cases)
    assert set(types) == set(LETTER_TYPES)
    assert 0.4 < languages["de"] / len(cases) < 0.6
    assert 0.5 < types["final_report"] / len(cases) < 0.7
    assert 0.12 < types["follow_up"] / len(cases) < 0.28


def test_many_tumour_sites_appear(cases):
    prefixes = Counter(case["diagnoses"][0]["icd10"][:3] for case in cases[:500])
    assert len(prefixes) >= 12
    for expected in ("C61", "C50", "C20", "C71", "C34", "C15", "C21", "C53", "C79", "C25", "C67"):
        assert expected in prefixes
    assert {"C01", "C02", "C09", "C10", "C13", "C32"} & set(prefixes)
    assert {"C81", "C83"} & set(prefixes)
    icd10 = {d["icd10"] for case in cases for d in case["diagnoses"]}
    assert {"C79.5", "C79.3"} <= icd10
    assert (len(icd10), len({code[:3] for code in icd10})) == (34, 21)  # as the README says


def test_the_dose_schedules_of_the_domain_table_appear(cases):
    schedules = {
        (c["fractions"], c["dose_per_fraction_gy"]) for case in cases for c in case["radiotherapy"]
    }
    expected = {
        (30, 2.0),
        (15, 2.67),
        (5, 7.25),
        (3, 15.0),
        (1, 8.0),
        (28, 1.8),
        (5, 5.0),
        (39, 2.0),
        (20, 3.0),
        (28, 2.5),
        (5, 5.2),
        (25, 2.0),
        (35, 2.0),
        (23, 1.8),
        (4, 12.0),
        (8, 7.5),
        (5, 4.0),
        (10, 3.0),
        (1, 20.0),
    }
    assert expected <= schedules


def test_total_dose_is_dose_per_fraction_times_fractions(cases):
    for case in cases:
        for course in case["radiotherapy"]:
            product = course["dose_per_fraction_gy"] * course["fractions"]
            assert course["total_dose_gy"] == round(product, 2)


def test_breast_boosts_and_concurrent_chemotherapy_appear(cases):
    breast = [case for case in cases if case["diagnoses"][0]["icd10"].startswith("C50")]
    assert any(len(case["radiotherapy"]) == 2 for case in breast)
    drugs = " ".join(
        c.get("concurrent_therapy", "") for case in cases for c in case["radiotherapy"]
    ).lower()
    for drug in ("cisplatin", "temozolom", "capecitabin", "mitomycin c", "carboplatin"):
        assert drug in drugs


def test_how_many_courses_a_case_has_is_not_tied_to_its_site(cases):
    structures = {(len(c["diagnoses"]), len(c["radiotherapy"])) for c in cases}
    assert {(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)} <= structures
    boosted = [c for c in cases if c["radiotherapy"][-1]["target"].startswith("Boost")]
    sites = {c["diagnoses"][0]["icd10"][:3] for c in boosted}
    assert len(sites) >= 8  # a boost after the plan of many sites, not only the breast's
    lesions = [c for c in cases if len(c["diagnoses"]) == 2 and len(c["radiotherapy"]) == 2]
    for case in lesions:  # a second metastasis treated after the first: another lesion
        first, second = (course["target"] for course in case["radiotherapy"])
        assert first != second


def test_dates_follow_the_course_of_treatment(cases):
    for case in cases:
        birth = day(case["patient"]["birth_date"])
        diagnosed = [day(d["date"]) for d in case["diagnoses"]]
        history = [day(h["date"]) for h in case["history"]]
        courses = [(day(c["start_date"]), day(c["end_date"])) for c in case["radiotherapy"]]
        visits = [day(f["date"]) for f in case["follow_up"]]
        assert 1935 <= birth.year <= 2000
        assert birth < min(diagnosed)
        assert all(min(diagnosed) <= h < courses[0][0] for h in history)
        assert history == sorted(history)
        assert max(diagnosed) < courses[0][0]
        for (start, end), later in zip(courses, courses[1:] + [(None, None)], strict=True):
            assert start <= end and start.weekday() < 5 and end.weekday() < 5
            assert later[0] is None or end < later[0]
        assert courses[-1][1] < visits[0] and visits == sorted(set(visits))


def test_treatment_time_fits_the_fraction_count(cases):
    for case in cases:
        for course in case["radiotherapy"]:
            start, end = day(course["start_date"]), day(course["end_date"])
            weekdays = sum(
                (start + dt.timedelta(days=n)).weekday() < 5 for n in range((end - start).days + 1)
            )
            assert course["fractions"] <= weekdays <= 2 * course["fractions"] + 3


def test_follow_up_starts_six_to_eight_weeks_after_a_final_report(cases):
    for case in cases:
        if case["letter_type"] == "final_report":
            end = day(case["radiotherapy"][-1]["end_date"])
            first, second = (day(f["date"]) for f in case["follow_up"][:2])
            assert 42 <= (first - end).days <= 58
            assert (second - first).days == 91


def test_laterality_and_sex_fit_the_site(cases):
    for case in cases:
        main, sex = case["diagnoses"][0], case["patient"]["sex"]
        if main["icd10"][:3] in ("C50", "C34"):
            assert main["laterality"] in ("left", "right")
        if main["icd10"][:3] in ("C61", "C20", "C21", "C53"):
            assert main["laterality"] == "none"
        if any(d["icd10"] == "C61" for d in case["diagnoses"]):
            assert sex == "male"
        if main["icd10"].startswith("C53"):
            assert sex == "female"
    assert {"diverse", "unknown"} & {case["patient"]["sex"] for case in cases}


def test_names_include_unicode_and_apostrophes(cases):
    names = [f"{c['patient']['given_name']} {c['patient']['family_name']}" for c in cases]
    assert sum(not name.isascii() for name in names) > 60
    assert any(any(ord(ch) > 0xFF for ch in name) for name in names)  # beyond Latin-1: ễ, ł, ş
    assert any("'" in name for name in names)
    titles = {c["recipient"].get("title") for c in cases}
    assert {"Dr. med.", "Prof. Dr. med.", "Dr", "Professor"} <= titles


# --- the letters -----------------------------------------------------------------------------


def test_every_reference_letter_contains_every_key_fact(cases):
    combinations = Counter()
    for case in cases:
        assert key_facts(case)
        for style in HOUSE_STYLES:
            letter = reference_letter(case, style)
            assert missing_facts(case, letter) == [], (case["case_id"], style)
            combinations[(case["letter_type"], case["language"], style)] += 1
    assert len(combinations) == 12 and min(combinations.values()) >= 25


_DATE_RE = {
    "de": re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b"),
    "en": re.compile(
        r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|"
        r"September|October|November|December) \d{4}\b"
    ),
}
_DOSE_RE = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)? Gy\b")


def _case_dates(case: Case) -> set[str]:
    isos = [case["patient"]["birth_date"]]
    isos += [d["date"] for d in case["diagnoses"]] + [h["date"] for h in case["history"]]
    isos += [c[k] for c in case["radiotherapy"] for k in ("start_date", "end_date")]
    isos += [f["date"] for f in case["follow_up"]]
    written = {notation.format_date(iso, case["language"]) for iso in isos}
    return written | set(_DATE_RE[case["language"]].findall(case["findings"]))


def test_letters_invent_no_dates_or_doses(cases):
    for case in cases[:200]:
        language = case["language"]
        doses = {
            notation.format_gy(c[k], language)
            for c in case["radiotherapy"]
            for k in ("dose_per_fraction_gy", "total_dose_gy")
        }
        for style in HOUSE_STYLES:
            letter = reference_letter(case, style)
            dates, written = set(_DATE_RE[language].findall(letter)), set(_DOSE_RE.findall(letter))
            assert dates and written, (case["case_id"], style)  # what is checked here is found
            assert dates <= _case_dates(case)
            assert written <= doses, (case["case_id"], style)


_HEADINGS = {
    ("A", "de", "final_report"): [
        "Diagnose:",
        "Bisherige Therapie:",
        "Durchgeführte Strahlentherapie:",
        "Verlauf und Verträglichkeit:",
        "Empfehlung:",
        "Nachsorge:",
    ],
    ("B", "de", "final_report"): [
        "Diagnosen:",
        "Therapieverlauf:",
        "Verträglichkeit:",
        "Anamnese:",
        "Nachsorgetermine:",
        "Procedere:",
    ],
    ("A", "en", "initial_consultation"): [
        "Diagnosis:",
        "Previous treatment:",
        "Findings:",
        "Proposed radiotherapy:",
        "Recommendations:",
    ],
    ("B", "en", "follow_up"): [
        "Diagnoses:",
        "Findings:",
        "Late toxicity:",
        "Previous radiotherapy:",
        "Further appointments:",
    ],
}


@pytest.mark.parametrize(("style", "language", "letter_type"), sorted(_HEADINGS))
def test_letters_follow_the_shared_format_and_their_style(style, language, letter_type):
    case = generate_case(21, 4, language=language, letter_type=letter_type)
    case["diagnoses"] = case["diagnoses"][:1]
    letter = reference_letter(case, style)
    assert "\n\n\n" not in letter and letter == letter.strip()
    assert all(line == line.rstrip() for line in letter.splitlines())
    headings = [
        p.split("\n")[0]
        for p in letter.split("\n\n")
        if p.split("\n")[0].endswith(":") and "\n" in p
    ]
    assert headings == _HEADINGS[(style, language, letter_type)]
    for paragraph in letter.split("\n\n"):
        assert not paragraph.endswith(":")  # a heading always has content
    items = [line for line in letter.splitlines() if line.startswith("-")]
    assert items and all(line.startswith("- ") for line in items)


def test_reference_line_salutation_and_closing():
    case = generate_case(2, 9, language="de", letter_type="final_report")
    case["patient"] |= {
        "sex": "female",
        "given_name": "Erika",
        "family_name": "Muster",
        "birth_date": "1954-03-02",
    }
    case["recipient"] |= {"salutation": "Frau", "title": "Dr. med.", "family_name": "Weber"}
    a, b = reference_letter(case, "A"), reference_letter(case, "B")
    assert a.startswith(
        "Abschlussbericht über die Strahlentherapie von Frau Erika Muster, "
        "geb. 02.03.1954\n\nSehr geehrte Frau Dr. Weber,\n\nwir berichten"
    )
    assert "\n\nMit freundlichen kollegialen Grüßen\n\n" in a
    assert b.startswith("Arztbrief nach Strahlentherapie – Frau Erika Muster")
    assert "Liebe Frau Kollegin Weber," in b and "ED " in b and " / GD " in b
    case["language"] = "en"
    case["recipient"] |= {"salutation": "Mr", "title": "Dr", "family_name": "Schmidt"}
    english = reference_letter(case, "A")
    assert english.startswith(
        "Final report on the radiotherapy of Ms Erika Muster, "
        "born 2 March 1954\n\nDear Dr Schmidt,\n\n"
    )
    assert re.search(r"\d+(\.\d+)? Gy in \d+ fractions? of ", reference_letter(case, "B"))


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 on lower-cased word tokens (longest common subsequence)."""
    a, b = _tokens(candidate), _tokens(reference)
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    common = previous[-1]
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def test_rouge_l_measures_word_overlap():
    assert rouge_l("a b c d", "a b c d") == 1.0
    assert rouge_l("a b c d", "e f g") == 0.0
    assert rouge_l("a x b y", "a b") == pytest.approx(2 * 0.5 * 1.0 / 1.5)


def test_the_two_house_styles_differ_clearly(cases):
    scores = Counter()
    counts = Counter()
    for case in cases[:90]:
        a, b = reference_letter(case, "A"), reference_letter(case, "B")
        score = rouge_l(b, a)
        assert score < 0.7, case["case_id"]
        scores[case["letter_type"]] += score
        counts[case["letter_type"]] += 1
    for letter_type in LETTER_TYPES:
        assert scores[letter_type] / counts[letter_type] < 0.55, letter_type


def test_final_reports_are_concise(cases):
    for language in notation.LANGUAGES:
        for style in HOUSE_STYLES:
            lengths = [
                len(reference_letter(case, style))
                for case in cases
                if case["language"] == language and case["letter_type"] == "final_report"
            ]
            assert 900 <= mean(lengths) <= 1500
            assert max(lengths) < 2000


def test_the_address_block_is_not_part_of_the_body():
    case = generate_case(4, 2, language="de")
    case["recipient"] = {
        "salutation": "Herr",
        "title": "Prof. Dr. med.",
        "given_name": "Jürgen",
        "family_name": "Schmidt",
        "institution": "Klinik für Urologie",
        "street": "Lindenstraße 12",
        "postal_code": "79106",
        "city": "Freiburg im Breisgau",
    }
    assert address_block(case) == [
        "Klinik für Urologie",
        "Herr Prof. Dr. med. Jürgen Schmidt",
        "Lindenstraße 12",
        "79106 Freiburg im Breisgau",
    ]
    letter = reference_letter(case, "A")
    assert "Lindenstraße 12" not in letter and "79106" not in letter
    assert "Sehr geehrter Herr Prof. Dr. Schmidt," in letter
    case["language"] = "en"
    case["recipient"] |= {"salutation": "Mr", "title": "Professor"}
    assert address_block(case)[1] == "Professor Jürgen Schmidt"
    assert address_block(case | {"recipient": {}}) == []


def test_an_unknown_house_style_is_refused():
    with pytest.raises(ValueError, match="house style"):
        reference_letter(generate_case(0, 0), "C")
