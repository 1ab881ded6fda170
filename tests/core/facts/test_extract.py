"""Facts in letter text: every notation a German or English letter writes them in."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from letterdesk.core.facts.extract import KINDS, Fact, extract


def found(text: str, kind: str | None = None) -> list[Fact]:
    facts = [f for f in extract(text) if kind is None or f.kind == kind]
    for f in facts:
        assert text[f.start : f.end] == f.text  # positions point at the fact itself
    return facts


def values(text: str, kind: str) -> list[str]:
    return [f.value for f in found(text, kind)]


def doses(text: str) -> list[tuple[str, str]]:
    return sorted((f.value, f.role) for f in found(text, "dose"))


# --- doses and fractions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bis 60 Gy", [("60", "")]),
        ("bis 60,0 Gy", [("60", "")]),
        ("40,05 Gy", [("40.05", "")]),
        ("40.05 Gy", [("40.05", "")]),
        ("Gesamtdosis 50,4 Gy", [("50.4", "total")]),
        ("total dose of 60 Gy", [("60", "total")]),
        ("Einzeldosis 1,8 Gy", [("1.8", "per_fraction")]),
        ("2 Gy per fraction", [("2", "per_fraction")]),
    ],
)
def test_a_dose_in_either_notation_and_its_role(text, expected):
    assert doses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "30 x 2 Gy",
        "30 × 2 Gy",
        "30x2 Gy",
        "2 Gy ED / 60 Gy GD",
        "ED 2 Gy / GD 60 Gy",
        "ED 2 Gy / GD 60 Gy in 30 Fraktionen",
        "GD 60 Gy / ED 2 Gy",
        "60 Gy in 30 fractions of 2 Gy",
        "60 Gy in 30 Fraktionen à 2 Gy",
        "30 x 2 Gy, Gesamtdosis 60 Gy",
        "30 × 2 Gy = 60 Gy",
        "30 fractions of 2 Gy",
    ],
)
def test_a_written_schedule_is_one_group_with_roles(text):
    facts = found(text)
    assert {f.group for f in facts} == {0}
    by_role = {(f.kind, f.role): f.value for f in facts}
    assert by_role[("dose", "per_fraction")] == "2"
    if "60" in text:  # every schedule that writes the total has it found
        assert by_role[("dose", "total")] == "60"
    if "30" in text:
        assert by_role[("fractions", "")] == "30"


def test_two_schedules_in_one_sentence_stay_apart():
    text = "Die Brust erhielt 50 Gy in 25 Fraktionen, danach einen Boost mit 8 x 2 Gy."
    groups = {f.group: (f.kind, f.value) for f in found(text) if f.kind == "fractions"}
    assert sorted(groups.values()) == [("fractions", "25"), ("fractions", "8")]
    assert len(groups) == 2


def test_fraction_counts_alone_and_numbers_that_are_not_doses():
    assert values("in 28 Fraktionen", "fractions") == ["28"]
    assert values("28 fractions", "fractions") == ["28"]
    assert found("6 MV Photonen, Cisplatin 40 mg/m², 4 x EC und 12 x Paclitaxel", "dose") == []
    assert found("4 x EC und 12 x Paclitaxel", "fractions") == []


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "01.02.2025", "1.2.2025", "01.02.25", "1. Februar 2025", "1. Feb. 2025", "1 Feb 2025",
        "February 1, 2025", "Feb 1st, 2025", "1 February 2025", "1st February 2025",
        "1st of February 2025", "2025-02-01", "01/02/2025", "1/2/25",
    ],
)  # fmt: skip
def test_a_date_in_every_notation(text):
    assert values(f"am {text} begonnen", "date") == ["2025-02-01"]
    assert values(f"started on {text}.", "date") == ["2025-02-01"]


@pytest.mark.parametrize("text", ["Februar 2025", "Feb. 2025", "February 2025", "Feb 2025"])
def test_a_month_without_a_day(text):
    assert values(f"Mammographie im {text}", "date") == ["2025-02"]


def test_a_two_digit_year_is_at_most_five_years_ahead():
    ahead = dt.date.today().year + 5
    assert values(f"01.02.{ahead % 100:02d}", "date") == [f"{ahead}-02-01"]
    assert values(f"01.02.{(ahead + 1) % 100:02d}", "date") == [f"{ahead + 1 - 100}-02-01"]
    assert values("geb. 02.03.54", "date") == ["1954-03-02"]


@pytest.mark.parametrize(
    "text", ["pN0 (0/3 sn)", "CTCAE v5.0 Grad 2", "C50.4", "Marker 2026", "3/2025", "v1.2.3"]
)
def test_what_is_no_date(text):
    assert values(text, "date") == []


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("Frau Muster, geb. 02.03.1954", ["birth"]),
        ("Ms Smith, born 2 March 1954", ["birth"]),
        ("Erstdiagnose 01.10.2024", ["diagnosis"]),
        ("first diagnosed 1 October 2024", ["diagnosis"]),
        ("vom 06.01.2025 bis 24.01.2025", ["start", "end"]),
        ("from 6 January 2025 to 24 January 2025", ["start", "end"]),
        ("From 2026-05-07 to 2026-06-01", ["start", "end"]),
        ("vom 07/05/2026 bis 01/06/2026", ["start", "end"]),
        ("between 6 January 2025 and 24 January 2025", ["start", "end"]),
        ("- 05.11.2024: Brusterhaltende Operation und 07.11.2024 Entlassung", ["", ""]),
    ],
)
def test_the_role_of_a_date_from_the_words_before_it(text, roles):
    assert [f.role for f in found(text, "date")] == roles


def test_a_date_that_does_not_exist_is_no_calendar_date():
    assert values("31.02.2025", "date") == ["invalid:31.02.2025"]


# --- codes, stages, sides ----------------------------------------------------------------------


def test_icd10_codes_tnm_and_uicc_stage():
    text = "Mammakarzinom links, ICD-10 C50.4, pT1c pN0(sn) cM0, UICC-Stadium IA; C61; G2"
    assert values(text, "icd10") == ["C50.4", "C61"]
    assert values(text, "tnm") == ["pT1c pN0(sn) cM0"]
    assert values(text, "uicc_stage") == ["IA"]
    assert values("pT1c pN0 (0/3 sn) M0", "tnm") == ["pT1c pN0(0/3 sn) M0"]
    assert values("cT2c cN0 cM0 (UICC IIC)", "tnm") == ["cT2c cN0 cM0"]
    assert values("UICC stage IIIB", "uicc_stage") == ["IIIB"]
    assert values("Lunge V20 < 30 %, D95 > 95 %; ICD-10 D05.1 und ICD-10: D32", "icd10") == [
        "D05.1",
        "D32",
    ]
    assert values("(UICC IA2)", "uicc_stage") == ["IA2"]


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Restbrust links", "left"),
        ("der linken Brust", "left"),
        ("linksseitig", "left"),
        ("Breast (left)", "left"),
        ("rechts", "right"),
        ("the right ilium", "right"),
        ("Lymphabflusswege beidseits", "bilateral"),
        ("bilateral mammography", "bilateral"),
    ],
)
def test_sides(text, side):
    assert values(text, "laterality") == [side]


def test_left_and_right_in_other_senses_are_no_sides():
    assert found("The patient left the clinic; all right; nothing left.", "laterality") == []


# --- drugs and grades --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("Cisplatin 40 mg/m² wöchentlich", "cisplatin"),
        ("weekly cisplatin", "cisplatin"),
        ("Temozolomid 75 mg/m²", "temozolomide"),
        ("temozolomide", "temozolomide"),
        ("adjuvante Temozolomid-Therapie", "temozolomide"),
        ("Capecitabin", "capecitabine"),
        ("Carboplatin", "carboplatin"),
        ("Paclitaxel", "paclitaxel"),
        ("Cetuximab", "cetuximab"),
        ("Docetaxel", "docetaxel"),
        ("Pembrolizumab", "pembrolizumab"),
        ("Durvalumab", "durvalumab"),
        ("Tamoxifen", "tamoxifen"),
        ("Letrozol", "letrozole"),
        ("anastrozole", "anastrozole"),
        ("Anastrozol", "anastrozole"),
        ("Induktion mit FOLFIRINOX", "FOLFIRINOX"),
    ],
)
def test_drugs_in_german_and_english_spelling(text, drug):
    assert values(text, "drug") == [drug]


def test_drug_combinations_and_abbreviations():
    assert values("Mitomycin C und 5-FU", "drug") == ["mitomycin", "fluorouracil"]
    assert values("mitomycin C and 5-fluorouracil", "drug") == ["mitomycin", "fluorouracil"]
    assert values("im Fluss (flot)", "drug") == []


@pytest.mark.parametrize(
    "text",
    [
        "Radiodermatitis CTCAE Grad 2",
        "Radiation dermatitis CTCAE grade 2",
        "Radiodermatitis (Grad 2 nach CTCAE v5.0)",
        "Dysphagia (grade 2, CTCAE v5.0)",
        "fatigue grade 2",
    ],
)
def test_ctcae_grades(text):
    assert values(text, "ctcae_grade") == ["2"]


def test_a_tumours_grade_is_no_ctcae_grade():
    text = "ZNS-WHO-Grad 4, CNS WHO grade 4, Gleason score 3+4=7 (ISUP grade group 2), G3"
    assert found(text, "ctcae_grade") == []


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Abschlussbericht über Frau Erika Muster, geb. 02.03.1954", "Erika Muster"),
        ("die Zuweisung von Herrn Jäger.", "Jäger"),
        ("Sehr geehrte Frau Dr. Øberg-Müller,", "Øberg-Müller"),
        ("Liebe Frau Kollegin Weber,", "Weber"),
        ("Dear Dr Weber,", "Weber"),
        ("Dr. med. Văn Minh von der Heide\nOberarzt", "Văn Minh von der Heide"),
        ("We saw Mr O'Sullivan's scar", "O'Sullivan"),
    ],
)
def test_names_after_a_title(text, name):
    assert values(text, "name") == [name]


def test_a_salutation_without_a_name_names_nobody():
    assert found("Sehr geehrte Frau Kollegin, sehr geehrter Herr Kollege,", "name") == []


_PIECES = [*"0123456789 .,x×/=-()\n;:", "Gy", "ED ", "GD ", " Fraktionen", " fractions of ",
           "links", "right", "CTCAE Grad ", "UICC ", "pT1c ", "cN0 ", "Frau ", "Dr. ", "Müller",
           "Cisplatin", "Februar ", "May "]  # fmt: skip
_LETTERISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
_A_FACT = st.sampled_from(["GD 50,4 Gy", "28 Fraktionen", "am 03.02.2025", "ICD-10 C50.4"])


@settings(max_examples=300, deadline=None)
@given(_LETTERISH, _A_FACT, _LETTERISH)
def test_any_text_gives_facts_that_point_at_themselves(before, fact_text, after):
    text = f"{before}\n{fact_text}\n{after}"
    facts = extract(text)
    assert facts  # at least the one set between the lines
    for fact in facts:
        assert text[fact.start : fact.end] == fact.text and fact.kind in KINDS
