"""FHIR R4 (mCODE, CodeX RT) bundles through the real importer into a real (encrypted) store:
each case field by field, what was not used listed with its path, bad files refused in words
with the store unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from letterdesk.core.desk.importing import ImportReport, import_files
from letterdesk.core.fhir.mapping import FhirOptions
from letterdesk.core.store.database import Store
from tests.core.fhir import bundles
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("secret_service")


def imported(
    tmp_path: Path, document: Any, options: FhirOptions | None = None
) -> tuple[ImportReport, list[dict[str, Any]]]:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with Store(tmp_path / "store.sqlite3") as store:
        report = import_files(store, [path], fhir=options)
        cases = [store.case(o.case_id).data for o in report.imported]
    return report, cases


def not_used(report: ImportReport) -> list[str]:
    return [str(p) for problems in report.not_mapped.values() for p in problems]


def test_breast_with_a_boost_in_two_volumes(tmp_path):
    report, (case,) = imported(tmp_path, bundles.breast_with_boost())

    assert not report.rejected
    assert case["case_id"] == "SYN-P1-final-report-20250203"
    assert (case["letter_type"], case["language"]) == ("final_report", "de")
    assert case["patient"] == {
        "patient_id": "SYN-P1", "given_name": "Maja Sofie", "family_name": "Øberg-Lindqvist",
        "sex": "female", "birth_date": "1968-04-23",
    }  # fmt: skip
    assert case["diagnoses"] == [
        {
            "text": "Mammakarzinom oberer äußerer Quadrant links",
            "icd10": "C50.4",
            "date": "2024-11-12",
            "histology": "Invasives Karzinom ohne speziellen Typ",
            "laterality": "left",
            "uicc_stage": "IA",
            "tnm": "pT1c pN0 pM0",
        }
    ]
    # one course, two volumes: 4005 cGy in 15 and the boost 10 Gy in 5; per fraction derived
    whole = {"technique": "VMAT, Photonen", "start_date": "2025-02-03", "end_date": "2025-03-07"}
    assert case["radiotherapy"] == [
        {"target": "Restbrust links", "total_dose_gy": 40.05, "fractions": 15,
         "dose_per_fraction_gy": 2.67, **whole},
        {"target": "Tumorbett links", "total_dose_gy": 10.0, "fractions": 5,
         "dose_per_fraction_gy": 2.0, **whole},
    ]  # fmt: skip
    assert case["toxicities"] == [{"term": "Radiation dermatitis", "ctcae_grade": 1}]
    assert case["performance_status"] == {"scale": "ECOG", "value": 0}
    assert "history" not in case and "recipient" not in case
    # what has no place in a case (the intent, the staging date) is said, not dropped
    assert not_used(report) == [
        "Condition/c1.category: not used in the case",
        *(f"Observation/{o}.effectiveDateTime: not used in the case"
          for o in ("s1", "s1-t", "s1-n", "s1-m")),
        "Procedure/rt1.extension[0]: http://hl7.org/fhir/us/mcode/StructureDefinition/"
        "mcode-procedure-intent: not used in the case",
    ]  # fmt: skip


def test_rectum_with_concurrent_capecitabine_in_english(tmp_path):
    options = FhirOptions(letter_type="final_report", language="en")
    report, (case,) = imported(tmp_path, bundles.rectum_with_capecitabine(), options)

    assert case["language"] == "en"
    assert case["diagnoses"] == [
        {"text": "Adenokarzinom des Rektums", "icd10": "C20", "date": "2025-01-08",
         "uicc_stage": "IIIB", "tnm": "cT3 cN1 cM0"}
    ]  # fmt: skip
    (course,) = case["radiotherapy"]
    assert course == {
        "target": "Rektum und mesorektale Lymphabflusswege",
        "technique": "IMRT, photons",
        "dose_per_fraction_gy": 1.8,
        "fractions": 28,
        "total_dose_gy": 50.4,
        "start_date": "2025-02-10",
        "end_date": "2025-03-20",
        "concurrent_therapy": "Capecitabin 825 mg/m² zweimal täglich an Bestrahlungstagen",
    }
    assert case["history"] == [
        {"date": "2025-01-06", "kind": "surgery", "description": "Koloskopie mit Biopsie"}
    ]
    assert case["performance_status"] == {"scale": "ECOG", "value": 1}


def test_a_brain_reirradiation_puts_the_earlier_course_in_the_history(tmp_path):
    report, (case,) = imported(tmp_path, bundles.brain_reirradiation())

    assert [d["icd10"] for d in case["diagnoses"]] == ["C34.1", "C79.3"]  # primary first
    assert case["radiotherapy"] == [
        {"target": "Metastase frontal rechts", "technique": "VMAT, Photonen",
         "dose_per_fraction_gy": 6.0, "fractions": 5, "total_dose_gy": 30.0,
         "start_date": "2025-05-05", "end_date": "2025-05-13"}
    ]  # fmt: skip
    assert case["history"] == [
        {"date": "2023-03-01", "kind": "radiotherapy",
         "description": "Radiotherapie Ganzhirn, 30 Gy in 10 Fraktionen"}
    ]  # fmt: skip
    assert case["performance_status"] == {"scale": "ECOG", "value": 1}  # the newest
    assert case["case_id"] == "SYN-P3-final-report-20250505"
    assert any("course-involves-reirradiation" in line for line in not_used(report))


def test_what_a_case_cannot_hold_is_listed_with_its_path(tmp_path):
    report, (case,) = imported(tmp_path, bundles.with_unmappable_resources())

    assert case["radiotherapy"][0]["total_dose_gy"] == 70.0
    assert sorted(not_used(report)) == sorted([
        "Patient/p4.telecom: not used in the case",
        "Condition/c5.category: not used in the case",
        "Procedure/rt5.extension[0]: http://hl7.org/fhir/us/mcode/StructureDefinition/"
        "mcode-procedure-intent: not used in the case",
        "Encounter/enc1: no part of a letter's case holds this; not used",
        "Observation/psa: Prostate specific Ag [Mass/volume] in Serum or Plasma: no part of a "
        "letter's case holds this; not used",
        "AllergyIntolerance/al1: no part of a letter's case holds this; not used",
    ])  # fmt: skip


def test_two_patients_in_one_bundle_become_two_cases(tmp_path):
    two = bundles.breast_with_boost()
    two["entry"] += bundles.rectum_with_capecitabine()["entry"]

    report, cases = imported(tmp_path, two)

    assert [c["patient"]["family_name"] for c in cases] == ["Øberg-Lindqvist", "Nguyễn"]
    assert [len(c["radiotherapy"]) for c in cases] == [2, 1]
    assert "concurrent_therapy" in cases[1]["radiotherapy"][0]  # each patient's own data
    assert "concurrent_therapy" not in cases[0]["radiotherapy"][0]


def rejected(tmp_path: Path, document: Any) -> list[str]:
    """The problems of a refused file; the store is left empty."""
    report, cases = imported(tmp_path, document)
    assert not cases and len(report.rejected) == 1
    with Store(tmp_path / "store.sqlite3") as store:
        assert store.cases() == []
    return list(report.rejected[0].problems)


def resource(document: dict, resource_id: str) -> dict:
    return next(e["resource"] for e in document["entry"] if e["resource"]["id"] == resource_id)


def test_bad_bundles_are_refused_naming_the_resource_and_element(tmp_path):
    document = bundles.breast_with_boost()
    del resource(document, "p1")["birthDate"]
    assert rejected(tmp_path, document) == [
        "Patient/p1.birthDate: missing: a letter names the patient's birth date"
    ]

    document = bundles.breast_with_boost()
    dose = resource(document, "rt1")["extension"][3]["extension"][1]["valueQuantity"]
    dose.update(unit="Sv", code="Sv")
    (problem,) = rejected(tmp_path, document)
    assert problem.startswith("Procedure/rt1.extension[") and "totalDoseDelivered" in problem
    assert "the dose unit 'Sv' is not one LetterDesk knows" in problem

    document = bundles.rectum_with_capecitabine()
    del resource(document, "rt2")["performedPeriod"]["end"]
    assert rejected(tmp_path, document) == [
        "Procedure/rt2.performedPeriod: the course has no end date"
    ]

    # one patient's bad data keeps the other patient's case out too: nothing half-imported
    two = bundles.breast_with_boost()
    two["entry"] += bundles.rectum_with_capecitabine()["entry"]
    del resource(two, "p2")["birthDate"]
    assert rejected(tmp_path, two) == [
        "Patient/p2.birthDate: missing: a letter names the patient's birth date"
    ]


def test_files_that_are_not_fhir_r4_are_refused_in_words(tmp_path):
    # FHIR R5 renamed Procedure.performed[x] to occurrence[x]: a file of R5, and a bundle
    # with one R5 resource among R4 ones
    r5 = bundles.rectum_with_capecitabine()
    course = resource(r5, "rt2")
    course["occurrencePeriod"] = course.pop("performedPeriod")
    del course["category"]  # a list in R5
    (problem,) = rejected(tmp_path, course)
    assert problem.startswith("this is FHIR R5, not FHIR R4: LetterDesk reads FHIR R4")
    assert rejected(tmp_path, r5) == ["Procedure/rt2 (entry 7): written in FHIR R5, not FHIR R4"]

    unknown = copy.deepcopy(bundles.rectum_with_capecitabine())
    resource(unknown, "p2")["shoeSize"] = 44
    (problem,) = rejected(tmp_path, unknown)
    assert problem == "Patient/p2 (entry 0).shoeSize: not an element FHIR R4 knows here"

    assert rejected(tmp_path, {"resourceType": "Bundle", "type": "history", "entry": []}) == [
        "Bundle.type: a 'history' bundle holds no patient data to import (accepted: "
        "collection, transaction, searchset, batch, document)"
    ]
    assert rejected(tmp_path, {"resourceType": "Spaceship", "id": "x"}) == [
        "resourceType: 'Spaceship' is not a FHIR R4 resource"
    ]
    only_condition = resource(bundles.rectum_with_capecitabine(), "c2")
    assert rejected(tmp_path, only_condition) == [
        "$: the file holds no Patient: whose letter would it be?"
    ]


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.json"
    document = bundles.breast_with_boost()
    document["entry"][0]["resource"]["name"][0]["text"] = "x" * 21_000_000
    path.write_text(json.dumps(document), encoding="utf-8")
    with Store(tmp_path / "store.sqlite3") as store:
        report = import_files(store, [path])
    assert report.rejected[0].problems == ("the file is too large to be a case or a FHIR bundle",)
