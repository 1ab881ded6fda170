"""Small readers of FHIR elements the mapping modules share: a CodeableConcept's codings and
text, SNOMED terms without their semantic tag, LOINC codes, what kind of resource a condition
or procedure is, dates, CTCAE grades, and a case's history entry."""

from __future__ import annotations

import re
from typing import Any

from letterdesk.core.fhir import codes
from letterdesk.core.fhir.read import Resource

_SEMANTIC_TAG = re.compile(
    r"\s*\((disorder|procedure|finding|body structure|qualifier value|"
    r"morphologic abnormality|regime/therapy)\)$"
)


def codings_of(concept: Any) -> list[dict[str, Any]]:
    """A CodeableConcept's codings (none for anything else)."""
    return list(concept.get("coding", [])) if isinstance(concept, dict) else []


def concept_text(concept: Any, code_first: bool = False) -> str:
    """A CodeableConcept's text, else its first display (or code)."""
    if not isinstance(concept, dict):
        return ""
    codings = codings_of(concept)
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


def plain_term(text: str) -> str:
    """A SNOMED fully specified name without its semantic tag: "Proctitis (disorder)"."""
    return _SEMANTIC_TAG.sub("", text.strip())


def stage_text(text: str) -> str:
    """A stage without its "UICC stage" or "Stadium" words: "IIA"."""
    return re.sub(r"^(UICC\s+|AJCC\s+)?(stage|stadium)\s+", "", text.strip(), flags=re.IGNORECASE)


def loinc(resource: Resource) -> str:
    """The resource's LOINC code (empty when it has none)."""
    return next((c for s, c, _ in resource.codes() if s == codes.LOINC), "")


def is_cancer(condition: Resource) -> bool:
    """A cancer condition: mCODE primary or secondary cancer condition, or ICD-10 C, D0, D3, D4."""
    if any(
        p.endswith((codes.PRIMARY_CANCER, codes.SECONDARY_CANCER)) for p in condition.profiles()
    ):
        return True
    return any(
        s in codes.ICD10_SYSTEMS and re.match(r"^(C|D0|D3|D4)", c or "")
        for s, c, _ in condition.codes()
    )


def is_secondary(condition: Resource) -> bool:
    """An mCODE secondary cancer condition (a metastasis)."""
    return any(p.endswith(codes.SECONDARY_CANCER) for p in condition.profiles())


def is_course(procedure: Resource) -> bool:
    """A radiotherapy course summary (CodeX RT profile or SNOMED code)."""
    return any(codes.COURSE_SUMMARY in p for p in procedure.profiles()) or any(
        s == codes.SNOMED and c == codes.SNOMED_RT_COURSE for s, c, _ in procedure.codes()
    )


def first_date(resource: Resource, *elements: str) -> str:
    """The date (YYYY-MM-DD) of the first of ``elements`` the resource has."""
    return next((str(resource.data[e])[:10] for e in elements if resource.data.get(e)), "")


def ctcae_grade(extension: dict[str, Any]) -> int | None:
    """A CTCAE grade extension's grade, 0-5; None when it has none."""
    if isinstance(extension.get("valueInteger"), int):
        value = extension["valueInteger"]
    else:
        concept = extension.get("valueCodeableConcept")
        value = first_int(next((c.get("code", "") for c in codings_of(concept)), ""))
        if value is None or not 0 <= value <= 5:  # an NCIt code (C41338): read the display
            value = first_int(
                next((c.get("display", "") for c in codings_of(concept)), "")
                or str((concept or {}).get("text", ""))
            )
    return value if value is not None and 0 <= value <= 5 else None


def first_int(text: str) -> int | None:
    """The first whole number in ``text``."""
    match = re.search(r"\d+", text or "")
    return int(match.group()) if match else None


def number_text(value: float, german: bool) -> str:
    """A dose as the letter writes it (German decimal comma)."""
    text = f"{value:g}"
    return text.replace(".", ",") if german else text


def history_entry(date: str, kind: str, description: str) -> dict[str, Any]:
    """A history entry of the case format (its date only when known)."""
    entry: dict[str, Any] = {"kind": kind, "description": description}
    if date:
        entry["date"] = date
    return entry
