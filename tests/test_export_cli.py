"""`letterdesk export` as a user runs it: a real process, a real store file, real files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import zlib

import docx
import pytest
from docx.shared import Mm

from letterdesk.core.cases.case import parse_case
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import add_revision, create_letter, sign_off
from letterdesk.core.synthetic.generator import reference_letter
from tests.core.sample_cases import case


def letterdesk(*args: str, limit_file_bytes: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:  # a file-size limit makes writes fail as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run(
        [sys.executable, "-m", "letterdesk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        preexec_fn=limit if limit_file_bytes else None,
    )


@pytest.fixture
def letters():
    """Two cases in the user's store: SYN-TEST-0001 signed off (revision 2), SYN-TEST-0002 not."""
    first, second = case(), case(case_id="SYN-TEST-0002", language="en")
    with Store() as store:
        store.import_cases([parse_case(json.dumps(d, ensure_ascii=False)) for d in (first, second)])
        signed, _ = create_letter(store, "SYN-TEST-0001", reference_letter(first), author="t")
        final = add_revision(store, signed.id, reference_letter(first, "B"), author="t")
        sign_off(store, signed.id, final.id, user="t")
        draft, _ = create_letter(store, "SYN-TEST-0002", "Diagnosis:\n- C50.4", author="t")
    return signed.id, draft.id


def exports(store_user_filter: str = "export") -> list[dict]:
    with Store() as store:
        rows = store.conn.execute(
            "SELECT details FROM audit_log WHERE action = ? ORDER BY id", (store_user_filter,)
        )
        return [json.loads(details) for (details,) in rows]


def test_export_a_case_s_newest_letter(letters, tmp_path):
    out = tmp_path / "brief.docx"
    done = letterdesk("export", "SYN-TEST-0001", "--output", str(out))

    assert done.returncode == 0, done.stderr
    path, state, digest = done.stdout.strip().split("\t")
    assert (path, state) == (str(out), "final")
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest() == exports()[0]["sha256"]
    styles = {p.style.name for p in docx.Document(str(out)).paragraphs}
    assert {"Letter Subject", "Heading 1", "List Bullet", "Closing"} <= styles


def test_export_a_named_letter_and_revision_as_a_draft(letters, tmp_path):
    signed, draft = letters
    old = letterdesk(
        "export", "--letter", str(signed), "--revision", "1", "--output", str(tmp_path / "a.docx")
    )
    assert old.returncode == 0 and old.stdout.split("\t")[1] == "draft"
    english = letterdesk("export", "--letter", str(draft), "--output", str(tmp_path / "b.docx"))
    assert english.returncode == 0 and english.stdout.split("\t")[1] == "draft"
    headers = docx.Document(str(tmp_path / "b.docx")).sections[0].header
    assert "DRAFT" in "\n".join(p.text for p in headers.paragraphs)
    missing = letterdesk(
        "export", "--letter", str(signed), "--revision", "7", "--output", str(tmp_path / "c.docx")
    )
    assert missing.returncode == 2 and "has no revision 7" in missing.stderr


def test_export_all_signed_letters_into_a_folder(letters, tmp_path):
    signed, _ = letters
    folder = tmp_path / "signed letters"
    done = letterdesk("export", "--all-signed", "--folder", str(folder))

    assert done.returncode == 0, done.stderr
    assert [p.name for p in folder.iterdir()] == [f"SYN-TEST-0001-letter-{signed}.docx"]
    assert "exported 1 of 1" in done.stderr and done.stdout.count("\tfinal\t") == 1
    none = letterdesk("export", "--all-signed", "SYN-TEST-0002", "--folder", str(tmp_path / "x"))
    assert none.returncode == 0 and "no signed letters" in none.stderr


def test_a_broken_letterhead_is_replaced_and_the_user_warned(letters, tmp_path):
    broken = tmp_path / "kopf.docx"
    broken.write_bytes(b"PK\x03\x04 not really a Word file")
    out = tmp_path / "brief.docx"
    done = letterdesk("export", "SYN-TEST-0001", "--output", str(out), "--template", str(broken))
    assert done.returncode == 0 and out.exists()
    assert f"letterdesk: warning: The letterhead template {broken}" in done.stderr
    assert "built-in letterhead was used instead" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "x.docx"], "name either CASE_ID or --letter ID"),
        (["SYN-TEST-0001", "--letter", "1", "--output", "x.docx"], "either CASE_ID or --letter"),
        (["SYN-TEST-0001"], "name either --output FILE.docx or --fhir FILE.json"),
        (["--all-signed"], "--all-signed needs --folder DIR"),
        (["--all-signed", "--folder", "d", "--output", "x.docx"], "--output does not go with"),
    ],
)
def test_misused_options_are_explained(args, message):
    done = letterdesk("export", *args)
    assert done.returncode == 2 and message in done.stderr


def test_an_unwritable_target_names_the_path_and_leaves_no_file(letters, tmp_path):
    target = tmp_path / "no such folder" / "brief.docx"
    done = letterdesk("export", "SYN-TEST-0001", "--output", str(target))
    assert done.returncode == 2
    assert f"could not be written to {target.parent}" in done.stderr
    assert not target.parent.exists() and exports() == []


def heavy_letterhead(path):
    """A letterhead with an 80 kB logo (noise does not compress), so each letter outgrows 50 kB."""
    side = 160
    rows = b"".join(b"\x00" + os.urandom(side * 3) for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    document = docx.Document()
    document.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(png), width=Mm(30))
    document.save(str(path))
    return path


def test_a_full_disk_leaves_no_partial_file(letters, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "brief.docx"
    template = heavy_letterhead(tmp_path / "kopf.docx")
    # a 50 kB file-size limit: the store's 32 kB index still opens, the letter cannot be written
    done = letterdesk(
        "export",
        "SYN-TEST-0001",
        "--output",
        str(target),
        "--template",
        str(template),
        limit_file_bytes=50_000,
    )
    assert done.returncode == 2, done.stderr
    assert f"could not be written to {target}: file too large" in done.stderr
    assert list(folder.iterdir()) == [] and exports() == []


def test_a_signed_letter_as_a_fhir_document_and_an_unsigned_one_refused(letters, tmp_path):
    out = tmp_path / "brief.fhir.json"
    done = letterdesk("export", "SYN-TEST-0001", "--fhir", str(out))

    assert done.returncode == 0, done.stderr
    path, state, digest, kinds = done.stdout.strip().split("\t")
    assert (path, state) == (str(out), "final")
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest() == exports()[-1]["sha256"]
    assert exports()[-1]["format"] == "fhir-document"
    assert kinds.startswith("application/vnd.openxmlformats") and "text/plain" in kinds
    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert (bundle["type"], bundle["entry"][0]["resource"]["resourceType"]) == (
        "document", "Composition")  # fmt: skip

    refused = letterdesk("export", "SYN-TEST-0002", "--fhir", str(tmp_path / "draft.json"))
    assert refused.returncode == 2 and "is not signed off" in refused.stderr
    assert not (tmp_path / "draft.json").exists()
    both = letterdesk("export", "SYN-TEST-0001", "--fhir", str(out), "--output", str(out))
    assert both.returncode == 2 and "either --output FILE.docx or --fhir FILE.json" in both.stderr
