"""Synthetic FHIR R4 bundles shaped after the published mCODE 4.0.0 and CodeX Radiation Therapy
profiles and examples (Patient, primary/secondary cancer condition, TNM stage group with its T,
N, M members, radiotherapy course summary with modality-and-technique, sessions and one
dose-delivered-to-volume per volume, RadiotherapyVolume BodyStructures, medication, ECOG,
CodeX adverse event with its grade). Every patient is invented."""

from __future__ import annotations

from typing import Any

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
CODEXRT = "http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10GM = "http://fhir.de/CodeSystem/bfarm/icd-10-gm"
UCUM = "http://unitsofmeasure.org"


def concept(system: str, code: str, display: str, text: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        found["text"] = text
    return found


def patient(pid: str, family: str, given: list[str], birth: str | None, gender: str) -> dict:
    found = {
        "resourceType": "Patient",
        "id": pid,
        "meta": {"profile": [MCODE + "mcode-cancer-patient"]},
        "identifier": [
            {
                "type": concept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "MRN"),
                "system": "urn:oid:1.2.276.0.76.4.8",
                "value": f"SYN-{pid.upper()}",
            }
        ],
        "name": [{"use": "official", "family": family, "given": given}],
        "gender": gender,
    }
    if birth:
        found["birthDate"] = birth
    return found


def condition(
    cid: str, pid: str, icd: str, text: str, onset: str, *, secondary: bool = False,
    laterality: str | None = None, histology: str | None = None, stage: str | None = None,
) -> dict:  # fmt: skip
    profile = "mcode-secondary-cancer-condition" if secondary else "mcode-primary-cancer-condition"
    found: dict[str, Any] = {
        "resourceType": "Condition",
        "id": cid,
        "meta": {"profile": [MCODE + profile]},
        "clinicalStatus": concept(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"
        ),
        "category": [
            concept(
                "http://terminology.hl7.org/CodeSystem/condition-category",
                "problem-list-item",
                "Problem List Item",
            )
        ],  # fmt: skip
        "code": {"coding": [{"system": ICD10GM, "version": "2025", "code": icd}], "text": text},
        "subject": {"reference": f"Patient/{pid}"},
        "onsetDateTime": onset,
    }
    if histology:
        found["extension"] = [
            {
                "url": MCODE + "mcode-histology-morphology-behavior",
                "valueCodeableConcept": concept(SNOMED, "413448000", histology, histology),
            }
        ]
    if laterality:
        code = {"left": "7771000", "right": "24028007"}[laterality]
        found["bodySite"] = [{
            "extension": [{
                "url": MCODE + "mcode-laterality-qualifier",
                "valueCodeableConcept": concept(SNOMED, code, laterality.capitalize()),
            }],
            "coding": [{"system": SNOMED, "code": "76752008", "display": "Breast structure"}],
        }]  # fmt: skip
    if stage:
        found["stage"] = [{"assessment": [{"reference": f"Observation/{stage}"}]}]
    return found


def tnm(oid: str, pid: str, group: str, t: str, n: str, m: str, pathological: bool = False) -> list:
    codes = ("21902-2", "21899-0", "21900-6", "21901-4") if pathological else (
        "21908-9", "21905-5", "21906-3", "21907-1")  # fmt: skip
    members = []
    for suffix, code, value in zip("tnm", codes[1:], (t, n, m), strict=True):
        members.append({
            "resourceType": "Observation",
            "id": f"{oid}-{suffix}",
            "status": "final",
            "code": concept(LOINC, code, "TNM category"),
            "subject": {"reference": f"Patient/{pid}"},
            "effectiveDateTime": "2025-01-20",
            "valueCodeableConcept": {"coding": [{"system": "http://cancerstaging.org",
                                                 "code": value}]},
        })  # fmt: skip
    group_observation = {
        "resourceType": "Observation",
        "id": oid,
        "meta": {"profile": [MCODE + "mcode-tnm-stage-group"]},
        "status": "final",
        "code": concept(LOINC, codes[0], "Stage group"),
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": "2025-01-20",
        "valueCodeableConcept": {"coding": [{"system": "http://cancerstaging.org", "code": group}],
                                 "text": f"Stage {group}"},
        "hasMember": [{"reference": f"Observation/{m['id']}"} for m in members],
    }  # fmt: skip
    return [group_observation, *members]


def volume(vid: str, pid: str, description: str) -> dict:
    return {
        "resourceType": "BodyStructure",
        "id": vid,
        "meta": {"profile": [MCODE + "mcode-radiotherapy-volume"]},
        "identifier": [{"use": "usual", "value": vid.upper()}],
        "description": description,
        "patient": {"reference": f"Patient/{pid}"},
    }


