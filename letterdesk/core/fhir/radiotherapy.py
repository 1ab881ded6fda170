"""A case's radiotherapy from the CodeX Radiation Therapy course summaries (Procedure): one
entry per treated volume (a boost is a second volume of the same course), with technique and
modality, dose per fraction, fractions, total dose in Gy and the course's dates."""

from __future__ import annotations

from typing import Any

from letterdesk.core.fhir import codes
from letterdesk.core.fhir.elements import codings_of, concept_text, is_course, plain_term
from letterdesk.core.fhir.read import Resource
from letterdesk.core.fhir.reader import CaseReader


def courses(reader: CaseReader) -> list[tuple[Resource, list[dict[str, Any]]]]:
    """Each course summary with its volumes as case entries, oldest first."""
    found = []
    for procedure in reader.of("Procedure"):
        if not is_course(procedure):
            continue
        reader.whole(procedure, "code", "status", "category")
        entries = _course(reader, procedure)
        if entries:
            found.append((procedure, entries))
    return sorted(found, key=lambda c: c[1][0]["start_date"])


def _course(reader: CaseReader, procedure: Resource) -> list[dict[str, Any]]:
    use = reader.use
    period = use.get(procedure, "performedPeriod") or {}
    if one_day := use.get(procedure, "performedDateTime"):  # a single-session course
        period = {"start": one_day, "end": one_day}
    start, end = str(period.get("start", ""))[:10], str(period.get("end", ""))[:10]
    if not start or not end:
        missing = "start" if not start else "end"
        reader.error(procedure, "performedPeriod", f"the course has no {missing} date")
        return []
    technique = _technique(reader, procedure)
    sessions = [e.get("valueUnsignedInt") for e in use.extensions_of(procedure, codes.EXT_SESSIONS)]
    volumes = use.extensions_of(procedure, codes.EXT_DOSE_TO_VOLUME)
    if not volumes:
        reader.error(
            procedure,
            "extension",
            "no dose delivered to any volume (mcode-radiotherapy-dose-delivered-to-volume)",
        )
        return []
    entries = []
    for index, volume in enumerate(volumes):
        parts = {str(p.get("url")): p for p in volume.get("extension", [])}
        where = f"extension[{codes.EXT_DOSE_TO_VOLUME}][{index}]"
        target = _volume_name(reader, parts.get("volume"))
        if not target:
            reader.error(procedure, where + ".volume", "the treated volume is not named")
        total = _dose_gy(reader, procedure, where, parts.get("totalDoseDelivered"))
        fractions = (parts.get("fractionsDelivered") or {}).get("valueUnsignedInt")
        if fractions is None and len(volumes) == 1 and sessions and sessions[0]:
            fractions = sessions[0]
        if not fractions:
            reader.error(
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


def _technique(reader: CaseReader, procedure: Resource) -> str:
    names = []
    for extension in reader.use.extensions_of(procedure, codes.EXT_MODALITY_AND_TECHNIQUE):
        parts = extension.get("extension", [])
        for wanted in ("technique", "modality"):  # technique first: "VMAT, photons"
            names += [
                _rt_term(reader, p.get("valueCodeableConcept"))
                for p in parts
                if str(p.get("url", "")).rsplit("-", 1)[-1].rsplit("/", 1)[-1] == wanted
            ]
    if not names:
        reader.error(
            procedure,
            "extension",
            "no modality and technique (mcode-radiotherapy-modality-and-technique)",
        )
    return ", ".join(n for n in names if n)


def _rt_term(reader: CaseReader, concept: Any) -> str:
    """A technique or modality in the letter's words ("VMAT", "Photonen")."""
    for coding in codings_of(concept):
        if coding.get("system") == codes.SNOMED and coding.get("code") in codes.RT_TERMS:
            german, english = codes.RT_TERMS[coding["code"]]
            return german if reader.options.language == "de" else english
    return plain_term(concept_text(concept))


def _volume_name(reader: CaseReader, part: dict[str, Any] | None) -> str:
    reference = (part or {}).get("valueReference")
    body = reader.document.resolve(reference)
    if body is not None:
        reader.whole(body, "description", "identifier", "location")
        text = body.data.get("description") or concept_text(body.data.get("location"))
        return plain_term(str(text or ""))
    return plain_term(str((reference or {}).get("display", "")))


def _dose_gy(
    reader: CaseReader, procedure: Resource, where: str, part: dict[str, Any] | None
) -> float | None:
    quantity = (part or {}).get("valueQuantity")
    if not quantity or quantity.get("value") is None:
        reader.error(procedure, where + ".totalDoseDelivered", "the total dose is missing")
        return None
    unit = quantity.get("code") if quantity.get("system") == codes.UCUM else None
    unit = unit or quantity.get("unit")
    if unit not in codes.DOSE_UNITS_GY:
        reader.error(
            procedure, where + ".totalDoseDelivered",
            f"the dose unit {unit!r} is not one LetterDesk knows (UCUM Gy or cGy)",
        )  # fmt: skip
        return None
    gray = round(float(quantity["value"]) * codes.DOSE_UNITS_GY[unit], 3)
    if gray <= 0:
        reader.error(procedure, where + ".totalDoseDelivered", f"a total dose of {gray:g} Gy")
        return None
    return gray
