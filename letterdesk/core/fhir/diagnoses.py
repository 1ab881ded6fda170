"""A case's diagnoses from the patient's cancer Conditions (mCODE primary and secondary cancer
conditions, or ICD-10 C/D codes): text, ICD-10, first diagnosis, histology, side, and the stage
— UICC stage and TNM from the TNM stage group and its category observations."""

from __future__ import annotations

from typing import Any

from letterdesk.core.cases.case import Problem
from letterdesk.core.fhir import codes
from letterdesk.core.fhir.elements import (
    codings_of,
    concept_text,
    first_date,
    is_cancer,
    is_secondary,
    loinc,
    plain_term,
    stage_text,
)
from letterdesk.core.fhir.read import Resource
from letterdesk.core.fhir.reader import CaseReader


def diagnoses(reader: CaseReader) -> list[dict[str, Any]]:
    """The patient's cancer diagnoses, primary cancers first, each group by date; an error when
    there is none."""
    conditions = [c for c in reader.of("Condition") if is_cancer(c)]
    if not conditions:
        reader.errors.append(
            Problem(reader.patient.label, "no cancer Condition (mCODE primary or secondary "
                    "cancer condition, or an ICD-10 C/D code) for this patient")
        )  # fmt: skip
    # primary cancers first, each group by date
    conditions.sort(key=lambda c: (is_secondary(c), first_date(c, "onsetDateTime", "recordedDate")))
    return [_diagnosis(reader, condition) for condition in conditions]


def _diagnosis(reader: CaseReader, condition: Resource) -> dict[str, Any]:
    use = reader.use
    reader.whole(condition, "code", "clinicalStatus", "verificationStatus")
    icd = [(s, c, d) for s, c, d in condition.codes() if s in codes.ICD10_SYSTEMS and c]
    if not icd:
        reader.error(condition, "code", "no ICD-10 code; the case needs one for each diagnosis")
    text = (condition.data.get("code") or {}).get("text") or next(
        (d for _, _, d in condition.codes() if d), ""
    )
    found: dict[str, Any] = {
        "text": plain_term(text),
        "icd10": icd[0][1].rstrip("+*!") if icd else "",
    }
    if not found["text"]:
        reader.error(condition, "code", "the diagnosis has neither a text nor a display")
    if date := first_date(condition, "onsetDateTime", "recordedDate"):
        use.take(condition, "onsetDateTime", "recordedDate")
        found["date"] = date
    for extension in use.extensions_of(condition, codes.EXT_HISTOLOGY):
        found["histology"] = concept_text(extension.get("valueCodeableConcept"))
    for site in use.get(condition, "bodySite") or []:
        for extension in site.get("extension", []):
            if str(extension.get("url", "")).endswith(codes.EXT_LATERALITY):
                code = next(
                    (c.get("code") for c in codings_of(extension.get("valueCodeableConcept"))), ""
                )
                if code in codes.LATERALITY:
                    found["laterality"] = codes.LATERALITY[code]
    found.update(_stage(reader, condition))
    return {k: v for k, v in found.items() if v not in ("", None)}


def _stage(reader: CaseReader, condition: Resource) -> dict[str, str]:
    """UICC stage and TNM from the condition's stage group (or its stage summary)."""
    stages = reader.use.get(condition, "stage") or []
    groups = [reader.document.resolve(a) for s in stages for a in s.get("assessment", [])]
    groups += [
        o
        for o in reader.of("Observation")
        if loinc(o) in (codes.TNM_CLINICAL[0], codes.TNM_PATHOLOGICAL[0])
        and any(reader.document.resolve(f) is condition for f in o.data.get("focus", []))
    ]
    for group in groups:
        if group is None or group.type != "Observation":
            continue
        reader.whole(group, "code", "status", "focus")
        kind = (
            codes.TNM_PATHOLOGICAL
            if loinc(group) == codes.TNM_PATHOLOGICAL[0]
            else codes.TNM_CLINICAL
        )
        prefix = "p" if kind is codes.TNM_PATHOLOGICAL else "c"
        found = {
            "uicc_stage": stage_text(concept_text(reader.use.get(group, "valueCodeableConcept")))
        }
        categories: dict[str, str] = {}
        for member in reader.use.get(group, "hasMember") or []:
            observation = reader.document.resolve(member)
            if observation is None or loinc(observation) not in kind[1:]:
                continue
            reader.whole(observation, "code", "status", "focus")
            value = concept_text(
                reader.use.get(observation, "valueCodeableConcept"), code_first=True
            )
            value = value.split()[0] if value else ""
            if value and not value[0].islower():
                value = prefix + value
            categories[loinc(observation)] = value
        tnm = " ".join(categories[c] for c in kind[1:] if categories.get(c))
        if tnm:
            found["tnm"] = tnm
        return found
    for summary in stages:
        if text := stage_text(concept_text(summary.get("summary"))):
            return {"uicc_stage": text}
    return {}
