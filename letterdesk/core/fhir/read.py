"""Reading a FHIR JSON document: checked against FHIR R4 with the ``fhir.resources`` models
(R4B, which reads R4), refused with the version named when it is R5 or STU3, its resources
indexed by every reference form a bundle uses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from letterdesk.core.foundation.errors import CaseFileError

MAX_FHIR_FILE_BYTES = 20_000_000
"""The largest FHIR file read: a patient's bundle is kilobytes; a bigger one is a mistake."""
BUNDLE_TYPES = ("collection", "transaction", "searchset", "batch", "document")
_MAX_PROBLEMS = 20


def is_fhir(document: Any) -> TypeGuard[dict[str, Any]]:
    """True for a JSON object that says which FHIR resource it is."""
    return isinstance(document, dict) and isinstance(document.get("resourceType"), str)


@dataclass
class Resource:
    """One resource of the document, with where it stands in it."""

    data: dict[str, Any]
    path: str
    """Its place in the file, e.g. ``Bundle.entry[3].resource``."""

    @property
    def type(self) -> str:
        return str(self.data["resourceType"])

    @property
    def label(self) -> str:
        """``Procedure/rt-1`` (or the path where the resource has no id)."""
        return f"{self.type}/{self.data['id']}" if self.data.get("id") else self.path

    def codes(self, element: str = "code") -> list[tuple[str, str, str]]:
        """(system, code, display) of the codings of a CodeableConcept element."""
        concept = self.data.get(element) or {}
        return [
            (c.get("system", ""), c.get("code", ""), c.get("display", ""))
            for c in concept.get("coding", [])
        ]

    def profiles(self) -> list[str]:
        return list((self.data.get("meta") or {}).get("profile", []))


@dataclass
class Document:
    """The resources of a FHIR file, and a resolver for references between them."""

    resources: list[Resource]
    by_reference: dict[str, Resource] = field(default_factory=dict)

    def resolve(self, reference: Any) -> Resource | None:
        """The resource a Reference points at (``Type/id``, a bundle's ``fullUrl``, or an
        absolute URL ending in ``Type/id``), None when it is not in this file."""
        if not isinstance(reference, dict) or not isinstance(reference.get("reference"), str):
            return None
        target = reference["reference"]
        if target in self.by_reference:
            return self.by_reference[target]
        tail = "/".join(target.rstrip("/").split("/")[-2:])
        return self.by_reference.get(tail)

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.type in types)


def read_fhir(document: dict[str, Any], source: str) -> Document:
    """Check ``document`` as FHIR R4 and index it; CaseFileError naming every problem."""
    # FHIR JSON has no nulls (the models would accept one where an element is optional)
    document = _without_nulls(document)
    _check_version(document, source)
    urls: list[str | None] = [None]
    if document["resourceType"] != "Bundle":
        resources = [Resource(document, document["resourceType"])]
    else:
        if document.get("type") not in BUNDLE_TYPES:
            raise CaseFileError(
                source,
                [
                    f"Bundle.type: a {document.get('type')!r} bundle holds no patient data to "
                    f"import (accepted: {', '.join(BUNDLE_TYPES)})"
                ],
            )
        resources, urls = [], []
        for index, entry in enumerate(document.get("entry", [])):
            if "resource" not in entry:
                continue  # a search result's outcome or a deleted entry: nothing to read
            if not is_fhir(entry["resource"]):
                raise CaseFileError(
                    source, [f"Bundle.entry[{index}].resource: not a resource (no resourceType)"]
                )
            resources.append(Resource(entry["resource"], f"Bundle.entry[{index}].resource"))
            urls.append(entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None)
    found = Document(resources)
    for resource, url in zip(resources, urls, strict=True):
        if resource.data.get("id"):
            found.by_reference[f"{resource.type}/{resource.data['id']}"] = resource
        if url is not None:
            found.by_reference[url] = resource
    return found


