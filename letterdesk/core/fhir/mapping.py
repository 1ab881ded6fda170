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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from letterdesk.core.cases.case import SCHEMA_VERSION, Case, Problem, parse_case
from letterdesk.core.fhir import codes
from letterdesk.core.fhir.read import Document, Resource, read_fhir
from letterdesk.core.foundation.errors import CaseFileError

_ADMINISTRATIVE = {"resourceType", "id", "meta", "text", "implicitRules", "language"}
"""Elements that say nothing about the patient; never listed as not mapped."""
_SUBJECT_ELEMENTS = ("subject", "patient")
_MEDICATION_ELEMENTS = (
    "status", "intent", "category", "medicationCodeableConcept", "medicationReference",
    "effectivePeriod", "effectiveDateTime", "dosage", "dosageInstruction", "authoredOn",
)  # fmt: skip
_PROCEDURE_ELEMENTS = ("code", "status", "category", "performedDateTime", "performedPeriod")
_SEMANTIC_TAG = re.compile(
    r"\s*\((disorder|procedure|finding|body structure|qualifier value|"
    r"morphologic abnormality|regime/therapy)\)$"
)


@dataclass(frozen=True)
class FhirOptions:
    """What a case needs that FHIR does not carry."""

    letter_type: str = "final_report"
    language: str = "de"
    case_id: str | None = None
    """The case's ID; None: made from the patient's identifier, the letter type and the date
    of the letter's course (or of the newest diagnosis). Only for a file with one patient."""


@dataclass
class Mapped:
    """The cases a FHIR file gives, and what of it was not used."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    not_mapped: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


class _Use:
    """Which elements and extensions of a resource the mapping read."""

    def __init__(self) -> None:
        self.elements: dict[int, set[str]] = {}
        self.extensions: dict[int, set[int]] = {}
        self.whole: set[int] = set()
        self.skipped: dict[int, str] = {}
        """Resources left out on purpose, with the reason."""

    def get(self, resource: Resource, element: str) -> Any:
        self.elements.setdefault(id(resource), set()).add(element)
        return resource.data.get(element)

    def take(self, resource: Resource, *elements: str) -> None:
        self.elements.setdefault(id(resource), set()).update(elements)

    def extensions_of(self, resource: Resource, *names: str) -> list[dict[str, Any]]:
        """The resource's extensions whose URL ends with one of ``names``, marked as read."""
        found = []
        for index, extension in enumerate(resource.data.get("extension", [])):
            if str(extension.get("url", "")).rsplit("/", 1)[-1] in names:
                self.extensions.setdefault(id(resource), set()).add(index)
                found.append(extension)
        return found

    def left_over(self, resource: Resource) -> list[Problem]:
        read = self.elements.get(id(resource), set()) | _ADMINISTRATIVE
        taken = self.extensions.get(id(resource), set())
        problems = [
            Problem(f"{resource.label}.{name}", "not used in the case")
            for name in resource.data
            if name not in read and name != "extension"
        ]
        problems += [
            Problem(
                f"{resource.label}.extension[{index}]", f"{ext.get('url')}: not used in the case"
            )
            for index, ext in enumerate(resource.data.get("extension", []))
            if index not in taken
        ]
        return problems


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
    mapped, use = Mapped(), _Use()
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
    for patient in patients:
        mine = [r for r in document.resources if owners.get(id(r)) is patient]
        mine = [r for r in mine if id(r) not in void]
        _Case(document, patient, mine, options, use, mapped).build()
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
            (resource.data[e] for e in _SUBJECT_ELEMENTS if isinstance(resource.data.get(e), dict)),
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


