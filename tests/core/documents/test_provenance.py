"""A letter's FHIR R4 Provenance (model, people, times, case, draft), checked by fhir.resources."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.provenance import Provenance

from letterdesk.core.documents.docx import export_letter
from letterdesk.core.documents.provenance import (
    PARTICIPANT_TYPE,
    letter_provenance,
    provenance_json,
)
from letterdesk.core.models.identity import ModelIdentity, register
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from tests.core.security.test_encryption import PATIENT, secret_service, stored_patient  # noqa: F401

pytestmark = pytest.mark.usefixtures("secret_service")
MODEL_SHA = "ab" * 32
ADAPTER_SHA = "cd" * 32


def drafted_corrected_signed(store: Store):
    """Case → model draft (revision 1) → two corrections by two physicians → signed by one."""
    stored_patient(store)  # letter 1: draft by "model", correction by dr.weber
    identity = ModelIdentity(
        name="letterdesk-demo", version="1.0", path="/models/demo.gguf", sha256=MODEL_SHA,
        size_bytes=1234, quantization="Q4_K_M", architecture="llama", chat_template=None,
        adapter=ADAPTER_SHA,
    )  # fmt: skip
    model_ref = register(store, identity, user="dr.weber")
    letter, draft = letters.create_letter(
        store, "SYN-TEST-0001", "Entwurf", author="dr.weber", model_ref=model_ref
    )
    letters.add_revision(store, letter.id, "Korrektur 1", author="dr.weber")
    final = letters.add_revision(store, letter.id, "Korrektur 2", author="dr.roth")
    letters.sign_off(store, letter.id, final.id, user="dr.roth")
    return letter, draft, final


def types(resource: dict) -> list[tuple[str, str]]:
    return [
        (agent["type"]["coding"][0]["code"], agent["who"].get("display", ""))
        for agent in resource["agent"]
    ]


def test_a_signed_letter_names_its_model_authors_signer_case_and_draft(tmp_path):
    with Store() as store:
        letter, draft, final = drafted_corrected_signed(store)
        exported = export_letter(store, letter.id, None, tmp_path / "brief.docx", user="dr.roth")
        resource = letter_provenance(store, letter.id)
        signed = letters.letter(store, letter.id)

    Provenance.model_validate(resource)  # the FHIR (R4/R4B) data types and cardinalities
    assert resource["resourceType"] == "Provenance"
    assert resource["target"][0]["identifier"] == {
        "system": "urn:letterdesk:revision",
        "value": f"{letter.id}/{final.number}",
    }
    assert resource["target"][1]["identifier"]["value"] == exported.sha256
    assert resource["recorded"] == signed.signed_at
    assert resource["occurredPeriod"] == {"start": draft.created_at, "end": final.created_at}
    assert types(resource) == [
        ("assembler", f"letterdesk-demo 1.0 Q4_K_M, LoRA adapter sha256 {ADAPTER_SHA}"),
        ("author", "dr.weber"),
        ("author", "dr.roth"),
        ("verifier", "dr.roth"),
        ("attester", "dr.roth"),
    ]
    for agent in resource["agent"]:
        assert agent["type"]["coding"][0]["system"] == PARTICIPANT_TYPE
    model = resource["agent"][0]["who"]
    assert model["type"] == "Device" and model["identifier"]["value"] == MODEL_SHA
    roles = {entity["role"]: entity["what"]["identifier"]["value"] for entity in resource["entity"]}
    assert roles == {"source": "SYN-TEST-0001", "derivation": f"{letter.id}/{draft.number}"}
    assert resource["activity"]["coding"][0]["code"] == "UPDATE"
    assert PATIENT not in json.dumps(resource, ensure_ascii=False)  # no patient names


def test_an_unchanged_draft_derives_from_nothing_and_has_no_signer():
    with Store() as store:
        stored_patient(store)
        resource = json.loads(provenance_json(store, 1, letters.revisions(store, 1)[0].id))
    Provenance.model_validate(resource)
    assert types(resource) == [("assembler", "model not recorded")]
    assert [entity["role"] for entity in resource["entity"]] == ["source"]
    assert resource["activity"]["coding"][0]["code"] == "CREATE"
    assert len(resource["target"]) == 1
