"""Every field of the case format as the case form (:mod:`letterdesk.gui.case_form`) shows
it: its key, its label (marked for translation in the form's context) and its kind — ``text``,
``long``, ``date``, ``number``, ``whole`` or a tuple of choices — and the words a list shows
for each value of the case format (the case keeps the value).
"""

from __future__ import annotations

from typing import Any

from letterdesk.core.cases.case import LANGUAGES, LETTER_TYPES
from letterdesk.gui.qt import QT_TRANSLATE_NOOP

# (key, label marked for translation, kind); kind: text, long, date, number, whole or choices
Spec = tuple[str, str, Any]
LETTER: tuple[Spec, ...] = (
    ("case_id", QT_TRANSLATE_NOOP("CaseForm", "Case ID"), "text"),
    ("letter_type", QT_TRANSLATE_NOOP("CaseForm", "Letter"), LETTER_TYPES),
    ("language", QT_TRANSLATE_NOOP("CaseForm", "Language"), LANGUAGES),
)
PATIENT: tuple[Spec, ...] = (
    ("patient_id", QT_TRANSLATE_NOOP("CaseForm", "Patient ID"), "text"),
    ("given_name", QT_TRANSLATE_NOOP("CaseForm", "Given name"), "text"),
    ("family_name", QT_TRANSLATE_NOOP("CaseForm", "Family name"), "text"),
    (
        "sex",
        QT_TRANSLATE_NOOP("CaseForm", "Sex"),
        ("female", "male", "diverse", "unknown"),
    ),
    ("birth_date", QT_TRANSLATE_NOOP("CaseForm", "Birth date"), "date"),
)
RECIPIENT: tuple[Spec, ...] = (
    ("salutation", QT_TRANSLATE_NOOP("CaseForm", "Salutation"), "text"),
    ("title", QT_TRANSLATE_NOOP("CaseForm", "Title"), "text"),
    ("given_name", QT_TRANSLATE_NOOP("CaseForm", "Given name"), "text"),
    ("family_name", QT_TRANSLATE_NOOP("CaseForm", "Family name"), "text"),
    ("institution", QT_TRANSLATE_NOOP("CaseForm", "Institution"), "text"),
    ("street", QT_TRANSLATE_NOOP("CaseForm", "Street"), "text"),
    ("postal_code", QT_TRANSLATE_NOOP("CaseForm", "Postal code"), "text"),
    ("city", QT_TRANSLATE_NOOP("CaseForm", "City"), "text"),
)
AUTHOR: tuple[Spec, ...] = (
    ("name", QT_TRANSLATE_NOOP("CaseForm", "Name"), "text"),
    ("role", QT_TRANSLATE_NOOP("CaseForm", "Role"), "text"),
)
PERFORMANCE: tuple[Spec, ...] = (
    ("scale", QT_TRANSLATE_NOOP("CaseForm", "Scale"), ("", "ECOG", "KPS")),
    ("value", QT_TRANSLATE_NOOP("CaseForm", "Value"), "whole"),
)
LISTS: dict[str, tuple[str, str, tuple[Spec, ...]]] = {
    "diagnoses": (
        QT_TRANSLATE_NOOP("CaseForm", "Diagnoses"),
        QT_TRANSLATE_NOOP("CaseForm", "diagnosis"),
        (
            ("text", QT_TRANSLATE_NOOP("CaseForm", "Diagnosis"), "text"),
            ("icd10", QT_TRANSLATE_NOOP("CaseForm", "ICD-10"), "text"),
            ("date", QT_TRANSLATE_NOOP("CaseForm", "Date"), "date"),
            ("histology", QT_TRANSLATE_NOOP("CaseForm", "Histology"), "text"),
            ("grading", QT_TRANSLATE_NOOP("CaseForm", "Grading"), "text"),
            ("tnm", QT_TRANSLATE_NOOP("CaseForm", "TNM"), "text"),
            ("uicc_stage", QT_TRANSLATE_NOOP("CaseForm", "UICC stage"), "text"),
            (
                "laterality",
                QT_TRANSLATE_NOOP("CaseForm", "Side"),
                ("", "left", "right", "bilateral", "none"),
            ),
        ),
    ),
    "history": (
        QT_TRANSLATE_NOOP("CaseForm", "History"),
        QT_TRANSLATE_NOOP("CaseForm", "history entry"),
        (
            ("date", QT_TRANSLATE_NOOP("CaseForm", "Date"), "date"),
            (
                "kind",
                QT_TRANSLATE_NOOP("CaseForm", "Kind"),
                (
                    "surgery",
                    "chemotherapy",
                    "radiotherapy",
                    "systemic",
                    "imaging",
                    "other",
                ),
            ),
            ("description", QT_TRANSLATE_NOOP("CaseForm", "Description"), "text"),
        ),
    ),
    "radiotherapy": (
        QT_TRANSLATE_NOOP("CaseForm", "Radiotherapy courses"),
        QT_TRANSLATE_NOOP("CaseForm", "course"),
        (
            ("target", QT_TRANSLATE_NOOP("CaseForm", "Target"), "text"),
            ("technique", QT_TRANSLATE_NOOP("CaseForm", "Technique"), "text"),
            (
                "dose_per_fraction_gy",
                QT_TRANSLATE_NOOP("CaseForm", "Dose per fraction (Gy)"),
                "number",
            ),
            ("fractions", QT_TRANSLATE_NOOP("CaseForm", "Fractions"), "whole"),
            ("total_dose_gy", QT_TRANSLATE_NOOP("CaseForm", "Total dose (Gy)"), "number"),
            ("start_date", QT_TRANSLATE_NOOP("CaseForm", "Start"), "date"),
            ("end_date", QT_TRANSLATE_NOOP("CaseForm", "End"), "date"),
            ("concurrent_therapy", QT_TRANSLATE_NOOP("CaseForm", "Concurrent therapy"), "text"),
        ),
    ),
    "toxicities": (
        QT_TRANSLATE_NOOP("CaseForm", "Toxicities"),
        QT_TRANSLATE_NOOP("CaseForm", "toxicity"),
        (
            ("term", QT_TRANSLATE_NOOP("CaseForm", "Toxicity"), "text"),
            ("ctcae_grade", QT_TRANSLATE_NOOP("CaseForm", "CTCAE grade"), "whole"),
        ),
    ),
    "follow_up": (
        QT_TRANSLATE_NOOP("CaseForm", "Follow-up"),
        QT_TRANSLATE_NOOP("CaseForm", "follow-up"),
        (
            ("date", QT_TRANSLATE_NOOP("CaseForm", "Date"), "date"),
            ("description", QT_TRANSLATE_NOOP("CaseForm", "Description"), "text"),
        ),
    ),
}
BLOCKS = {
    "patient": PATIENT,
    "recipient": RECIPIENT,
    "author": AUTHOR,
    "performance_status": PERFORMANCE,
}
CHOICES = {
    "final_report": QT_TRANSLATE_NOOP("CaseForm", "Final report"),
    "initial_consultation": QT_TRANSLATE_NOOP("CaseForm", "Initial consultation"),
    "follow_up": QT_TRANSLATE_NOOP("CaseForm", "Follow-up letter"),
    "de": QT_TRANSLATE_NOOP("CaseForm", "German"),
    "en": QT_TRANSLATE_NOOP("CaseForm", "English"),
    "female": QT_TRANSLATE_NOOP("CaseForm", "female"),
    "male": QT_TRANSLATE_NOOP("CaseForm", "male"),
    "diverse": QT_TRANSLATE_NOOP("CaseForm", "diverse"),
    "unknown": QT_TRANSLATE_NOOP("CaseForm", "unknown"),
    "left": QT_TRANSLATE_NOOP("CaseForm", "left"),
    "right": QT_TRANSLATE_NOOP("CaseForm", "right"),
    "bilateral": QT_TRANSLATE_NOOP("CaseForm", "both sides"),
    "none": QT_TRANSLATE_NOOP("CaseForm", "not applicable"),
    "surgery": QT_TRANSLATE_NOOP("CaseForm", "surgery"),
    "chemotherapy": QT_TRANSLATE_NOOP("CaseForm", "chemotherapy"),
    "radiotherapy": QT_TRANSLATE_NOOP("CaseForm", "radiotherapy"),
    "systemic": QT_TRANSLATE_NOOP("CaseForm", "systemic therapy"),
    "imaging": QT_TRANSLATE_NOOP("CaseForm", "imaging"),
    "other": QT_TRANSLATE_NOOP("CaseForm", "other"),
    "KPS": QT_TRANSLATE_NOOP("CaseForm", "Karnofsky (KPS)"),
}
"""The words a list shows for each value of the case format."""

FORM_KEYS = {  # the keys of a case the form edits; others are kept as they are
    "schema_version",
    "case_id",
    "letter_type",
    "language",
    "patient",
    "recipient",
    "author",
    "performance_status",
    "findings",
    "recommendations",
    "notes",
    *LISTS,
}
