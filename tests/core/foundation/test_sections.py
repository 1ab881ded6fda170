"""Splitting a letter's text into headings, paragraphs and list items."""

from __future__ import annotations

from letterdesk.core.foundation.sections import (
    ListItem,
    Paragraph,
    Section,
    is_heading,
    join_sections,
    split_sections,
)

LETTER = """Sehr geehrte Frau Kollegin,

wir berichten über Ihre Patientin Frau Thảo Nguyễn, geb. 02.03.1954.

Diagnose:
Mammakarzinom links (C50.4), pT1c pN0(sn) cM0

Therapie:
Hypofraktionierte Radiotherapie der linken Brust:
- 40,05 Gy in 15 Fraktionen à 2,67 Gy
- Boost: keiner

Procedere:
- Wiedervorstellung in 3 Monaten
  mit aktuellem Befund
- Hautpflege mit Urea-Creme
Bei Beschwerden jederzeit früher.

Mit freundlichen kollegialen Grüßen

Dr. Seán O'Sullivan
Oberarzt"""


def test_a_letter_splits_into_typed_sections():
    sections = split_sections(LETTER)
    assert [s.heading for s in sections] == [
        None,
        "Diagnose",
        "Therapie",
        "Hypofraktionierte Radiotherapie der linken Brust",
        "Procedere",
    ]
    opening, diagnosis, therapy, plan, procedure = sections
    assert opening.paragraphs == (
        "Sehr geehrte Frau Kollegin,",
        "wir berichten über Ihre Patientin Frau Thảo Nguyễn, geb. 02.03.1954.",
    )
    assert diagnosis.blocks == (Paragraph("Mammakarzinom links (C50.4), pT1c pN0(sn) cM0"),)
    assert therapy.blocks == () and therapy.list_items == ()
    assert plan.list_items == ("40,05 Gy in 15 Fraktionen à 2,67 Gy", "Boost: keiner")
    assert procedure.blocks == (
        ListItem("Wiedervorstellung in 3 Monaten mit aktuellem Befund"),  # indented: continues
        ListItem("Hautpflege mit Urea-Creme"),
        Paragraph("Bei Beschwerden jederzeit früher."),
        Paragraph("Mit freundlichen kollegialen Grüßen"),
        Paragraph("Dr. Seán O'Sullivan\nOberarzt"),  # lines of one paragraph keep their breaks
    )


def test_only_a_line_of_its_own_ending_in_a_colon_is_a_heading():
    assert is_heading("Diagnose:") and is_heading("  Procedere:  ")
    assert not is_heading("Diagnose: Mammakarzinom links")
    assert not is_heading("- Befund:") and not is_heading(":") and not is_heading("")
    (section,) = split_sections("Diagnose: Mammakarzinom links\nPSA 0,08 ng/ml")
    assert section.heading is None
    assert section.paragraphs == ("Diagnose: Mammakarzinom links\nPSA 0,08 ng/ml",)


def test_windows_line_breaks_blank_space_and_empty_text():
    assert split_sections("") == [] and split_sections("\n \n\t\n") == []
    assert split_sections("Befund:\r\n\r\nunauffällig  \r\n") == [
        Section("Befund", (Paragraph("unauffällig"),))
    ]
    assert split_sections("Befund:\nAnamnese:") == [Section("Befund"), Section("Anamnese")]


def test_joining_the_sections_gives_the_tidy_letter_back():
    sections = split_sections(LETTER)
    text = join_sections(sections)
    assert split_sections(text) == sections
    assert "Procedere:\n- Wiedervorstellung in 3 Monaten mit aktuellem Befund\n" in text
