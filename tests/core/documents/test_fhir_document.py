"""A signed letter as a FHIR R4 document bundle: checked by fhir.resources, with the Word file,
the PDF (LibreOffice) and the text as attachments whose hashes hold, the letter text back byte
for byte, and the file named in the letter's Provenance."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil

import pytest
from fhir.resources.R4B.bundle import Bundle

from letterdesk.core.cases.case import parse_case
from letterdesk.core.documents.fhir_document import NotSigned, export_fhir_document
from letterdesk.core.documents.provenance import letter_provenance
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from tests.core.sample_cases import case
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("secret_service")

LETTER = (
    "Sehr geehrte Frau Kollegin Øberg-Müller,\n\n"
    "wir berichten über Frau Thảo Nguyễn, geb. 02.03.1954.\n\n"
    "Diagnose:\n- Mammakarzinom links (C50.4), pT1c pN0(sn) cM0\n\n"
    "Therapie:\nBestrahlung der Brust links mit 15 × 2,67 Gy <bis> 40,05 Gy & VMAT.\n\n"
    "Mit freundlichen kollegialen Grüßen"
)


def signed_letter(store: Store) -> int:
    store.import_cases([parse_case(json.dumps(case()))])
    letter, draft = letters.create_letter(store, "SYN-TEST-0001", LETTER, author="dr.o")
    letters.sign_off(store, letter.id, draft.id, user="dr.o")
    return letter.id


def entries(bundle: dict) -> dict[str, dict]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def test_the_signed_letter_goes_back_as_a_valid_fhir_document(tmp_path):
    out = tmp_path / "letter.fhir.json"
    with Store(tmp_path / "store.sqlite3") as store:
        letter_id = signed_letter(store)
        done = export_fhir_document(store, letter_id, out)
        provenance = letter_provenance(store, letter_id)

    bundle = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)  # FHIR R4 (R4B reads R4)
    assert bundle["type"] == "document"
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition" and composition["status"] == "final"
    assert composition["type"]["coding"][0]["code"] == "18842-5"  # end-of-treatment report
    by_url = entries(bundle)
    patient = by_url[composition["subject"]["reference"]]
    assert (patient["name"][0]["family"], patient["birthDate"]) == ("Nguyễn", "1954-03-02")
    signer = composition["attester"][0]
    assert signer["mode"] == "legal" and signer["party"] == composition["author"][0]
    assert by_url[signer["party"]["reference"]]["identifier"][0]["value"] == "dr.o"
    assert [s.get("title") for s in composition["section"]] == [None, "Diagnose", "Therapie"]
    assert "&lt;bis&gt; 40,05 Gy &amp; VMAT" in composition["section"][2]["text"]["div"]

    (reference,) = [r for r in by_url.values() if r["resourceType"] == "DocumentReference"]
    attachments = {a["attachment"]["contentType"]: a["attachment"] for a in reference["content"]}
    for attachment in attachments.values():
        data = base64.b64decode(attachment["data"])
        assert attachment["size"] == len(data)
        assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest()  # noqa: S324
    text = base64.b64decode(attachments["text/plain; charset=utf-8"]["data"]).decode("utf-8")
    assert text == LETTER  # the letter text round-trips byte for byte
    docx = base64.b64decode(attachments[done.attachments[0]]["data"])
    assert docx.startswith(b"PK")  # a Word file
    if shutil.which("soffice"):
        assert base64.b64decode(attachments["application/pdf"]["data"]).startswith(b"%PDF")
    # the audit log's export entry, and so the Provenance, name the file by its SHA-256
    assert done.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    named = [t["identifier"]["value"] for t in provenance["target"] if "identifier" in t]
    assert done.sha256 in named


def test_an_unsigned_letter_is_not_sent_back(tmp_path):
    with Store(tmp_path / "store.sqlite3") as store:
        store.import_cases([parse_case(json.dumps(case()))])
        letter, _ = letters.create_letter(store, "SYN-TEST-0001", LETTER, author="dr.o")
        with pytest.raises(NotSigned, match="not signed off"):
            export_fhir_document(store, letter.id, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()
