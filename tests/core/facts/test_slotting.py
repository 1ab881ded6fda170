"""Slotting reference letters: every case value becomes its slot, and filling gives the letter
back byte for byte."""

from __future__ import annotations

from letterdesk.core.facts import slots
from letterdesk.core.facts.slotting import slot_letter
from letterdesk.core.foundation import notation
from letterdesk.core.synthetic.generator import generate_case
from letterdesk.core.synthetic.letters import reference_letter
from tests.core.sample_cases import case as sample_case


def test_1000_cases_in_both_styles_and_languages_round_trip_byte_for_byte():
    letters = failures = literal = slotted_values = 0
    for index in range(1000):
        case = generate_case(11, index, language=("de", "en")[index % 2])
        for style in ("A", "B"):
            letter = reference_letter(case, style)
            slotted = slot_letter(case, letter)
            letters += 1
            literal += len(slotted.ambiguous)
            slotted_values += slotted.slots
            if slots.fill(slotted.text, case).text != letter:
                failures += 1
            # every identifier became a slot: none stays in the text a model is trained on
            birth = notation.format_date(case["patient"]["birth_date"], case["language"])
            for value in (case["patient"]["family_name"], birth):
                assert value not in slotted.text
    print(
        f"{letters} letters, {failures} not byte-identical, {literal} values left literal, "
        f"{slotted_values / letters:.1f} slots per letter"
    )
    assert failures <= letters * 0.005
    assert literal <= letters * 0.01  # measured: none left literal in 2,000 letters
    assert slotted_values / letters >= 35  # docs/fact-slots.md: 41.3 per letter


def test_a_slotted_letter_names_fields_and_their_forms():
    case = sample_case()
    letter = reference_letter(case, "B")
    slotted = slot_letter(case, letter).text
    assert "[[patient.family_name]]" in slotted
    assert "[[patient.birth_date]]" in slotted
    assert "[[radiotherapy.0.total_dose_gy]]" in slotted
    assert "[[radiotherapy.0.fractions]]" in slotted
    assert case["patient"]["family_name"] not in slotted


SLOT_ENGLISH_LETTERS = """
import hashlib, sys
from letterdesk.core.facts.slotting import slot_letter
from letterdesk.core.synthetic.generator import generate_case
from letterdesk.core.synthetic.letters import reference_letter
texts = []
for index in range(60):
    case = generate_case(5_100_001, index, language="en")
    texts.append(slot_letter(case, reference_letter(case, "B")).text)
joined = "\\n".join(texts)
print(hashlib.sha256(joined.encode()).hexdigest(), joined.count(":long]]"))
"""


def test_the_same_letters_are_slotted_the_same_in_every_run():
    # An English date reads the same in its default and long form. Where the words beside a
    # shared date decided its field, the form was whichever a set gave first, which changes
    # with Python's string hashing from run to run: two exports of the same signed letters
    # trained two different models (measured: key-fact recall 96.6 % or 98.6 %).
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in range(6):
        done = subprocess.run(
            [sys.executable, "-c", SLOT_ENGLISH_LETTERS],
            capture_output=True, text=True, check=True, timeout=300,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )  # fmt: skip
        outputs.add(done.stdout)
    assert len(outputs) == 1
    _, long_slots = outputs.pop().split()
    assert long_slots == "0"  # the default form, as everywhere a form is not needed
