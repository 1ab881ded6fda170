"""A hand-written synthetic case used by several tests (no real patient data)."""

from __future__ import annotations

import copy
from typing import Any

CASE: dict[str, Any] = {
    "schema_version": 1,
    "case_id": "SYN-TEST-0001",
    "letter_type": "final_report",
    "language": "de",
    "synthetic": True,
    "patient": {
        "patient_id": "SYN-P-0001",
        "given_name": "Thảo",
        "family_name": "Nguyễn",
        "sex": "female",
        "birth_date": "1954-03-02",
    },
    "recipient": {
        "title": "Dr. med.",
        "given_name": "Ingrid",
        "family_name": "Øberg-Müller",
        "institution": "Praxis am Markt",
        "street": "Marktstraße 1",
        "postal_code": "12345",
        "city": "Musterstadt",
    },
    "author": {"name": "Dr. Seán O'Sullivan", "role": "Oberarzt"},
    "diagnoses": [
        {
            "text": "Mammakarzinom links",
            "icd10": "C50.4",
            "date": "2024-10-01",
            "histology": "invasiv duktal",
            "grading": "G2",
            "tnm": "pT1c pN0(sn) cM0",
            "uicc_stage": "IA",
            "laterality": "left",
        }
    ],
    "history": [
        {"date": "2024-11-05", "kind": "surgery", "description": "Brusterhaltende Operation, R0"}
    ],
    "radiotherapy": [
        {
            "target": "Brust links",
            "technique": "VMAT",
            "dose_per_fraction_gy": 2.67,
            "fractions": 15,
            "total_dose_gy": 40.05,
            "start_date": "2025-01-06",
            "end_date": "2025-01-24",
        }
    ],
    "toxicities": [{"term": "Radiodermatitis", "ctcae_grade": 1}],
    "performance_status": {"scale": "ECOG", "value": 0},
    "findings": "Unauffällige Narbe.",
    "follow_up": [{"date": "2025-03-07", "description": "Erste Nachsorge"}],
    "recommendations": ["Hautpflege mit Urea-Creme"],
    "notes": "synthetisch",
    "site_extra": {"kept": ["unknown", "fields"]},
}


def case(**changes: Any) -> dict[str, Any]:
    """A deep copy of the sample case with top-level fields replaced."""
    document = copy.deepcopy(CASE)
    document.update(changes)
    return document
