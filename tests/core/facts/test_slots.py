"""Fact slots: filling slotted letters, filling while a letter streams, finding values again."""

from __future__ import annotations

import pytest

from letterdesk.core.facts import slots
from letterdesk.core.facts.slotting import slot_letter
from letterdesk.core.synthetic.letters import reference_letter
from tests.core.sample_cases import case as sample_case


def test_filling_writes_the_case_notation_of_its_language():
    case = sample_case(language="de")
    course = case["radiotherapy"][0]
    filled = slots.fill(
        "ED [[radiotherapy.0.dose_per_fraction_gy]] am [[radiotherapy.0.start_date:long]]", case
    )
    day, month, year = course["start_date"][8:], course["start_date"][5:7], course["start_date"][:4]
    assert filled.text.startswith(f"ED {str(course['dose_per_fraction_gy']).replace('.', ',')}")
    assert filled.text.endswith(f"{int(day)}. {_GERMAN_MONTHS[int(month) - 1]} {year}")
    assert [s.path for s in filled.slots] == [
        "radiotherapy.0.dose_per_fraction_gy",
        "radiotherapy.0.start_date",
    ]
    first = filled.slots[0]
    assert filled.text[first.start : first.end].endswith(" Gy")


_GERMAN_MONTHS = (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
)


def test_an_empty_field_shows_a_gap_never_an_empty_string_or_a_guess():
    case = sample_case()
    del case["radiotherapy"][0]["end_date"]
    filled = slots.fill("bis [[radiotherapy.0.end_date]]; [[patient.nickname]].", case)
    assert filled.text == f"bis {slots.GAP}; {slots.GAP}."
    assert [g.path for g in filled.gaps] == ["radiotherapy.0.end_date", "patient.nickname"]


@pytest.mark.parametrize("pieces", [1, 2, 3, 5, 7])
def test_the_stream_never_shows_slot_syntax_however_the_text_is_cut(pieces):
    case = sample_case()
    letter = reference_letter(case, "A") + "\n[Anlage] [[kein Slot] [x"
    slotted = slot_letter(case, letter).text + " [[radiotherapy.0.to"  # cut off
    stream = slots.SlotStream(case)
    shown = [stream.feed(slotted[at : at + pieces]) for at in range(0, len(slotted), pieces)]
    shown.append(stream.finish())
    assert "".join(shown) == letter + " " + slots.GAP
    assert all(not slots.SLOT.search(text) for text in shown)
    assert stream.slotted == slotted


def test_the_slot_names_a_case_allows_are_its_fields_and_their_forms():
    case = sample_case()
    names = slots.slot_names(case)
    assert "patient.birth_date" in names and "patient.birth_date:long" in names
    assert "radiotherapy.0.total_dose_gy:num" in names
    assert not any(name.startswith("radiotherapy.1.") for name in names)
    assert "patient.nickname" not in names
    del case["radiotherapy"][0]["end_date"]  # a field the case leaves empty can be named:
    assert "radiotherapy.0.end_date" in slots.slot_names(case)  # it shows as a gap
    assert slots.fill("[[radiotherapy.0.end_date]]", case).text == slots.GAP
    del case["author"]  # a case that names no author: its signature is a gap, not another field
    assert {"author.name", "author.role"} <= set(slots.slot_names(case))
    assert slots.fill("[[author.name]]", case).text == slots.GAP
    del case["radiotherapy"]  # a case without courses: its first course is a gap, no other
    names = slots.slot_names(case)
    assert "radiotherapy.0.total_dose_gy" in names
    assert not any(name.startswith("radiotherapy.1.") for name in names)
    assert slots.fill("[[radiotherapy.0.total_dose_gy]]", case).text == slots.GAP
    case["recommendations"] = []  # so is an empty list's
    assert "recommendations.0" in slots.slot_names(case)
    assert slots.fill("[[recommendations.0]]", case).text == slots.GAP


def test_the_key_slots_are_the_fields_of_the_key_facts_each_a_slot_the_case_allows():
    case = sample_case()
    key = slots.key_slot_names(case)
    assert key == (
        "patient.family_name", "patient.birth_date", "diagnoses.0.icd10",
        "radiotherapy.0.total_dose_gy", "radiotherapy.0.dose_per_fraction_gy",
        "radiotherapy.0.fractions", "radiotherapy.0.start_date", "radiotherapy.0.end_date",
        "follow_up.0.date",
    )  # fmt: skip
    assert set(key) <= set(slots.slot_names(case))
    assert all(slots.slot_path(slots.json_path(name)) == name for name in key)
    # a toxicity's grade is no key fact; a follow-up date is one only after the treatment
    assert not any(name.startswith("toxicities.") for name in key)
    consultation = slots.key_slot_names(sample_case(letter_type="initial_consultation"))
    assert "follow_up.0.date" not in consultation and "diagnoses.0.icd10" in consultation


def test_the_values_of_a_draft_are_found_again_and_an_edited_value_becomes_ordinary_text():
    case = sample_case()
    draft = reference_letter(case, "A")
    slotted = slot_letter(case, draft).text
    spans = slots.value_spans(slotted, draft)
    filled = slots.fill(slotted, case)
    assert spans == filled.slots and len(spans) > 10
    family = case["patient"]["family_name"]
    at = draft.index(family)
    edited = "Neu: " + draft[:at] + family + "-Edit" + draft[at + len(family) :]
    carried = slots.carry_spans(spans, draft, edited)
    assert len(carried) == len(spans) - 1  # the edited value, and only it, is ordinary text
    unedited = [o for o in spans if o.start != at]
    assert all(
        edited[s.start : s.end] == draft[o.start : o.end]
        for s, o in zip(carried, unedited, strict=True)
    )
    assert slots.value_spans(slotted, "x" + draft) == ()  # the text between values changed
