"""Notation: numbers, dates and names exactly as a letter in each language writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from letterdesk.core.foundation import notation


@pytest.mark.parametrize(
    ("iso", "language", "expected"),
    [
        ("2025-01-06", "de", "06.01.2025"),
        ("2025-02-14", "de", "14.02.2025"),
        ("2025-01-06", "en", "6 January 2025"),
        ("1954-03-02", "en", "2 March 1954"),
        ("2024-12-31", "en", "31 December 2024"),
    ],
)
def test_dates_are_written_in_the_letter_language(iso, language, expected):
    assert notation.format_date(iso, language) == expected


def test_long_dates_spell_the_month():
    assert notation.format_date_long("2025-03-14", "de") == "14. März 2025"
    assert notation.format_date_long("2025-03-14", "en") == "14 March 2025"


@pytest.mark.parametrize(
    ("value", "german", "english"),
    [
        (2, "2 Gy", "2 Gy"),
        (2.0, "2 Gy", "2 Gy"),
        (2.67, "2,67 Gy", "2.67 Gy"),
        (40.05, "40,05 Gy", "40.05 Gy"),
        (1.8, "1,8 Gy", "1.8 Gy"),
        (50.4, "50,4 Gy", "50.4 Gy"),
        (60.0, "60 Gy", "60 Gy"),
        (36.25, "36,25 Gy", "36.25 Gy"),
        (0.5, "0,5 Gy", "0.5 Gy"),
    ],
)
def test_doses_have_no_trailing_zeros_and_the_language_separator(value, german, english):
    assert notation.format_gy(value, "de") == german
    assert notation.format_gy(value, "en") == english


def test_computed_totals_lose_their_float_noise():
    assert 2.67 * 7 != 18.69  # the float product carries noise the letter must not show
    assert notation.format_gy(2.67 * 7, "de") == "18,69 Gy"
    assert notation.format_gy(1.7 * 9, "en") == "15.3 Gy"
    assert notation.format_gy(2.66 * 15, "de") == "39,9 Gy"


def test_doses_round_half_up_to_two_decimals():
    assert notation.format_gy(2.675, "en") == "2.68 Gy"
    assert notation.format_gy(2.674, "de") == "2,67 Gy"
    assert notation.format_gy(59.999, "de") == "60 Gy"


@given(st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False))
def test_a_written_dose_reads_back_as_its_value(value):
    german = notation.format_gy(float(value), "de")
    english = notation.format_gy(float(value), "en")
    assert german == english.replace(".", ",")
    number = english.removesuffix(" Gy")
    assert Decimal(number) == value
    assert not ("." in number and number.endswith("0"))


def test_fraction_schedules():
    assert notation.format_fraction_schedule(30, 2.0, "de") == "30 x 2 Gy"
    assert notation.format_fraction_schedule(30, 2.0, "en") == "30 x 2 Gy"
    assert notation.format_fraction_schedule(15, 2.67, "de") == "15 x 2,67 Gy"
    assert notation.format_fraction_schedule(5, 7.25, "en") == "5 x 7.25 Gy"


def test_titles_by_sex_and_neutral_names_without_title():
    assert notation.sex_title("female", "de") == "Frau"
    assert notation.sex_title("male", "de") == "Herr"
    assert notation.sex_title("female", "en") == "Ms"
    assert notation.sex_title("male", "en") == "Mr"
    assert notation.sex_title("diverse", "de") == ""
    assert notation.sex_title("unknown", "en") == ""
    assert notation.titled_name("female", "Erika", "Muster", "de") == "Frau Erika Muster"
    assert notation.titled_name("male", "Seán", "O'Sullivan", "en") == "Mr Seán O'Sullivan"
    assert notation.titled_name("diverse", "Alex", "Şahin", "de") == "Alex Şahin"
    assert notation.titled_family_name("male", "Hans", "Weiß", "de") == "Herr Weiß"
    assert notation.titled_family_name("unknown", "Kim", "Nguyễn", "en") == "Kim Nguyễn"


def test_performance_status_grade_and_side():
    assert notation.format_performance_status("ECOG", 1, "de") == "ECOG 1"
    assert notation.format_performance_status("KPS", 80, "de") == "KPS 80 %"
    assert notation.format_performance_status("KPS", 80, "en") == "KPS 80%"
    assert notation.format_ctcae_grade(2, "de") == "CTCAE Grad 2"
    assert notation.format_ctcae_grade(2, "en") == "CTCAE grade 2"
    assert notation.format_laterality("left", "de") == "links"
    assert notation.format_laterality("bilateral", "en") == "bilateral"
    assert notation.format_laterality("none", "de") == ""
    assert notation.format_laterality(None, "en") == ""


@pytest.mark.parametrize(
    "call",
    [
        lambda: notation.format_date("2025-01-06", "fr"),
        lambda: notation.format_gy(2.0, "DE"),
        lambda: notation.sex_title("female", ""),
    ],
)
def test_an_unknown_language_is_refused(call):
    with pytest.raises(ValueError, match="letter language"):
        call()
