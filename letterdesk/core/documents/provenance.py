"""Where a letter came from, as an HL7 FHIR R4 Provenance resource (JSON).

For one revision of a letter (by default the signed one, else the newest, as the export
chooses) it says: which model drafted it (agent ``assembler``, a Device identified by the
model file's SHA-256, with its LoRA adapter), who changed it (``author``), who signed it
off (``verifier`` and ``attester``), when, from which case (entity ``source``) and from which
draft (entity ``derivation``). The Word files and FHIR documents exported from the revision are
further targets, identified by their SHA-256 as the audit log recorded it.

The resource names no patient: the case is referred to by its case ID.
"""

from __future__ import annotations

import json
from typing import Any

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import (
    Letter,
    Revision,
    letter,
    revisions,
)
from letterdesk.core.store.model_versions import ModelVersion, version

PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
SYSTEM = "urn:letterdesk:"
"""Prefix of LetterDesk's identifier systems: ``urn:letterdesk:case``, ``...:revision``…"""


def letter_provenance(
    store: Store, letter_id: int, revision_id: int | None = None
) -> dict[str, Any]:
    """The FHIR R4 Provenance of one revision (None: the signed one, else the newest)."""
    one = letter(store, letter_id)
    history = revisions(store, letter_id)
    target = _target_revision(one, history, revision_id)
    upto = [r for r in history if r.number <= target.number]
    draft = next(r for r in reversed(upto) if r.kind == "draft")
    signed = one.signed_revision_id == target.id
    resource: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": f"letterdesk-letter-{one.id}-revision-{target.number}",
        "target": [_revision_reference(one, target, signed)] + _exported_files(store, one, target),
        "occurredPeriod": {"start": draft.created_at, "end": target.created_at},
        "recorded": one.signed_at if signed and one.signed_at else target.created_at,
        "activity": _activity(target),
        "agent": _agents(store, one, draft, upto, signed),
        "entity": _entities(one, draft, target),
    }
    return resource


def provenance_json(store: Store, letter_id: int, revision_id: int | None = None) -> str:
    """:func:`letter_provenance` as indented JSON text."""
    return json.dumps(
        letter_provenance(store, letter_id, revision_id), indent=2, ensure_ascii=False
    )


def _target_revision(one: Letter, history: list[Revision], revision_id: int | None) -> Revision:
    wanted = revision_id if revision_id is not None else one.signed_revision_id
    if wanted is None:
        return history[-1]
    for candidate in history:
        if candidate.id == wanted:
            return candidate
    raise StoreError(f"Revision {wanted} does not belong to letter {one.id}.")


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _identifier(kind: str, value: str) -> dict[str, str]:
    return {"system": SYSTEM + kind, "value": value}


def _revision_reference(one: Letter, revision: Revision, signed: bool = False) -> dict[str, Any]:
    state = " (signed off)" if signed else ""
    return {
        "identifier": _identifier("revision", f"{one.id}/{revision.number}"),
        "display": f"Letter {one.id}, revision {revision.number}: {revision.kind}{state}",
    }


def _exported_files(store: Store, one: Letter, target: Revision) -> list[dict[str, Any]]:
    found: dict[str, str] = {}  # digest → format
    for recorded in audit.details_of(store.conn, "export", f"letter:{one.id}"):
        if recorded.get("revision") == target.id:
            found.setdefault(str(recorded.get("sha256")), str(recorded.get("format", "docx")))
    names = {"docx": ("docx-sha256", "Exported Word document"),
             "fhir-document": ("fhir-document-sha256", "Exported FHIR document")}  # fmt: skip
    return [
        {"identifier": _identifier(names[kind][0], digest), "display": names[kind][1]}
        for digest, kind in found.items()
    ]


def _activity(target: Revision) -> dict[str, Any]:
    if target.kind == "correction":
        return _coding(DATA_OPERATION, "UPDATE", "revise")
    return _coding(DATA_OPERATION, "CREATE", "create")


def _agents(
    store: Store, one: Letter, draft: Revision, upto: list[Revision], signed: bool
) -> list[dict[str, Any]]:
    model = version(store, draft.model_ref) if draft.model_ref is not None else None
    agents = [_assembler(model)]
    authors = dict.fromkeys(r.author for r in upto if r.kind == "correction")
    agents += [_person("author", "Author", user) for user in authors]
    if signed and one.signed_by:
        agents.append(_person("verifier", "Verifier", one.signed_by))
        agents.append(_person("attester", "Attester", one.signed_by))
    return agents


def _assembler(model: ModelVersion | None) -> dict[str, Any]:
    kind = _coding(PARTICIPANT_TYPE, "assembler", "Assembler")
    if model is None:
        return {"type": kind, "who": {"type": "Device", "display": "model not recorded"}}
    parts = [model.name, model.version, model.quantization or ""]
    display = " ".join(p for p in parts if p)
    if model.adapter:
        display += f", LoRA adapter sha256 {model.adapter}"
    who = {"type": "Device", "identifier": _identifier("model-sha256", model.sha256)}
    return {"type": kind, "who": {**who, "display": display}}


def _person(code: str, display: str, user: str) -> dict[str, Any]:
    who = {"type": "Practitioner", "identifier": _identifier("user", user), "display": user}
    return {"type": _coding(PARTICIPANT_TYPE, code, display), "who": who}


def _entities(one: Letter, draft: Revision, target: Revision) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = [
        {
            "role": "source",
            "what": {"identifier": _identifier("case", one.case_id), "display": "Case data"},
        }
    ]
    if draft.id != target.id:
        entities.append({"role": "derivation", "what": _revision_reference(one, draft)})
    return entities
