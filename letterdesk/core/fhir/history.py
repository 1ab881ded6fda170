"""A case's history and its course's concurrent therapy: earlier radiotherapy courses, surgery,
imaging, imaging reports, and medication — given while the letter's course ran it is that
course's concurrent therapy, otherwise history."""

from __future__ import annotations

from typing import Any

from letterdesk.core.fhir import codes
from letterdesk.core.fhir.elements import (
    concept_text,
    history_entry,
    is_course,
    number_text,
    plain_term,
)
from letterdesk.core.fhir.read import Resource
from letterdesk.core.fhir.reader import CaseReader

_MEDICATION_ELEMENTS = (
    "status", "intent", "category", "medicationCodeableConcept", "medicationReference",
    "effectivePeriod", "effectiveDateTime", "dosage", "dosageInstruction", "authoredOn",
)  # fmt: skip
_PROCEDURE_ELEMENTS = ("code", "status", "category", "performedDateTime", "performedPeriod")


def _medications(reader: CaseReader) -> list[tuple[Resource, str, str, str]]:
    """(resource, text, from, to) of each medication given or ordered."""
    found = []
    for resource in reader.of("MedicationAdministration", "MedicationRequest"):
        reader.whole(resource, *_MEDICATION_ELEMENTS)
        name = concept_text(resource.data.get("medicationCodeableConcept"))
        reference = resource.data.get("medicationReference") or {}
        medication = reader.document.resolve(reference)
        if medication is not None:
            reader.whole(medication, "code", "status")
            name = name or concept_text(medication.data.get("code"))
        elif str(reference.get("reference", "")).startswith("#"):  # a contained Medication
            reader.use.take(resource, "contained")
            contained = {c.get("id"): c for c in resource.data.get("contained", [])}
            inner = contained.get(reference["reference"][1:], {})
            name = name or concept_text(inner.get("code"))
        name = name or str(reference.get("display", ""))
        dose = (resource.data.get("dosage") or {}).get("text") or next(
            (d.get("text") for d in resource.data.get("dosageInstruction", []) if d.get("text")),
            "",
        )
        bounds = [
            d.get("timing", {}).get("repeat", {}).get("boundsPeriod")
            for d in resource.data.get("dosageInstruction", [])
        ]
        period: dict[str, Any] = resource.data.get("effectivePeriod") or next(
            (b for b in bounds if b), {}
        )
        when = resource.data.get("effectiveDateTime") or resource.data.get("authoredOn") or ""
        start = str(period.get("start") or when)[:10]
        ongoing = resource.data.get("status") in ("active", "in-progress", "on-hold")
        end = str(period.get("end") or ("9999-12-31" if ongoing else start))[:10]
        if not name:
            reader.error(resource, "medicationCodeableConcept", "the medication is not named")
            continue
        found.append((resource, " ".join(p for p in (plain_term(name), dose) if p), start, end))
    return found


def concurrent(
    reader: CaseReader,
    current: tuple[Resource, list[dict[str, Any]]],
    history: list[dict[str, Any]],
) -> None:
    """Medication given while the letter's course ran becomes the course's concurrent therapy;
    other medication goes to ``history``."""
    entries = current[1]
    start, end = entries[0]["start_date"], entries[0]["end_date"]
    during = []
    for _, text, given_from, given_to in _medications(reader):
        if given_from and given_from <= end and given_to >= start:
            during.append(text)
        else:
            history.append(history_entry(given_from, "systemic", text))
    if during:
        entries[0]["concurrent_therapy"] = "; ".join(during)


def medication_history(reader: CaseReader, history: list[dict[str, Any]]) -> None:
    """Without a course in the file, all medication goes to ``history``."""
    for _, text, given_from, _ in _medications(reader):
        history.append(history_entry(given_from, "systemic", text))


def history_entries(
    reader: CaseReader, earlier: list[tuple[Resource, list[dict[str, Any]]]]
) -> list[dict[str, Any]]:
    """The history: earlier radiotherapy courses, other procedures (surgery, imaging), imaging
    studies and imaging reports."""
    found = []
    german = reader.options.language == "de"
    for _, entries in earlier:
        for e in entries:
            dose = number_text(e["total_dose_gy"], german)
            words = (
                f"Radiotherapie {e['target']}, {dose} Gy in {e['fractions']} Fraktionen"
                if german
                else f"Radiotherapy to {e['target']}, {dose} Gy in {e['fractions']} fractions"
            )
            found.append(history_entry(e["start_date"], "radiotherapy", words))
    for procedure in reader.of("Procedure"):
        text = plain_term(concept_text(procedure.data.get("code")))
        if is_course(procedure) or not text:  # nothing to name: listed as not used
            continue
        reader.whole(procedure, *_PROCEDURE_ELEMENTS)
        categories = {c for _, c, _ in procedure.codes("category")}
        kind = ("surgery" if codes.SNOMED_SURGERY in categories
                else "imaging" if codes.SNOMED_IMAGING in categories else "other")  # fmt: skip
        when = procedure.data.get("performedDateTime") or (
            procedure.data.get("performedPeriod") or {}
        ).get("start", "")
        found.append(history_entry(str(when)[:10], kind, text))
    for study in reader.of("ImagingStudy"):
        if not study.data.get("description"):
            continue
        reader.whole(study, "started", "description", "status")
        found.append(
            history_entry(
                str(study.data.get("started", ""))[:10],
                "imaging",
                study.data.get("description", ""),
            )
        )
    for report in reader.of("DiagnosticReport"):
        if not {c for _, c, _ in report.codes("category")} & codes.IMAGING_REPORT:
            continue  # a laboratory report: listed as not used
        reader.whole(report, "code", "status", "category", "effectiveDateTime", "conclusion")
        text = plain_term(concept_text(report.data.get("code")))
        if not text:
            continue
        if report.data.get("conclusion"):
            text = f"{text}: {report.data['conclusion']}"
        found.append(
            history_entry(str(report.data.get("effectiveDateTime", ""))[:10], "imaging", text)
        )
    return [h for h in found if h["description"]]
