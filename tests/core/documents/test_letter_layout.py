"""What goes where on the letterhead: a letter's text split into subject, sections, closing."""

from __future__ import annotations

from letterdesk.core.documents.letter_layout import letter_parts
from letterdesk.core.synthetic.generator import reference_letter
from tests.core.sample_cases import case as sample_case


def test_letter_parts_finds_subject_and_closing_and_copes_without_them():
    parts = letter_parts(reference_letter(sample_case()))
    assert parts.subject.startswith("Abschlussbericht über die Strahlentherapie")
    assert parts.sections[0].paragraphs[0] == "Guten Tag Dr. Ingrid Øberg-Müller,"
    assert (parts.closing, parts.signature) == (
        "Mit freundlichen kollegialen Grüßen",
        ("Dr. Seán O'Sullivan", "Oberarzt"),
    )
    bare = letter_parts("Diagnose:\n- Mammakarzinom\n\nBefund unauffällig.")
    assert (bare.subject, bare.closing, bare.signature) == (None, None, ())
    assert [s.heading for s in bare.sections] == ["Diagnose"]
    assert letter_parts("Betreff: Arztbrief\n\nLiebe Kollegin,\n\nText.").subject == "Arztbrief"
