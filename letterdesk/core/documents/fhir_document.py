"""A signed letter back to the hospital's systems as an HL7 FHIR R4 document.

The file is a ``Bundle`` of type ``document``. Its first entry is the ``Composition``: type
LOINC 18842-5 (discharge summary) for the final report after a course, 11488-4 (consult note)
for the first consultation, 11506-3 (progress note) for a follow-up; subject the patient,
author and legal attester the physician who signed it off, one section per section of the
letter. Then the ``Patient`` and that ``Practitioner`` as the letter names them (the case
version the letter was signed against), and a ``DocumentReference`` carrying the letter as
Word file, as PDF where LibreOffice is installed, and as plain text, each with its size and
SHA-1 hash (FHIR R4's ``Attachment.hash``). Like every export, the file is recorded in the
audit log with its SHA-256, so the letter's Provenance names it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.documents.docx import ExportError, render_letter, write_and_record
from letterdesk.core.documents.letter_layout import LetterToExport
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.foundation.sections import ListItem, split_sections
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import letter

LOINC = "http://loinc.org"
DOCUMENT_TYPES = {
    "final_report": ("18842-5", "Discharge summary"),
    "initial_consultation": ("11488-4", "Consult note"),
    "follow_up": ("11506-3", "Progress note"),
}
TITLES = {
    ("final_report", "de"): "Abschlussbericht Strahlentherapie",
    ("final_report", "en"): "Radiotherapy final report",
    ("initial_consultation", "de"): "Konsiliarbericht Strahlentherapie",
    ("initial_consultation", "en"): "Radiation oncology consultation",
    ("follow_up", "de"): "Nachsorgebericht Strahlentherapie",
    ("follow_up", "en"): "Radiotherapy follow-up letter",
}
SYSTEM = "urn:letterdesk:"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_SECONDS = 120


class NotSigned(LetterDeskError):
    """Only a signed letter goes back to the hospital's systems."""

    def __init__(self, letter_id: int) -> None:
        super().__init__(
            f"Letter {letter_id} is not signed off, so it cannot be sent back as a FHIR document.",
            "Sign the letter off first; drafts stay in LetterDesk.",
        )


@dataclass(frozen=True)
class FhirExport:
    """A written FHIR document and what it holds."""

    path: Path
    sha256: str
    attachments: tuple[str, ...]
    """The content types carried by the DocumentReference."""
    warnings: tuple[str, ...]