def _check_version(document: dict[str, Any], source: str) -> None:
    """Validate against R4; a document, or a bundle's resource, that R4 refuses but R5 or STU3
    accepts is named as such."""
    from pydantic import ValidationError

    try:
        _model("R4B", document["resourceType"]).model_validate(document)
    except (ValidationError, ValueError, TypeError) as exc:
        # another version is named only where R4 complains of nothing but elements it does not
        # know and that version accepts the file; any other complaint is an R4 problem
        if _only_unknown_elements(exc) and (version := _other_version(document)):
            raise CaseFileError(
                source,
                [
                    f"this is FHIR {version}, not FHIR R4: LetterDesk reads FHIR R4 (ask for an "
                    "R4 export; mCODE and CodeX Radiation Therapy are R4 guides)"
                ],
            ) from exc
        problems = _problems(exc, document)
        for index, entry in enumerate(_entries(document)):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not is_fhir(resource) or (refusal := _refusal(resource)) is None:
                continue
            if _only_unknown_elements(refusal) and (version := _other_version(resource)):
                where = f"{resource['resourceType']}/{resource.get('id', '?')} (entry {index})"
                problems = [p for p in problems if not p.startswith(where)]
                problems.append(f"{where}: written in FHIR {version}, not FHIR R4")
        raise CaseFileError(source, problems) from exc
    except KeyError as exc:  # a resourceType no FHIR version knows
        raise CaseFileError(
            source, [f"resourceType: {document['resourceType']!r} is not a FHIR R4 resource"]
        ) from exc


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def _only_unknown_elements(exc: Exception | None) -> bool:
    errors = getattr(exc, "errors", None)
    return callable(errors) and all(e.get("type") == "extra_forbidden" for e in errors())


def _refusal(document: dict[str, Any], version: str = "R4B") -> Exception | None:
    """A FHIR version's validation error for a document (None: that version accepts it)."""
    try:
        _model(version, document["resourceType"]).model_validate(document)
    except Exception as exc:  # noqa: BLE001 - the refusal is what is asked for
        return exc
    return None


def _entries(document: dict[str, Any]) -> list[Any]:
    entries = document.get("entry") if document["resourceType"] == "Bundle" else None
    return entries if isinstance(entries, list) else []


def _other_version(document: dict[str, Any]) -> str | None:
    """R5 or STU3 (R3) where that version accepts the document, else None."""
    return next(
        (
            name
            for version, name in (("R5", "R5"), ("STU3", "STU3 (R3)"))
            if _refusal(document, version) is None
        ),
        None,
    )


def _model(version: str, resource_type: str) -> Any:
    """The fhir.resources model class of a resource type in a FHIR version (KeyError: none)."""
    import importlib

    package = {"R4B": "fhir.resources.R4B", "R5": "fhir.resources", "STU3": "fhir.resources.STU3"}
    module = importlib.import_module(package[version])
    try:
        return module.get_fhir_model_class(resource_type)
    except (ValueError, KeyError, AttributeError, ImportError) as exc:
        raise KeyError(resource_type) from exc


def _problems(exc: Exception, document: dict[str, Any]) -> list[str]:
    """Each validation error as "resource.element: what is wrong", the resource named."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [f"{document['resourceType']}: {exc}"]
    problems = []
    for error in errors()[:_MAX_PROBLEMS]:
        location = [str(part) for part in error.get("loc", ())]
        where = document["resourceType"]
        if len(location) >= 3 and location[0] == "entry" and location[2] == "resource":
            entry = document["entry"][int(location[1])]["resource"]
            where = (
                f"{entry.get('resourceType')}/{entry.get('id', '?')} (entry {location[1]})"
                if isinstance(entry, dict)
                else f"Bundle.entry[{location[1]}].resource"
            )
            location = [part for part in location[3:] if part != "root"]
        element = ".".join(location)
        message = _plain(error.get("type", ""), error.get("msg", ""), location)
        problems.append(f"{where}.{element}: {message}" if element else f"{where}: {message}")
    more = len(errors()) - _MAX_PROBLEMS
    if more > 0:
        problems.append(f"and {more} more problems")
    return problems


def _plain(kind: str, message: str, location: list[str]) -> str:
    """pydantic's words, where they are technical, in a reader's words."""
    if kind == "extra_forbidden":
        return "not an element FHIR R4 knows here"
    if kind == "model_validation_format":
        if not location:  # the entry's resource itself
            return "not a resource (no resourceType)"
        return "not of the type FHIR R4 has for this element (a list, or a single value?)"
    if kind == "missing":
        return "required by FHIR R4 but missing"
    return message
