"""The side of a diagnosis in the synthetic letters: written once, even where the text names it."""

from __future__ import annotations

import re

import pytest

from letterdesk.core.foundation import notation
from letterdesk.core.synthetic.generator import generate_case, reference_letter


@pytest.mark.parametrize(
    ("language", "text", "line"),
    [
        ("de", "Mammakarzinom links", "Mammakarzinom links (C50.4)"),
        ("de", "Mammakarzinom", "Mammakarzinom links (C50.4)"),
        ("en", "Brain metastases, dominant lesion Left frontal", "lesion Left frontal (C50.4)"),
        ("en", "Breast cancer, upper outer quadrant", "upper outer quadrant, left (C50.4)"),
    ],
)
def test_the_side_is_written_once_even_where_the_diagnosis_text_names_it(language, text, line):
    case = generate_case(2, 9, language=language, letter_type="final_report")
    case["diagnoses"] = [case["diagnoses"][0] | {"text": text, "icd10": "C50.4"}]
    case["diagnoses"][0]["laterality"] = "left"
    letter = reference_letter(case, "B")
    assert line in letter
    side = notation.format_laterality("left", language)
    assert not re.search(rf"\b{side}\W+{side}\b", letter, re.IGNORECASE)