def export_fhir_document(
    store: Store,
    letter_id: int,
    out: Path,
    *,
    template: Path | None = None,
    user: str | None = None,
    pdf: bool = True,
) -> FhirExport:
    """Write the signed letter as a FHIR document bundle to ``out`` (JSON), recorded in the
    audit log; NotSigned for an unsigned letter, ExportError naming a path that failed."""
    if not letter(store, letter_id).is_signed:
        raise NotSigned(letter_id)
    export, docx, warnings = render_letter(store, letter_id, template=template)
    files = [(DOCX_TYPE, docx, "docx")]
    notes = list(warnings)
    if pdf:
        converted = _pdf(docx)
        if converted is None:
            notes.append("no PDF in the document: LibreOffice is not installed or failed")
        else:
            files.append(("application/pdf", converted, "pdf"))
    files.append(("text/plain; charset=utf-8", export.revision.text.encode("utf-8"), "txt"))
    bundle = document_bundle(export, files)
    data = (json.dumps(bundle, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    details = {
        "case": export.letter.case_id,
        "revision": export.revision.id,
        "revision_number": export.revision.number,
        "final": True,
        "format": "fhir-document",
    }
    out = Path(out)
    if not out.parent.is_dir():
        raise ExportError(out.parent, "the folder does not exist")
    digest, _ = write_and_record(store, out, data, letter_id, details, user, None)
    return FhirExport(out, digest, tuple(kind for kind, _, _ in files), tuple(notes))


def document_bundle(export: LetterToExport, files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
    """The FHIR R4 document of a signed revision with ``files`` (content type, bytes, suffix)
    as the DocumentReference's attachments."""
    one, revision, case = export.letter, export.revision, export.case
    key = f"letter-{one.id}-revision-{revision.number}"
    # random: every export is its own document, unique across every LetterDesk store
    urls = {kind: f"urn:uuid:{uuid.uuid4()}" for kind in
            ("bundle", "composition", "patient", "practitioner", "reference")}  # fmt: skip
    signed_at = str(one.signed_at)
    code, display = DOCUMENT_TYPES[one.letter_type]
    kind = {"coding": [{"system": LOINC, "code": code, "display": display}]}
    title = TITLES[(one.letter_type, one.language)]
    author = [{"reference": urls["practitioner"]}]
    composition = {
        "resourceType": "Composition",
        "identifier": {"system": SYSTEM + "revision", "value": key},
        "status": "final",
        "type": kind,
        "subject": {"reference": urls["patient"]},
        "date": signed_at,
        "author": author,
        "title": title,
        "attester": [{"mode": "legal", "time": signed_at, "party": author[0]}],
        "section": _sections(revision.text),
    }
    reference = {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": SYSTEM + "revision", "value": key},
        "status": "current",
        "docStatus": "final",
        "type": kind,
        "subject": {"reference": urls["patient"]},
        "date": signed_at,
        "author": author,
        "authenticator": author[0],
        "description": title,
        "content": [
            {"attachment": _attachment(t, data, f"{key}.{suffix}", signed_at)}
            for t, data, suffix in files
        ],  # fmt: skip
    }
    resources = [
        (urls["composition"], composition),
        (urls["patient"], _patient(case)),
        (urls["practitioner"], _practitioner(str(one.signed_by))),
        (urls["reference"], reference),
    ]
    return {
        "resourceType": "Bundle",
        "identifier": {"system": SYSTEM + "document", "value": urls["bundle"]},
        "type": "document",
        "timestamp": signed_at,
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in resources],
    }


def _sections(text: str) -> list[dict[str, Any]]:
    """One Composition section per section of the letter, its text as XHTML narrative."""
    found = []
    for section in split_sections(text):
        parts: list[str] = []
        items: list[str] = []
        for block in section.blocks:
            if isinstance(block, ListItem):
                items.append(f"<li>{_xhtml(block.text)}</li>")
                continue
            if items:
                parts.append("<ul>" + "".join(items) + "</ul>")
                items = []
            parts.append(f"<p>{_xhtml(block.text)}</p>")
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
        if not parts:
            continue
        div = '<div xmlns="http://www.w3.org/1999/xhtml">' + "".join(parts) + "</div>"
        entry: dict[str, Any] = {"text": {"status": "generated", "div": div}}
        if section.heading:
            entry["title"] = section.heading.strip().rstrip(":")
        found.append(entry)
    return found


def _xhtml(text: str) -> str:
    return "<br/>".join(html.escape(line, quote=False) for line in text.split("\n"))


def _patient(case: dict[str, Any]) -> dict[str, Any]:
    patient = case["patient"]
    gender = {"female": "female", "male": "male", "diverse": "other"}.get(patient["sex"], "unknown")
    return {
        "resourceType": "Patient",
        "identifier": [{"system": SYSTEM + "patient", "value": str(patient["patient_id"])}],
        "name": [{"family": patient["family_name"], "given": patient["given_name"].split()}],
        "gender": gender,
        "birthDate": patient["birth_date"],
    }


def _practitioner(signed_by: str) -> dict[str, Any]:
    """The physician who signed, as the store recorded the sign-off (the login)."""
    return {
        "resourceType": "Practitioner",
        "identifier": [{"system": SYSTEM + "user", "value": signed_by}],
        "name": [{"text": signed_by}],
    }


def _attachment(content_type: str, data: bytes, title: str, created: str) -> dict[str, Any]:
    return {
        "contentType": content_type,
        "data": base64.b64encode(data).decode("ascii"),
        "size": len(data),
        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),  # noqa: S324 - FHIR R4's Attachment.hash is SHA-1
        "title": title,
        "creation": created,
    }


def _pdf(docx: bytes) -> bytes | None:
    """The Word file as PDF through LibreOffice; None where it is missing or fails."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="letterdesk-pdf-") as folder:
        source = Path(folder) / "letter.docx"
        source.write_bytes(docx)
        profile = (Path(folder) / "profile").as_uri()
        try:
            converter = subprocess.Popen(
                [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                 "pdf", "--outdir", folder, str(source)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,  # soffice starts soffice.bin: a timeout ends both
            )  # fmt: skip
        except OSError:
            return None
        try:
            if converter.wait(timeout=PDF_SECONDS) != 0:
                return None
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                if hasattr(os, "killpg"):
                    os.killpg(converter.pid, signal.SIGKILL)
                else:  # Windows: no process groups here
                    converter.kill()
            converter.wait()
            return None
        converted = Path(folder) / "letter.pdf"
        return converted.read_bytes() if converted.is_file() else None
