"""What was observed during the letter's course: adverse events with their CTCAE grade (those of
that course) and the newest performance status (ECOG or Karnofsky)."""

from __future__ import annotations

from typing import Any

from letterdesk.core.fhir import codes
from letterdesk.core.fhir.elements import (
    codings_of,
    concept_text,
    ctcae_grade,
    first_int,
    is_course,
    loinc,
    plain_term,
)
from letterdesk.core.fhir.read import Resource
from letterdesk.core.fhir.reader import CaseReader


def toxicities(
    reader: CaseReader, current: tuple[Resource, list[dict[str, Any]]] | None
) -> list[dict[str, Any]]:
    """The adverse events of the letter's course: linked to it (``suspectEntity``), or
    linked to no course and not dated before it; the others are listed as not used."""
    found = []
    for event in reader.of("AdverseEvent"):
        suspects = [reader.document.resolve(e.get("instance")) for e in
                    event.data.get("suspectEntity", [])]  # fmt: skip
        courses = [s for s in suspects if s is not None and is_course(s)]
        when, start = str(event.data.get("date", ""))[:10], ""
        if current is not None:
            start = current[1][0]["start_date"]
        if courses and (current is None or current[0] not in courses):
            reader.use.skipped[id(event)] = "an adverse event of an earlier course"
            continue
        if not courses and when and start and when < start:
            reader.use.skipped[id(event)] = "dated before the letter's course"
            continue
        grades = reader.use.extensions_of(event, *codes.EXT_AE_GRADE)
        reader.whole(event, "event", "actuality", "date", "suspectEntity")
        term = plain_term(concept_text(event.data.get("event")))
        grade = next((ctcae_grade(g) for g in grades if ctcae_grade(g) is not None), None)
        if not term:
            reader.error(event, "event", "the adverse event is not named")
        elif grade is None:
            reader.error(event, "extension", "the adverse event has no CTCAE grade (0-5)")
        else:
            found.append({"term": term, "ctcae_grade": grade})
    return found


def performance(reader: CaseReader) -> dict[str, Any] | None:
    """The newest performance status (ECOG or Karnofsky); None when there is none."""
    newest: tuple[str, dict[str, Any]] | None = None
    for observation in reader.of("Observation"):
        code = loinc(observation)
        if code not in (codes.ECOG, codes.KARNOFSKY):
            continue
        reader.whole(
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
                (c.get("code") for c in codings_of(concept) if c.get("code") in codes.ECOG_ANSWERS),
                None,
            )
            value = (
                codes.ECOG_ANSWERS.get(answer or "") if answer else first_int(concept_text(concept))
            )
        if value is None:
            reader.error(observation, "value[x]", "the performance status has no value")
            continue
        when = str(observation.data.get("effectiveDateTime", ""))
        status = {"scale": "ECOG" if code == codes.ECOG else "KPS", "value": int(value)}
        if newest is None or when >= newest[0]:
            newest = (when, status)
    return newest[1] if newest else None