def course(
    rid: str, pid: str, start: str, end: str | None, volumes: list[tuple[str, Any, str, int]],
    *, technique: tuple[str, str] = ("1156530009", "Volumetric modulated arc therapy (procedure)"),
    sessions: int | None = None, reirradiation: bool | None = None,
) -> dict:  # fmt: skip
    """A course summary; volumes: (BodyStructure id, total dose, UCUM unit, fractions)."""
    extensions: list[dict[str, Any]] = []
    if reirradiation is not None:
        extensions.append({"url": CODEXRT + "codexrt-radiotherapy-course-involves-reirradiation",
                           "valueBoolean": reirradiation})  # fmt: skip
    extensions.append({
        "url": MCODE + "mcode-procedure-intent",
        "valueCodeableConcept": concept(SNOMED, "373808002", "Curative - procedure intent"),
    })  # fmt: skip
    extensions.append({
        "url": MCODE + "mcode-radiotherapy-modality-and-technique",
        "extension": [
            {"url": MCODE + "mcode-radiotherapy-modality",
             "valueCodeableConcept": concept(SNOMED, "1156506007",
                                             "External beam radiation therapy using photons")},
            {"url": MCODE + "mcode-radiotherapy-technique",
             "valueCodeableConcept": concept(SNOMED, technique[0], technique[1])},
        ],
    })  # fmt: skip
    if sessions is not None:
        extensions.append(
            {"url": MCODE + "mcode-radiotherapy-sessions", "valueUnsignedInt": sessions}
        )
    for vid, dose, unit, fractions in volumes:
        parts: list[dict[str, Any]] = [
            {"url": "volume", "valueReference": {"reference": f"BodyStructure/{vid}"}}
        ]
        if dose is not None:
            parts.append(
                {
                    "url": "totalDoseDelivered",
                    "valueQuantity": {"value": dose, "unit": unit, "system": UCUM, "code": unit},
                }
            )
        if fractions:
            parts.append({"url": "fractionsDelivered", "valueUnsignedInt": fractions})
        extensions.append({"url": MCODE + "mcode-radiotherapy-dose-delivered-to-volume",
                           "extension": parts})  # fmt: skip
    period = {"start": start} | ({"end": end} if end else {})
    return {
        "resourceType": "Procedure",
        "id": rid,
        "meta": {"profile": [MCODE + "mcode-radiotherapy-course-summary"]},
        "extension": extensions,
        "status": "completed",
        "category": concept(SNOMED, "108290001", "Radiation oncology AND/OR radiotherapy"),
        "code": concept(SNOMED, "1217123003", "Radiotherapy course of treatment (regime/therapy)"),
        "subject": {"reference": f"Patient/{pid}"},
        "performedPeriod": period,
    }  # fmt: skip


def ecog(oid: str, pid: str, value: int, when: str) -> dict:
    return {
        "resourceType": "Observation",
        "id": oid,
        "meta": {"profile": [MCODE + "mcode-ecog-performance-status"]},
        "status": "final",
        "code": concept(LOINC, "89247-1", "ECOG Performance Status score"),
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "valueInteger": value,
    }


def adverse_event(aid: str, pid: str, code: str, term: str, grade: int, course_id: str) -> dict:
    return {
        "resourceType": "AdverseEvent",
        "id": aid,
        "meta": {"profile": [CODEXRT + "codexrt-radiotherapy-adverse-event"]},
        "extension": [{
            "url": CODEXRT + "codexrt-radiotherapy-adverse-event-severity-or-grade",
            "valueCodeableConcept": concept(
                "http://hl7.org/fhir/us/ctcae/CodeSystem/ctcae-grade-code-system", str(grade),
                f"Grade {grade}"),
        }],
        "actuality": "actual",
        "event": concept(SNOMED, code, term),
        "subject": {"reference": f"Patient/{pid}"},
        "date": "2025-03-10",
        "suspectEntity": [{"instance": {"reference": f"Procedure/{course_id}"}}],
    }  # fmt: skip