class _Case:
    def __init__(
        self,
        document: Document,
        patient: Resource,
        resources: list[Resource],
        options: FhirOptions,
        use: _Use,
        mapped: Mapped,
    ) -> None:
        self.document, self.patient, self.resources = document, patient, resources
        self.options, self.use, self.mapped = options, use, mapped
        self.errors: list[Problem] = []

    def error(self, resource: Resource, element: str, message: str) -> None:
        self.errors.append(Problem(f"{resource.label}.{element}", message))

    def whole(self, resource: Resource, *elements: str) -> None:
        """Mark a resource as used (its other elements are then listed one by one)."""
        self.use.whole.add(id(resource))
        self.use.take(resource, *elements, *_SUBJECT_ELEMENTS)

    def of(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def build(self) -> None:
        case: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "case_id": "",
            "letter_type": self.options.letter_type,
            "language": self.options.language,
            "patient": self.patient_block(),
        }
        if recipient := self.recipient():
            case["recipient"] = recipient
        case["diagnoses"] = self.diagnoses()
        courses = self.courses()
        current = courses[-1] if courses else None
        history = self.history(courses[:-1])
        if current is not None:
            case["radiotherapy"] = current[1]
            self.concurrent(current, history)
        else:
            self.medication_history(history)
        if history:
            case["history"] = sorted(history, key=lambda h: h.get("date", ""))
        if toxicities := self.toxicities(current):
            case["toxicities"] = toxicities
        if performance := self.performance():
            case["performance_status"] = performance
        case["case_id"] = self.options.case_id or self.case_id(case, current)
        if self.errors:
            self.mapped.errors.extend(self.errors)
        else:
            self.mapped.cases.append(case)

    # patient and recipient

    def patient_block(self) -> dict[str, Any]:
        patient, use = self.patient, self.use
        names = use.get(patient, "name") or []
        name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
        family, given = name.get("family"), " ".join(name.get("given", []))
        if not family or not given:
            self.error(patient, "name", "the patient's family and given name are both needed")
        birth = use.get(patient, "birthDate")
        if not birth:
            self.error(patient, "birthDate", "missing: a letter names the patient's birth date")
        elif len(str(birth)) != 10:
            self.error(patient, "birthDate", f"{birth!r} is not a whole date (year-month-day)")
        gender = use.get(patient, "gender")
        sex = {"female": "female", "male": "male", "other": "diverse"}.get(gender, "unknown")
        identifiers = use.get(patient, "identifier") or []
        chosen = next(
            (i for i in identifiers if any(c.get("code") == "MR" for c in _codings(i.get("type")))),
            identifiers[0] if identifiers else {"value": patient.data.get("id", "")},
        )
        if not chosen.get("value"):
            self.error(patient, "identifier", "the patient has no identifier (and no id)")
        return {
            "patient_id": str(chosen.get("value", "")),
            "given_name": given,
            "family_name": family or "",
            "sex": sex,
            "birth_date": str(birth or ""),
        }

    def recipient(self) -> dict[str, Any] | None:
        """The general practitioner the patient's record names, as the letter's recipient."""
        for reference in self.use.get(self.patient, "generalPractitioner") or []:
            doctor = self.document.resolve(reference)
            if doctor is None or doctor.type != "Practitioner":
                continue
            self.whole(doctor, "name", "address")
            name = (doctor.data.get("name") or [{}])[0]
            if not name.get("family"):
                continue
            found = {"family_name": name["family"]}
            if name.get("given"):
                found["given_name"] = " ".join(name["given"])
            if name.get("prefix"):
                found["title"] = " ".join(name["prefix"])
            address = (doctor.data.get("address") or [{}])[0]
            for key, element in (
                ("street", "line"),
                ("postal_code", "postalCode"),
                ("city", "city"),
            ):
                value = address.get(element)
                if value:
                    found[key] = ", ".join(value) if isinstance(value, list) else value
            return found
        return None

    # diagnoses and their stage

    def diagnoses(self) -> list[dict[str, Any]]:
        conditions = [c for c in self.of("Condition") if _is_cancer(c)]
        if not conditions:
            self.errors.append(
                Problem(self.patient.label, "no cancer Condition (mCODE primary or secondary "
                        "cancer condition, or an ICD-10 C/D code) for this patient")
            )  # fmt: skip
        # primary cancers first, each group by date
        conditions.sort(key=lambda c: (_is_secondary(c), _date(c, "onsetDateTime", "recordedDate")))
        return [self.diagnosis(condition) for condition in conditions]

    def diagnosis(self, condition: Resource) -> dict[str, Any]:
        use = self.use
        self.whole(condition, "code", "clinicalStatus", "verificationStatus")
        icd = [(s, c, d) for s, c, d in condition.codes() if s in codes.ICD10_SYSTEMS and c]
        if not icd:
            self.error(condition, "code", "no ICD-10 code; the case needs one for each diagnosis")
        text = (condition.data.get("code") or {}).get("text") or next(
            (d for _, _, d in condition.codes() if d), ""
        )
        found: dict[str, Any] = {
            "text": _plain_term(text),
            "icd10": icd[0][1].rstrip("+*!") if icd else "",
        }
        if not found["text"]:
            self.error(condition, "code", "the diagnosis has neither a text nor a display")
        if date := _date(condition, "onsetDateTime", "recordedDate"):
            use.take(condition, "onsetDateTime", "recordedDate")
            found["date"] = date
        for extension in use.extensions_of(condition, codes.EXT_HISTOLOGY):
            found["histology"] = _concept_text(extension.get("valueCodeableConcept"))
        for site in use.get(condition, "bodySite") or []:
            for extension in site.get("extension", []):
                if str(extension.get("url", "")).endswith(codes.EXT_LATERALITY):
                    code = next(
                        (c.get("code") for c in _codings(extension.get("valueCodeableConcept"))), ""
                    )
                    if code in codes.LATERALITY:
                        found["laterality"] = codes.LATERALITY[code]
        found.update(self.stage(condition))
        return {k: v for k, v in found.items() if v not in ("", None)}

    def stage(self, condition: Resource) -> dict[str, str]:
        """UICC stage and TNM from the condition's stage group (or its stage summary)."""
        stages = self.use.get(condition, "stage") or []
        groups = [self.document.resolve(a) for s in stages for a in s.get("assessment", [])]
        groups += [
            o
            for o in self.of("Observation")
            if _loinc(o) in (codes.TNM_CLINICAL[0], codes.TNM_PATHOLOGICAL[0])
            and any(self.document.resolve(f) is condition for f in o.data.get("focus", []))
        ]
        for group in groups:
            if group is None or group.type != "Observation":
                continue
            self.whole(group, "code", "status", "focus")
            kind = (
                codes.TNM_PATHOLOGICAL
                if _loinc(group) == codes.TNM_PATHOLOGICAL[0]
                else codes.TNM_CLINICAL
            )
            prefix = "p" if kind is codes.TNM_PATHOLOGICAL else "c"
            found = {
                "uicc_stage": _stage_text(
                    _concept_text(self.use.get(group, "valueCodeableConcept"))
                )
            }
            categories: dict[str, str] = {}
            for member in self.use.get(group, "hasMember") or []:
                observation = self.document.resolve(member)
                if observation is None or _loinc(observation) not in kind[1:]:
                    continue
                self.whole(observation, "code", "status", "focus")
                value = _concept_text(
                    self.use.get(observation, "valueCodeableConcept"), code_first=True
                )
                value = value.split()[0] if value else ""
                if value and not value[0].islower():
                    value = prefix + value
                categories[_loinc(observation)] = value
            tnm = " ".join(categories[c] for c in kind[1:] if categories.get(c))
            if tnm:
                found["tnm"] = tnm
            return found
        for summary in stages:
            if text := _stage_text(_concept_text(summary.get("summary"))):
                return {"uicc_stage": text}
        return {}

    # radiotherapy

    def courses(self) -> list[tuple[Resource, list[dict[str, Any]]]]:
        """Each course summary with its volumes as case entries, oldest first."""
        found = []
        for procedure in self.of("Procedure"):
            if not _is_course(procedure):
                continue
            self.whole(procedure, "code", "status", "category")
            entries = self.course(procedure)
            if entries:
                found.append((procedure, entries))
        return sorted(found, key=lambda c: c[1][0]["start_date"])

    def course(self, procedure: Resource) -> list[dict[str, Any]]:
        use = self.use
        period = use.get(procedure, "performedPeriod") or {}
        if one_day := use.get(procedure, "performedDateTime"):  # a single-session course
            period = {"start": one_day, "end": one_day}
        start, end = str(period.get("start", ""))[:10], str(period.get("end", ""))[:10]
        if not start or not end:
            missing = "start" if not start else "end"
            self.error(procedure, "performedPeriod", f"the course has no {missing} date")
            return []
        technique = self.technique(procedure)
        sessions = [
            e.get("valueUnsignedInt") for e in use.extensions_of(procedure, codes.EXT_SESSIONS)
        ]
        volumes = use.extensions_of(procedure, codes.EXT_DOSE_TO_VOLUME)
        if not volumes:
            self.error(
                procedure,
                "extension",
                "no dose delivered to any volume (mcode-radiotherapy-dose-delivered-to-volume)",
            )
            return []
        entries = []
        for index, volume in enumerate(volumes):
            parts = {str(p.get("url")): p for p in volume.get("extension", [])}
            where = f"extension[{codes.EXT_DOSE_TO_VOLUME}][{index}]"
            target = self.volume_name(parts.get("volume"))
            if not target:
                self.error(procedure, where + ".volume", "the treated volume is not named")
            total = self.dose_gy(procedure, where, parts.get("totalDoseDelivered"))
            fractions = (parts.get("fractionsDelivered") or {}).get("valueUnsignedInt")
            if fractions is None and len(volumes) == 1 and sessions and sessions[0]:
                fractions = sessions[0]
            if not fractions:
                self.error(
                    procedure, where + ".fractionsDelivered", "the number of fractions is missing"
                )
            if not (target and total and fractions):
                continue
            entries.append({
                "target": target,
                "technique": technique,
                "dose_per_fraction_gy": round(total / fractions, 2),
                "fractions": int(fractions),
                "total_dose_gy": total,
                "start_date": start,
                "end_date": end,
            })  # fmt: skip
        return entries

    def technique(self, procedure: Resource) -> str:
        names = []
        for extension in self.use.extensions_of(procedure, codes.EXT_MODALITY_AND_TECHNIQUE):
            parts = extension.get("extension", [])
            for wanted in ("technique", "modality"):  # technique first: "VMAT, photons"
                names += [
                    self.rt_term(p.get("valueCodeableConcept"))
                    for p in parts
                    if str(p.get("url", "")).rsplit("-", 1)[-1].rsplit("/", 1)[-1] == wanted
                ]
        if not names:
            self.error(
                procedure,
                "extension",
                "no modality and technique (mcode-radiotherapy-modality-and-technique)",
            )
        return ", ".join(n for n in names if n)

    def rt_term(self, concept: Any) -> str:
        """A technique or modality in the letter's words ("VMAT", "Photonen")."""
        for coding in _codings(concept):
            if coding.get("system") == codes.SNOMED and coding.get("code") in codes.RT_TERMS:
                german, english = codes.RT_TERMS[coding["code"]]
                return german if self.options.language == "de" else english
        return _plain_term(_concept_text(concept))

    def volume_name(self, part: dict[str, Any] | None) -> str:
        reference = (part or {}).get("valueReference")
        body = self.document.resolve(reference)
        if body is not None:
            self.whole(body, "description", "identifier", "location")
            text = body.data.get("description") or _concept_text(body.data.get("location"))
            return _plain_term(str(text or ""))
        return _plain_term(str((reference or {}).get("display", "")))

    def dose_gy(self, procedure: Resource, where: str, part: dict[str, Any] | None) -> float | None:
        quantity = (part or {}).get("valueQuantity")
        if not quantity or quantity.get("value") is None:
            self.error(procedure, where + ".totalDoseDelivered", "the total dose is missing")
            return None
        unit = quantity.get("code") if quantity.get("system") == codes.UCUM else None
        unit = unit or quantity.get("unit")
        if unit not in codes.DOSE_UNITS_GY:
            self.error(
                procedure, where + ".totalDoseDelivered",
                f"the dose unit {unit!r} is not one LetterDesk knows (UCUM Gy or cGy)",
            )  # fmt: skip
            return None
        gray = round(float(quantity["value"]) * codes.DOSE_UNITS_GY[unit], 3)
        if gray <= 0:
            self.error(procedure, where + ".totalDoseDelivered", f"a total dose of {gray:g} Gy")
            return None
        return gray

    # medication, history

    def medications(self) -> list[tuple[Resource, str, str, str]]:
        """(resource, text, from, to) of each medication given or ordered."""
        found = []
        for resource in self.of("MedicationAdministration", "MedicationRequest"):
            self.whole(resource, *_MEDICATION_ELEMENTS)
            name = _concept_text(resource.data.get("medicationCodeableConcept"))
            reference = resource.data.get("medicationReference") or {}
            medication = self.document.resolve(reference)
            if medication is not None:
                self.whole(medication, "code", "status")
                name = name or _concept_text(medication.data.get("code"))
            elif str(reference.get("reference", "")).startswith("#"):  # a contained Medication
                self.use.take(resource, "contained")
                contained = {c.get("id"): c for c in resource.data.get("contained", [])}
                inner = contained.get(reference["reference"][1:], {})
                name = name or _concept_text(inner.get("code"))
            name = name or str(reference.get("display", ""))
            dose = (resource.data.get("dosage") or {}).get("text") or next(
                (
                    d.get("text")
                    for d in resource.data.get("dosageInstruction", [])
                    if d.get("text")
                ),
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
                self.error(resource, "medicationCodeableConcept", "the medication is not named")
                continue
            found.append(
                (resource, " ".join(p for p in (_plain_term(name), dose) if p), start, end)
            )
        return found

    def concurrent(
        self, current: tuple[Resource, list[dict[str, Any]]], history: list[dict[str, Any]]
    ) -> None:
        entries = current[1]
        start, end = entries[0]["start_date"], entries[0]["end_date"]
        during = []
        for _, text, given_from, given_to in self.medications():
            if given_from and given_from <= end and given_to >= start:
                during.append(text)
            else:
                history.append(_history(given_from, "systemic", text))
        if during:
            entries[0]["concurrent_therapy"] = "; ".join(during)

    def medication_history(self, history: list[dict[str, Any]]) -> None:
        for _, text, given_from, _ in self.medications():
            history.append(_history(given_from, "systemic", text))

    def history(self, earlier: list[tuple[Resource, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
        found = []
        german = self.options.language == "de"
        for _, entries in earlier:
            for e in entries:
                dose = _number(e["total_dose_gy"], german)
                words = (
                    f"Radiotherapie {e['target']}, {dose} Gy in {e['fractions']} Fraktionen"
                    if german
                    else f"Radiotherapy to {e['target']}, {dose} Gy in {e['fractions']} fractions"
                )
                found.append(_history(e["start_date"], "radiotherapy", words))
        for procedure in self.of("Procedure"):
            text = _plain_term(_concept_text(procedure.data.get("code")))
            if _is_course(procedure) or not text:  # nothing to name: listed as not used
                continue
            self.whole(procedure, *_PROCEDURE_ELEMENTS)
            categories = {c for _, c, _ in procedure.codes("category")}
            kind = ("surgery" if codes.SNOMED_SURGERY in categories
                    else "imaging" if codes.SNOMED_IMAGING in categories else "other")  # fmt: skip
            when = procedure.data.get("performedDateTime") or (
                procedure.data.get("performedPeriod") or {}
            ).get("start", "")
            found.append(_history(str(when)[:10], kind, text))
        for study in self.of("ImagingStudy"):
            if not study.data.get("description"):
                continue
            self.whole(study, "started", "description", "status")
            found.append(
                _history(
                    str(study.data.get("started", ""))[:10],
                    "imaging",
                    study.data.get("description", ""),
                )
            )
        for report in self.of("DiagnosticReport"):
            if not {c for _, c, _ in report.codes("category")} & codes.IMAGING_REPORT:
                continue  # a laboratory report: listed as not used
            self.whole(report, "code", "status", "category", "effectiveDateTime", "conclusion")
            text = _plain_term(_concept_text(report.data.get("code")))
            if not text:
                continue
            if report.data.get("conclusion"):
                text = f"{text}: {report.data['conclusion']}"
            found.append(
                _history(str(report.data.get("effectiveDateTime", ""))[:10], "imaging", text)
            )
        return [h for h in found if h["description"]]

    # toxicities and performance status

    def toxicities(
        self, current: tuple[Resource, list[dict[str, Any]]] | None
    ) -> list[dict[str, Any]]:
        """The adverse events of the letter's course: linked to it (``suspectEntity``), or
        linked to no course and not dated before it; the others are listed as not used."""
        found = []
        for event in self.of("AdverseEvent"):
            suspects = [self.document.resolve(e.get("instance")) for e in
                        event.data.get("suspectEntity", [])]  # fmt: skip
            courses = [s for s in suspects if s is not None and _is_course(s)]
            when, start = str(event.data.get("date", ""))[:10], ""
            if current is not None:
                start = current[1][0]["start_date"]
            if courses and (current is None or current[0] not in courses):
                self.use.skipped[id(event)] = "an adverse event of an earlier course"
                continue
            if not courses and when and start and when < start:
                self.use.skipped[id(event)] = "dated before the letter's course"
                continue
            grades = self.use.extensions_of(event, *codes.EXT_AE_GRADE)
            self.whole(event, "event", "actuality", "date", "suspectEntity")
            term = _plain_term(_concept_text(event.data.get("event")))
            grade = next((_grade(g) for g in grades if _grade(g) is not None), None)
            if not term:
                self.error(event, "event", "the adverse event is not named")
            elif grade is None:
                self.error(event, "extension", "the adverse event has no CTCAE grade (0-5)")
            else:
                found.append({"term": term, "ctcae_grade": grade})
        return found

    def performance(self) -> dict[str, Any] | None:
        newest: tuple[str, dict[str, Any]] | None = None
        for observation in self.of("Observation"):
            code = _loinc(observation)
            if code not in (codes.ECOG, codes.KARNOFSKY):
                continue
            self.whole(
                observation,
                "code",
                "status",
                "category",
                "effectiveDateTime",
                "valueInteger",
                "valueCodeableConcept",
            )
            value = observation.data.get("valueInteger")
            if value is None:
                concept = observation.data.get("valueCodeableConcept")
                answer = next(
                    (
                        c.get("code")
                        for c in _codings(concept)
                        if c.get("code") in codes.ECOG_ANSWERS
                    ),
                    None,
                )
                value = (
                    codes.ECOG_ANSWERS.get(answer or "")
                    if answer
                    else _first_int(_concept_text(concept))
                )
            if value is None:
                self.error(observation, "value[x]", "the performance status has no value")
                continue
            when = str(observation.data.get("effectiveDateTime", ""))
            status = {"scale": "ECOG" if code == codes.ECOG else "KPS", "value": int(value)}
            if newest is None or when >= newest[0]:
                newest = (when, status)
        return newest[1] if newest else None

    def case_id(
        self, case: dict[str, Any], current: tuple[Resource, list[dict[str, Any]]] | None
    ) -> str:
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


# --- small readers -----------------------------------------------------------------------------


def _codings(concept: Any) -> list[dict[str, Any]]:
    return list(concept.get("coding", [])) if isinstance(concept, dict) else []


def _concept_text(concept: Any, code_first: bool = False) -> str:
    """A CodeableConcept's text, else its first display (or code)."""
    if not isinstance(concept, dict):
        return ""
    codings = _codings(concept)
    if code_first and codings and codings[0].get("code"):
        return str(codings[0]["code"])
    return str(
        concept.get("text")
        or next(
            (
                c.get("display") or c.get("code")
                for c in codings
                if c.get("display") or c.get("code")
            ),
            "",
        )
    )


def _plain_term(text: str) -> str:
    """A SNOMED fully specified name without its semantic tag: "Proctitis (disorder)"."""
    return _SEMANTIC_TAG.sub("", text.strip())


def _stage_text(text: str) -> str:
    return re.sub(r"^(UICC\s+|AJCC\s+)?(stage|stadium)\s+", "", text.strip(), flags=re.IGNORECASE)


def _loinc(resource: Resource) -> str:
    return next((c for s, c, _ in resource.codes() if s == codes.LOINC), "")


def _is_cancer(condition: Resource) -> bool:
    if any(
        p.endswith((codes.PRIMARY_CANCER, codes.SECONDARY_CANCER)) for p in condition.profiles()
    ):
        return True
    return any(
        s in codes.ICD10_SYSTEMS and re.match(r"^(C|D0|D3|D4)", c or "")
        for s, c, _ in condition.codes()
    )


def _is_secondary(condition: Resource) -> bool:
    return any(p.endswith(codes.SECONDARY_CANCER) for p in condition.profiles())


def _is_course(procedure: Resource) -> bool:
    return any(codes.COURSE_SUMMARY in p for p in procedure.profiles()) or any(
        s == codes.SNOMED and c == codes.SNOMED_RT_COURSE for s, c, _ in procedure.codes()
    )


def _date(resource: Resource, *elements: str) -> str:
    return next((str(resource.data[e])[:10] for e in elements if resource.data.get(e)), "")


def _grade(extension: dict[str, Any]) -> int | None:
    if isinstance(extension.get("valueInteger"), int):
        value = extension["valueInteger"]
    else:
        concept = extension.get("valueCodeableConcept")
        value = _first_int(next((c.get("code", "") for c in _codings(concept)), ""))
        if value is None or not 0 <= value <= 5:  # an NCIt code (C41338): read the display
            value = _first_int(
                next((c.get("display", "") for c in _codings(concept)), "")
                or str((concept or {}).get("text", ""))
            )
    return value if value is not None and 0 <= value <= 5 else None


def _first_int(text: str) -> int | None:
    match = re.search(r"\d+", text or "")
    return int(match.group()) if match else None


def _number(value: float, german: bool) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if german else text


def _history(date: str, kind: str, description: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "description": description}
    if date:
        entry["date"] = date
    return entry
