"""From FHIR R4 resources (mCODE, CodeX Radiation Therapy) to cases of the case format.

One case per patient in the file. What the case format needs and FHIR does not carry (letter
type, language) comes from :class:`FhirOptions`. Every resource, element and extension that
is not used is listed in :attr:`Mapped.not_mapped` with its path; what the case cannot do
without (a birth date, an ICD-10 code, a course's period, a dose in a known unit) is an error
naming the resource and element, and nothing of the file is imported.

Which course is the letter's: the most recent radiotherapy course summary (by its start)
gives the case's ``radiotherapy`` entries, one per treated volume (a boost is a second volume
of the same course); earlier courses go to the history. Medication given while the letter's
course ran is its concurrent therapy; other medication is history.

This module decides which resources belong to which patient and puts each case together; the
parts of a case are read by one module per subject — ``patient``, ``diagnoses``,
``radiotherapy``, ``history``, ``observations`` — from a :class:`~.reader.CaseReader`, with
the small element readers of ``elements``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from letterdesk.core.cases.case import SCHEMA_VERSION, Case, Problem, parse_case
from letterdesk.core.fhir import diagnoses, history, observations, patient, radiotherapy
from letterdesk.core.fhir.read import Document, Resource, read_fhir
from letterdesk.core.fhir.reader import SUBJECT_ELEMENTS, CaseReader, FhirOptions, Use
from letterdesk.core.foundation.errors import CaseFileError


@dataclass
class Mapped:
    """The cases a FHIR file gives, and what of it was not used."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    not_mapped: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def fhir_cases(
    document: dict[str, Any], source: str, options: FhirOptions
) -> tuple[list[Case], list[Problem]]:
    """The checked cases of a FHIR file and what of it was not used; CaseFileError naming
    every resource and element that keeps it from being imported (then nothing is)."""
    mapped = cases_from_fhir(read_fhir(document, source), options)
    if mapped.errors:
        raise CaseFileError(source, [str(p) for p in mapped.errors])
    cases, problems = [], []
    for data in mapped.cases:
        try:
            cases.append(parse_case(json.dumps(data, ensure_ascii=False), source))
        except CaseFileError as exc:  # a value the case format refuses, e.g. a dose of 0 Gy
            problems += [f"case {data['case_id']}: {p}" for p in exc.problems]
    if problems:
        raise CaseFileError(source, problems)
    return cases, mapped.not_mapped


def cases_from_fhir(document: Document, options: FhirOptions) -> Mapped:
    """The cases of the file's patients; errors (and no case) where one cannot be made."""
    mapped, use = Mapped(), Use()
    patients = list(document.of_type("Patient"))
    if not patients:
        mapped.errors.append(Problem("$", "the file holds no Patient: whose letter would it be?"))
        return mapped
    if options.case_id is not None and len(patients) > 1:
        mapped.errors.append(
            Problem("$", f"{len(patients)} patients in the file, but one case ID was given")
        )
        return mapped
    modified = [r for r in document.resources if r.data.get("modifierExtension")]
    mapped.errors += [
        Problem(f"{r.label}.modifierExtension", "changes what the resource means in a way "
                "LetterDesk cannot read; ask for an export without it")
        for r in modified
    ]  # fmt: skip
    void = {id(r): why for r in document.resources if (why := _void(r))}
    owners = _owners(document, patients)
    for person in patients:
        mine = [r for r in document.resources if owners.get(id(r)) is person]
        mine = [r for r in mine if id(r) not in void]
        _build(CaseReader(document, person, mine, options, use), mapped)
    for resource in document.resources:
        why = void.get(id(resource)) or use.skipped.get(id(resource))
        if why:
            mapped.not_mapped.append(Problem(resource.label, f"{why}; not used"))
        elif id(resource) in use.whole or resource.type == "Patient":
            mapped.not_mapped.extend(use.left_over(resource))
        elif owners.get(id(resource)) is None:
            mapped.not_mapped.append(Problem(resource.label, _why_unowned(len(patients))))
        else:
            mapped.not_mapped.append(Problem(resource.label, _not_used(resource)))
    if mapped.errors:
        mapped.cases.clear()
    return mapped


def _owners(document: Document, patients: list[Resource]) -> dict[int, Resource]:
    """Each resource's patient: the one its subject names; with a single patient in the file
    also resources that name none (a BodyStructure, a Medication)."""
    owners: dict[int, Resource] = {}
    for resource in document.resources:
        if resource.type == "Patient":
            continue
        reference = next(
            (resource.data[e] for e in SUBJECT_ELEMENTS if isinstance(resource.data.get(e), dict)),
            None,
        )
        target = document.resolve(reference)
        if target is not None and target.type == "Patient":
            owners[id(resource)] = target
        elif reference is None and len(patients) == 1:
            owners[id(resource)] = patients[0]
    return owners


def _void(resource: Resource) -> str | None:
    """Why a resource does not state a fact about the patient (None: it does): entered in
    error, not done, cancelled, refuted, only a potential adverse event."""
    data = resource.data
    if data.get("status") in ("entered-in-error", "not-done", "cancelled"):
        return f"status {data['status']}"
    verification = {c for _, c, _ in resource.codes("verificationStatus")}
    if verification & {"refuted", "entered-in-error"}:
        return f"verification status {sorted(verification)[0]}"
    if resource.type == "AdverseEvent" and data.get("actuality") == "potential":
        return "a potential adverse event, not one that happened"
    return None


def _why_unowned(patients: int) -> str:
    if patients > 1:
        return "names none of the file's patients as its subject; not used"
    return "its subject is not the file's patient; not used"


def _not_used(resource: Resource) -> str:
    shown = ", ".join(f"{d or c}" for _, c, d in resource.codes()[:1])
    return (f"{shown}: " if shown else "") + "no part of a letter's case holds this; not used"


# --- one patient's case ------------------------------------------------------------------------


def _build(reader: CaseReader, mapped: Mapped) -> None:
    """The patient's case into ``mapped.cases``, or what keeps it from being one into
    ``mapped.errors``."""
    case: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "case_id": "",
        "letter_type": reader.options.letter_type,
        "language": reader.options.language,
        "patient": patient.patient_block(reader),
    }
    if recipient := patient.recipient(reader):
        case["recipient"] = recipient
    case["diagnoses"] = diagnoses.diagnoses(reader)
    courses = radiotherapy.courses(reader)
    current = courses[-1] if courses else None
    earlier = history.history_entries(reader, courses[:-1])
    if current is not None:
        case["radiotherapy"] = current[1]
        history.concurrent(reader, current, earlier)
    else:
        history.medication_history(reader, earlier)
    if earlier:
        case["history"] = sorted(earlier, key=lambda h: h.get("date", ""))
    if toxicities := observations.toxicities(reader, current):
        case["toxicities"] = toxicities
    if performance := observations.performance(reader):
        case["performance_status"] = performance
    case["case_id"] = reader.options.case_id or _case_id(case, current)
    if reader.errors:
        mapped.errors.extend(reader.errors)
    else:
        mapped.cases.append(case)


def _case_id(case: dict[str, Any], current: tuple[Resource, list[dict[str, Any]]] | None) -> str:
    """The patient's identifier, the letter type and the date of the letter's course (or of
    the newest diagnosis)."""
    if current is not None:
        date = current[1][0]["start_date"]
    else:
        date = max((d.get("date", "") for d in case["diagnoses"]), default="")
    parts = [
        case["patient"]["patient_id"],
        case["letter_type"].replace("_", "-"),
        date.replace("-", ""),
    ]
    return "-".join(p for p in parts if p)