def bundle(*resources: dict, kind: str = "collection") -> dict:
    return {
        "resourceType": "Bundle",
        "id": "synthetic-bundle",
        "type": kind,
        "entry": [
            {"fullUrl": f"http://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


# --- the four cases of the issue ---------------------------------------------------------------


def breast_with_boost() -> dict:
    """Left breast, 40.05 Gy in 15 fractions to the breast, 10 Gy in 5 to the tumour bed."""
    return bundle(
        patient("p1", "Øberg-Lindqvist", ["Maja", "Sofie"], "1968-04-23", "female"),
        condition(
            "c1",
            "p1",
            "C50.4",
            "Mammakarzinom oberer äußerer Quadrant links",
            "2024-11-12",
            laterality="left",
            histology="Invasives Karzinom ohne speziellen Typ",
            stage="s1",
        ),  # fmt: skip
        *tnm("s1", "p1", "IA", "T1c", "N0", "M0", pathological=True),
        volume("v1", "p1", "Restbrust links"),
        volume("v2", "p1", "Tumorbett links"),
        course(
            "rt1",
            "p1",
            "2025-02-03",
            "2025-03-07",
            [("v1", 4005, "cGy", 15), ("v2", 10, "Gy", 5)],
            sessions=20,
        ),  # fmt: skip
        ecog("e1", "p1", 0, "2025-03-07"),
        adverse_event("ae1", "p1", "403191005", "Radiation dermatitis (disorder)", 1, "rt1"),
    )


def rectum_with_capecitabine() -> dict:
    """Rectal cancer, 50.4 Gy in 28 fractions with capecitabine during the course."""
    return bundle(
        patient("p2", "Nguyễn", ["Thị", "Hoa"], "1959-09-30", "female"),
        condition("c2", "p2", "C20", "Adenokarzinom des Rektums", "2025-01-08", stage="s2"),
        *tnm("s2", "p2", "IIIB", "T3", "N1", "M0"),
        volume("v3", "p2", "Rektum und mesorektale Lymphabflusswege"),
        course("rt2", "p2", "2025-02-10", "2025-03-20", [("v3", 5040, "cGy", 28)],
               technique=("441799006", "Intensity modulated radiation therapy (procedure)")),
        {
            "resourceType": "MedicationAdministration",
            "id": "m1",
            "status": "completed",
            "medicationCodeableConcept": concept(
                "http://www.nlm.nih.gov/research/umls/rxnorm", "194000", "capecitabine",
                "Capecitabin"),
            "subject": {"reference": "Patient/p2"},
            "effectivePeriod": {"start": "2025-02-10", "end": "2025-03-20"},
            "dosage": {"text": "825 mg/m² zweimal täglich an Bestrahlungstagen"},
        },
        {
            "resourceType": "Procedure",
            "id": "op1",
            "status": "completed",
            "category": concept(SNOMED, "387713003", "Surgical procedure"),
            "code": {"text": "Koloskopie mit Biopsie"},
            "subject": {"reference": "Patient/p2"},
            "performedDateTime": "2025-01-06",
        },
        ecog("e2", "p2", 1, "2025-03-20"),
    )  # fmt: skip


def brain_reirradiation() -> dict:
    """Brain metastases: whole brain 30 Gy in 10 (2023), then a re-irradiation 5 × 6 Gy (2025)."""
    return bundle(
        patient("p3", "Kowalczyk", ["Zbigniew"], "1955-01-17", "male"),
        condition("c3", "p3", "C34.1", "Adenokarzinom des rechten Oberlappens", "2022-10-04"),
        condition("c4", "p3", "C79.3", "Hirnmetastasen", "2023-02-14", secondary=True),
        volume("v4", "p3", "Ganzhirn"),
        volume("v5", "p3", "Metastase frontal rechts"),
        course("rt3", "p3", "2023-03-01", "2023-03-14", [("v4", 3000, "cGy", 10)],
               technique=("1162782007", "Three dimensional external beam radiation therapy "
                          "(procedure)"), reirradiation=False),
        course("rt4", "p3", "2025-05-05", "2025-05-13", [("v5", 30, "Gy", 5)], sessions=5,
               reirradiation=True),
        ecog("e3", "p3", 2, "2023-03-14"),
        ecog("e4", "p3", 1, "2025-05-13"),
    )  # fmt: skip


def with_unmappable_resources() -> dict:
    """A small case plus what a letter's case does not take: an encounter, a lab value, an
    allergy, a patient's telecom and an extension of the course no part of a case holds."""
    found = bundle(
        patient("p4", "Haddad", ["Karim"], "1971-12-02", "male"),
        condition("c5", "p4", "C61", "Prostatakarzinom", "2024-06-18"),
        volume("v6", "p4", "Prostata und Samenblasen"),
        course("rt5", "p4", "2024-09-02", "2024-10-30", [("v6", 7000, "cGy", 28)]),
        {"resourceType": "Encounter", "id": "enc1", "status": "finished",
         "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
         "subject": {"reference": "Patient/p4"}},
        {"resourceType": "Observation", "id": "psa", "status": "final",
         "code": concept(LOINC, "2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma"),
         "subject": {"reference": "Patient/p4"}, "effectiveDateTime": "2024-06-01",
         "valueQuantity": {"value": 8.4, "unit": "ng/mL", "system": UCUM, "code": "ng/mL"}},
        {"resourceType": "AllergyIntolerance", "id": "al1",
         "code": {"text": "Penicillin"}, "patient": {"reference": "Patient/p4"}},
    )  # fmt: skip
    found["entry"][0]["resource"]["telecom"] = [{"system": "phone", "value": "0000 000000"}]
    return found
