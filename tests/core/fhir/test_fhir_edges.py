"""The FHIR mapping on the shapes a hospital export really has: transaction bundles with
deleted entries, records entered in error, refuted diagnoses, adverse events of an earlier
course, ongoing or contained medication, NCIt-coded grades, single-session courses."""

from __future__ import annotations

import pytest

from letterdesk.core.fhir.mapping import FhirOptions, fhir_cases
from letterdesk.core.foundation.errors import CaseFileError
from tests.core.fhir import bundles


def mapped(document: dict) -> tuple[dict, list[str]]:
    (case,), not_mapped = fhir_cases(document, "bundle.json", FhirOptions())
    return case.data, [str(p) for p in not_mapped]


def resource(document: dict, resource_id: str) -> dict:
    return next(e["resource"] for e in document["entry"] if e["resource"]["id"] == resource_id)


def test_urn_uuid_references_stay_with_their_resources_after_an_entry_without_one():
    document = bundles.rectum_with_capecitabine()
    for entry in document["entry"]:
        entry["fullUrl"] = "urn:uuid:" + entry["resource"]["id"]
        for key in ("subject", "patient"):
            if key in entry["resource"]:
                entry["resource"][key] = {"reference": "urn:uuid:p2"}
    document["type"] = "transaction"
    document["entry"].insert(0, {"request": {"method": "DELETE", "url": "Observation/x"}})
    case, _ = mapped(document)
    assert case["patient"]["family_name"] == "Nguyễn" and case["diagnoses"][0]["icd10"] == "C20"


def test_records_in_error_refuted_or_not_done_are_listed_not_used():
    document = bundles.brain_reirradiation()
    resource(document, "c4")["verificationStatus"] = bundles.concept(
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted", "Refuted"
    )
    resource(document, "e4")["status"] = "entered-in-error"  # the newest ECOG
    case, not_used = mapped(document)
    assert [d["icd10"] for d in case["diagnoses"]] == ["C34.1"]
    assert case["performance_status"] == {"scale": "ECOG", "value": 2}
    assert "Condition/c4: verification status refuted; not used" in not_used
    assert "Observation/e4: status entered-in-error; not used" in not_used


def test_a_modifier_extension_refuses_the_file():
    document = bundles.breast_with_boost()
    resource(document, "c1")["modifierExtension"] = [
        {"url": "http://example.org/not-really", "valueBoolean": True}
    ]
    with pytest.raises(CaseFileError) as refused:
        mapped(document)
    assert refused.value.problems[0].startswith("Condition/c1.modifierExtension: changes what")


def test_only_the_letter_s_course_brings_its_adverse_events():
    document = bundles.brain_reirradiation()
    document["entry"] += [
        {"resource": bundles.adverse_event("old", "p3", "1", "Alopecia", 2, "rt3")},
        {"resource": bundles.adverse_event("new", "p3", "2", "Fatigue (finding)", 1, "rt4")},
    ]
    resource(document, "new")["date"] = "2025-05-12"
    case, not_used = mapped(document)
    assert case["toxicities"] == [{"term": "Fatigue", "ctcae_grade": 1}]
    assert "AdverseEvent/old: an adverse event of an earlier course; not used" in not_used


def test_ongoing_contained_and_display_only_medication():
    document = bundles.rectum_with_capecitabine()
    given = resource(document, "m1")
    del given["medicationCodeableConcept"]
    given["contained"] = [{"resourceType": "Medication", "id": "cape",
                           "code": {"text": "Capecitabin"}}]  # fmt: skip
    given["medicationReference"] = {"reference": "#cape"}
    document["entry"].append({"resource": {
        "resourceType": "MedicationRequest", "id": "tam", "status": "active", "intent": "order",
        "medicationReference": {"display": "Tamoxifen 20 mg"},
        "subject": {"reference": "Patient/p2"}, "authoredOn": "2025-01-20"}})  # fmt: skip
    case, _ = mapped(document)
    assert case["radiotherapy"][0]["concurrent_therapy"] == (
        "Capecitabin 825 mg/m² zweimal täglich an Bestrahlungstagen; Tamoxifen 20 mg"
    )


def test_an_ncit_coded_grade_is_read_from_its_display():
    document = bundles.breast_with_boost()
    grade = resource(document, "ae1")["extension"][0]["valueCodeableConcept"]["coding"][0]
    grade.update(system="http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl", code="C41338",
                 display="Grade 1 Mild Adverse Event")  # fmt: skip
    case, _ = mapped(document)
    assert case["toxicities"] == [{"term": "Radiation dermatitis", "ctcae_grade": 1}]


def test_a_single_session_course_and_a_zero_dose():
    document = bundles.brain_reirradiation()
    course = resource(document, "rt4")
    course["performedDateTime"] = "2025-05-05"
    del course["performedPeriod"]
    course["extension"][-1]["extension"][1]["valueQuantity"]["value"] = 20
    course["extension"][-1]["extension"][2]["valueUnsignedInt"] = 1
    case, _ = mapped(document)
    assert case["radiotherapy"][0] | {"start_date": "", "end_date": ""} == {
        "target": "Metastase frontal rechts", "technique": "VMAT, Photonen",
        "dose_per_fraction_gy": 20.0, "fractions": 1, "total_dose_gy": 20.0,
        "start_date": "", "end_date": ""}  # fmt: skip
    assert case["radiotherapy"][0]["start_date"] == case["radiotherapy"][0]["end_date"]
    course["extension"][-1]["extension"][1]["valueQuantity"]["value"] = 0
    with pytest.raises(CaseFileError, match="a total dose of 0 Gy"):
        mapped(document)


def test_an_r4_resource_missing_a_required_element_is_an_r4_problem_not_r5():
    document = bundles.with_unmappable_resources()
    del resource(document, "enc1")["class"]
    with pytest.raises(CaseFileError) as refused:
        mapped(document)
    assert refused.value.problems == [
        "Encounter/enc1 (entry 4).class: required by FHIR R4 but missing"]  # fmt: skip
