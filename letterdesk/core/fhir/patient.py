"""The patient block of a case from the Patient resource, and the letter's recipient from the
patient's general practitioner (a Practitioner)."""

from __future__ import annotations

from typing import Any

from letterdesk.core.fhir.elements import codings_of
from letterdesk.core.fhir.reader import CaseReader


def patient_block(reader: CaseReader) -> dict[str, Any]:
    """The case's patient: names, sex, birth date, identifier (the MR one first)."""
    patient, use = reader.patient, reader.use
    names = use.get(patient, "name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    family, given = name.get("family"), " ".join(name.get("given", []))
    if not family or not given:
        reader.error(patient, "name", "the patient's family and given name are both needed")
    birth = use.get(patient, "birthDate")
    if not birth:
        reader.error(patient, "birthDate", "missing: a letter names the patient's birth date")
    elif len(str(birth)) != 10:
        reader.error(patient, "birthDate", f"{birth!r} is not a whole date (year-month-day)")
    gender = use.get(patient, "gender")
    sex = {"female": "female", "male": "male", "other": "diverse"}.get(gender, "unknown")
    identifiers = use.get(patient, "identifier") or []
    chosen = next(
        (i for i in identifiers if any(c.get("code") == "MR" for c in codings_of(i.get("type")))),
        identifiers[0] if identifiers else {"value": patient.data.get("id", "")},
    )
    if not chosen.get("value"):
        reader.error(patient, "identifier", "the patient has no identifier (and no id)")
    return {
        "patient_id": str(chosen.get("value", "")),
        "given_name": given,
        "family_name": family or "",
        "sex": sex,
        "birth_date": str(birth or ""),
    }


def recipient(reader: CaseReader) -> dict[str, Any] | None:
    """The general practitioner the patient's record names, as the letter's recipient."""
    for reference in reader.use.get(reader.patient, "generalPractitioner") or []:
        doctor = reader.document.resolve(reference)
        if doctor is None or doctor.type != "Practitioner":
            continue
        reader.whole(doctor, "name", "address")
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
