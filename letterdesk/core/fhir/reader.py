"""What the mapping of one patient's case reads from: the document, the patient and their
resources, the options (:class:`FhirOptions`, what a case needs that FHIR does not carry),
which elements were used (:class:`Use`, for the list of what was not),
and the problems found (:class:`CaseReader`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letterdesk.core.cases.case import Problem
from letterdesk.core.fhir.read import Document, Resource

ADMINISTRATIVE = {"resourceType", "id", "meta", "text", "implicitRules", "language"}
"""Elements that say nothing about the patient; never listed as not mapped."""
SUBJECT_ELEMENTS = ("subject", "patient")
"""The elements that name a resource's patient."""


@dataclass(frozen=True)
class FhirOptions:
    """What a case needs that FHIR does not carry."""

    letter_type: str = "final_report"
    language: str = "de"
    case_id: str | None = None
    """The case's ID; None: made from the patient's identifier, the letter type and the date
    of the letter's course (or of the newest diagnosis). Only for a file with one patient."""


class Use:
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
        read = self.elements.get(id(resource), set()) | ADMINISTRATIVE
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


class CaseReader:
    """One patient's resources as the subject modules read them into a case."""

    def __init__(
        self,
        document: Document,
        patient: Resource,
        resources: list[Resource],
        options: FhirOptions,
        use: Use,
    ) -> None:
        self.document, self.patient, self.resources = document, patient, resources
        self.options, self.use = options, use
        self.errors: list[Problem] = []

    def error(self, resource: Resource, element: str, message: str) -> None:
        """Something the case cannot do without is missing or unreadable."""
        self.errors.append(Problem(f"{resource.label}.{element}", message))

    def whole(self, resource: Resource, *elements: str) -> None:
        """Mark a resource as used (its other elements are then listed one by one)."""
        self.use.whole.add(id(resource))
        self.use.take(resource, *elements, *SUBJECT_ELEMENTS)

    def of(self, *types: str) -> list[Resource]:
        """The patient's resources of these types."""
        return [r for r in self.resources if r.type in types]
