"""Word export: letters read back with python-docx, and opened in a real LibreOffice."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.documents import docx as docx_export
from letterdesk.core.documents.docx import (
    ExportError,
    export_file_name,
    export_letter,
    export_signed,
)
from letterdesk.core.documents.letterhead import bundled_template
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.foundation.sections import split_sections
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import add_revision, create_letter, sign_off
from letterdesk.core.synthetic.generator import generate_case, reference_letter
from tests.core.sample_cases import case as sample_case

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def stored_letter(store, document, text=None, *, sign=True):
    """Import a case, store a letter for it (its reference letter by default), sign it off."""
    store.import_cases([parse_case(json.dumps(document, ensure_ascii=False))], user="test")
    letter, revision = create_letter(
        store, document["case_id"], text or reference_letter(document), author="test"
    )
    if sign:
        letter = sign_off(store, letter.id, revision.id, user="dr.test")
    return letter, revision


def english_case():
    return generate_case(7, 3, language="en", letter_type="final_report")


def long_text(document) -> str:
    """A letter of three or more pages: its middle sections repeated."""
    paragraphs = reference_letter(document).split("\n\n")
    return "\n\n".join(paragraphs[:3] + paragraphs[3:-2] * 7 + paragraphs[-2:])


def body_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph of the body, tables left out."""
    document = docx.Document(str(path))
    return [(p.style.name, p.text) for p in document.paragraphs]


def part_text(parts) -> str:
    return "\n".join(p.text for part in parts for p in part.paragraphs)


def instructions(parts) -> list[str]:
    return [t.text.strip() for part in parts for t in part._element.iter(f"{W}instrText")]


def audit_rows(store, action="export"):
    rows = store.conn.execute(
        "SELECT user, action, subject, details FROM audit_log WHERE action = ? ORDER BY id",
        (action,),
    ).fetchall()
    return [(user, act, subject, json.loads(details)) for user, act, subject, details in rows]


# --- the document, read back with python-docx ------------------------------------------------


def test_a_signed_letter_has_every_part_in_its_place(store, tmp_path):
    document = sample_case()
    letter, revision = stored_letter(store, document)
    out = tmp_path / "letter.docx"

    result = export_letter(store, letter.id, None, out, user="dr.export")

    assert result.final and result.revision_id == revision.id and result.warnings == ()
    word = docx.Document(str(out))
    window = word.tables[0]
    assert (
        window.cell(0, 0).text
        == "Klinik für Strahlentherapie (Demo) · Musterweg 1 · 12345 Musterstadt"
    )
    assert window.cell(1, 0).text.split("\n") == [
        "Praxis am Markt",
        "Dr. med. Ingrid Øberg-Müller",
        "Marktstraße 1",
        "12345 Musterstadt",
    ]
    info = window.cell(0, 2).text
    assert "SYN-TEST-0001" in info and "SYN-P-0001" in info and "Dr. Seán O'Sullivan" in info
    paragraphs = body_paragraphs(out)
    styles = dict((text, style) for style, text in paragraphs)
    subject = "Abschlussbericht über die Strahlentherapie von Frau Thảo Nguyễn, geb. 02.03.1954"
    assert styles[subject] == "Letter Subject"
    assert styles["Patientin: Thảo Nguyễn, geb. 02.03.1954"] == "Letter Patient"
    text = reference_letter(document)
    sections = split_sections(text)
    headings = [t for s, t in paragraphs if s == "Heading 1"]
    assert headings == [s.heading for s in sections if s.heading]
    bullets = [t for s, t in paragraphs if s == "List Bullet"]
    assert bullets == [item for s in sections for item in s.list_items]
    assert "Mammakarzinom links, ICD-10 C50.4, Erstdiagnose 01.10.2024\n" in "\n".join(
        t for _, t in paragraphs
    )
    tail = [(s, t) for s, t in paragraphs][-4:]
    assert tail[0] == ("Closing", "Mit freundlichen kollegialen Grüßen")
    assert tail[1:3] == [("Signature", "Dr. Seán O'Sullivan"), ("Signature", "Oberarzt")]
    assert tail[3][1].startswith("Elektronisch freigegeben am ")
    assert sum(t == subject for _, t in paragraphs) == 1  # the reference line is not repeated

    section = word.sections[0]
    footers = [section.first_page_footer, section.footer]
    assert instructions(footers) == ["PAGE", "NUMPAGES"] * 2
    assert "Seite 1 von 1" in part_text(footers)
    headers = [section.first_page_header, section.header]
    assert "ENTWURF" not in part_text(headers) and "WaterMark" not in headers[0]._element.xml
    assert "Thảo Nguyễn, geb. 02.03.1954 · Brief vom" in part_text([section.header])
    assert word.core_properties.category == "final" and word.core_properties.title == subject


def test_every_export_is_in_the_audit_log_with_the_files_hash(store, tmp_path):
    letter, revision = stored_letter(store, sample_case())
    first = export_letter(store, letter.id, None, tmp_path / "a.docx", user="dr.export")
    second = export_letter(store, letter.id, None, tmp_path / "b.docx")

    entries = audit_rows(store)
    assert len(entries) == 2
    user, action, subject, details = entries[0]
    assert (user, action, subject) == ("dr.export", "export", f"letter:{letter.id}")
    assert details["revision"] == revision.id and details["final"] is True
    assert details["sha256"] == hashlib.sha256((tmp_path / "a.docx").read_bytes()).hexdigest()
    assert details["sha256"] == first.sha256 and details["file"] == str(tmp_path / "a.docx")
    assert entries[1][3]["sha256"] == second.sha256
    assert store.verify_audit().first_bad is None


def test_drafts_are_marked_in_the_letters_language(store, tmp_path):
    letter, _ = stored_letter(store, english_case(), sign=False)
    out = tmp_path / "draft.docx"

    result = export_letter(store, letter.id, None, out)

    assert not result.final
    section = docx.Document(str(out)).sections[0]
    headers = [section.first_page_header, section.header]
    assert part_text(headers).count("DRAFT – not signed off, do not send") == 2
    assert all('string="DRAFT"' in h._element.xml for h in headers)  # the watermark
    assert "Page 1 of 1" in part_text([section.first_page_footer, section.footer])
    author = english_case()["author"]
    assert body_paragraphs(out)[-3:] == [
        ("Closing", "Kind regards"),
        ("Signature", author["name"]),
        ("Signature", author["role"]),
    ]
    assert audit_rows(store)[0][3]["final"] is False


def test_the_signed_revision_is_exported_unless_another_is_named(store, tmp_path):
    document = sample_case()
    store.import_cases([parse_case(json.dumps(document, ensure_ascii=False))])
    letter, draft = create_letter(store, "SYN-TEST-0001", reference_letter(document), author="t")
    corrected = add_revision(store, letter.id, reference_letter(document, "B"), author="t")
    newest = export_letter(store, letter.id, None, tmp_path / "newest.docx")
    assert (newest.revision_id, newest.final) == (corrected.id, False)

    sign_off(store, letter.id, draft.id, user="t")
    signed = export_letter(store, letter.id, None, tmp_path / "signed.docx")
    older = export_letter(store, letter.id, corrected.id, tmp_path / "other.docx")
    assert (signed.revision_id, signed.final) == (draft.id, True)
    assert (older.revision_id, older.final) == (corrected.id, False)  # not the signed text
    assert "ENTWURF" in part_text([docx.Document(str(tmp_path / "other.docx")).sections[0].header])


def test_a_letter_without_subject_or_closing_gets_the_defaults(store, tmp_path):
    letter, _ = stored_letter(store, sample_case(), "Diagnose:\n- Mammakarzinom links")
    out = tmp_path / "bare.docx"
    export_letter(store, letter.id, None, out)
    paragraphs = body_paragraphs(out)
    assert ("Letter Subject", "Abschlussbericht über die Strahlentherapie") in paragraphs
    assert ("Closing", "Mit freundlichen kollegialen Grüßen") in paragraphs


def test_characters_xml_cannot_hold_are_dropped(store, tmp_path):
    document = sample_case()
    document["recipient"]["street"] = "Markt\u0007straße 1"
    letter, _ = stored_letter(store, document, "Diagnose:\n- Mamma\x00karzinom\x1b links")
    out = tmp_path / "letter.docx"
    export_letter(store, letter.id, None, out)
    assert ("List Bullet", "Mammakarzinom links") in body_paragraphs(out)
    assert "Marktstraße 1" in docx.Document(str(out)).tables[0].cell(1, 0).text


# --- the letterhead --------------------------------------------------------------------------


@pytest.mark.parametrize("problem", ["missing", "not a zip", "truncated"])
def test_an_unusable_letterhead_falls_back_to_the_bundled_one_with_a_warning(
    store, tmp_path, problem
):
    letter, _ = stored_letter(store, sample_case())
    template = tmp_path / "kopf.docx"
    if problem == "not a zip":
        template.write_text("Briefkopf", encoding="utf-8")
    elif problem == "truncated":
        template.write_bytes(bundled_template().read_bytes()[:5000])

    result = export_letter(store, letter.id, None, tmp_path / "out.docx", template=template)

    assert result.template == bundled_template()
    (warning,) = result.warnings
    assert str(template) in warning and "built-in letterhead was used" in warning
    assert audit_rows(store)[0][3]["warnings"] == [warning]
    assert "Klinik für Strahlentherapie (Demo)" in part_text(
        [docx.Document(str(tmp_path / "out.docx")).sections[0].header]
    )


def test_the_letterhead_setting_chooses_the_template(store, tmp_path, letterdesk_home):
    letter, _ = stored_letter(store, sample_case())
    (letterdesk_home / "settings.toml").write_text(
        f'letterhead_template = "{tmp_path / "gone.docx"}"\n', encoding="utf-8"
    )
    result = export_letter(store, letter.id, None, tmp_path / "out.docx")
    assert "gone.docx" in result.warnings[0]


def test_unreadable_settings_are_reported_and_the_export_still_happens(
    store, tmp_path, letterdesk_home
):
    letter, _ = stored_letter(store, sample_case())
    (letterdesk_home / "settings.toml").write_text("letterhead_template = [", encoding="utf-8")
    result = export_letter(store, letter.id, None, tmp_path / "out.docx")
    assert result.template == bundled_template() and (tmp_path / "out.docx").exists()
    assert "settings.toml cannot be read" in result.warnings[0]


def word_made_template(path: Path, *, dotx: bool = False) -> Path:
    """A letterhead as IT might make it: plain styles, 25 mm top margin, own page numbers."""
    document = docx.Document()
    section = document.sections[0]
    section.top_margin = docx.shared.Mm(25)
    section.header.paragraphs[0].text = "Praxisklinik Beispiel – Radioonkologie"
    footer = section.footer.paragraphs[0]
    footer.text = "Seite "
    run = footer.add_run()
    for kind, code in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            run._r.append(run._r.makeelement(f"{W}fldChar", {f"{W}fldCharType": kind}))
        else:
            element = run._r.makeelement(f"{W}instrText", {})
            element.text = code
            run._r.append(element)
    document.save(str(path))
    if dotx:
        raw = io.BytesIO()
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(raw, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(b"document.main+xml", b"template.main+xml")
                target.writestr(item, data)
        path.write_bytes(raw.getvalue())
    return path


def test_a_word_made_template_keeps_its_furniture_and_gets_the_missing_styles(store, tmp_path):
    letter, _ = stored_letter(store, sample_case())
    template = word_made_template(tmp_path / "kopf.dotx", dotx=True)
    out = tmp_path / "out.docx"

    result = export_letter(store, letter.id, None, out, template=template)

    assert result.warnings == () and result.template == template
    word = docx.Document(str(out))
    section = word.sections[0]
    assert "Praxisklinik Beispiel" in part_text([section.header])
    assert instructions([section.footer]) == ["PAGE"]  # the template counts pages itself
    spacer = word.element.body[0]
    assert spacer.tag == f"{W}p" and "exact" in spacer.xml  # lifts the window down to 45 mm
    assert {"Letter Subject", "Closing", "Signature"} <= {s.name for s in word.styles}
    assert any(s == "List Bullet" and t.startswith("Hautpflege") for s, t in body_paragraphs(out))


# --- writing: nothing half-written, errors name the path -------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize(
    "target",
    ["missing-folder/letter.docx", "a-file/letter.docx", "letter.txt", "a-folder"],
)
def test_a_path_that_cannot_be_written_names_itself_and_leaves_nothing(store, tmp_path, target):
    letter, _ = stored_letter(store, sample_case())
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    (tmp_path / "a-folder.docx").mkdir()
    out = tmp_path / (target + ".docx" if target == "a-folder" else target)
    before = leftovers(tmp_path)

    with pytest.raises(ExportError) as caught:
        export_letter(store, letter.id, None, out)

    assert str(caught.value.path) in caught.value.message
    assert str(caught.value.path) in (str(out), str(out.parent))
    assert leftovers(tmp_path) == before and audit_rows(store) == []


def test_a_read_only_folder_is_named_in_the_error(store, tmp_path, monkeypatch):
    letter, _ = stored_letter(store, sample_case())
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    if os.geteuid() == 0:  # root (as in CI containers) may write anyway: refuse as for a user
        real_mkstemp = tempfile.mkstemp

        def refused(*args, dir=None, **kwargs):
            if dir is not None and Path(dir) == folder:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
            return real_mkstemp(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(ExportError) as caught:
        export_letter(store, letter.id, None, folder / "letter.docx")
    print(caught.value.message)
    assert str(folder) in caught.value.message and "permission denied" in caught.value.message
    assert leftovers(folder) == [] and audit_rows(store) == []


def test_a_failing_write_removes_the_temporary_file(store, tmp_path, monkeypatch):
    letter, _ = stored_letter(store, sample_case())

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx_export.os, "fsync", disk_full)
    with pytest.raises(ExportError, match="no space left on device") as caught:
        export_letter(store, letter.id, None, tmp_path / "letter.docx")
    assert caught.value.path == tmp_path / "letter.docx"
    assert [name for name in leftovers(tmp_path) if "letter" in name] == []
    assert audit_rows(store) == []


# --- the jobs: progress, cancelling, every signed letter -------------------------------------


def test_export_signed_writes_each_signed_letter_once_with_progress(store, tmp_path):
    signed, _ = stored_letter(store, sample_case())
    stored_letter(store, english_case(), sign=False)
    other = sample_case(case_id="SYN-TEST-0002")
    second, _ = stored_letter(store, other)
    seen = []

    results = export_signed(
        store, None, tmp_path / "out", progress=lambda d, t: seen.append((d, t))
    )

    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(export_file_name(one) for one in (signed, second))
    assert names[0] == f"SYN-TEST-0001-letter-{signed.id}.docx"
    assert all(r.final for r in results) and seen == [(0, 2), (1, 2), (2, 2)]
    only = export_signed(store, ["SYN-TEST-0002"], tmp_path / "one")
    assert [r.letter_id for r in only] == [second.id]


def test_cancelling_stops_before_the_next_letter_and_raises_interrupted(store, tmp_path):
    stored_letter(store, sample_case())
    stored_letter(store, sample_case(case_id="SYN-TEST-0002"))
    calls = []

    def cancel_after_one():
        calls.append(1)
        return len(calls) > 2  # before letter 1, before its rename, before letter 2

    with pytest.raises(Interrupted):
        export_signed(store, None, tmp_path / "out", cancel=cancel_after_one)
    assert len(leftovers(tmp_path / "out")) == 1 and len(audit_rows(store)) == 1

    letter, _ = stored_letter(store, sample_case(case_id="SYN-TEST-0003"))
    with pytest.raises(Interrupted):
        export_letter(store, letter.id, None, tmp_path / "x.docx", cancel=lambda: True)
    assert not (tmp_path / "x.docx").exists()


def test_generate_writes_its_draft_as_docx_on_the_letterhead(tmp_path, tiny_gguf):
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(sample_case(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "letter.docx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "letterdesk",
            "generate",
            str(case_file),
            "--model",
            str(tiny_gguf),
            "--max-tokens",
            "30",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "draft stored for case SYN-TEST-0001" in done.stderr
    section = docx.Document(str(out)).sections[0]
    assert "ENTWURF – nicht freigegeben" in part_text([section.first_page_header])
    assert ("Letter Patient", "Patientin: Thảo Nguyễn, geb. 02.03.1954") in body_paragraphs(out)
    with Store() as store:
        (entry,) = audit_rows(store)
    assert entry[3]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


# --- a real reader: LibreOffice, pdftotext, pdfinfo, pdftoppm --------------------------------

MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Four letters exported and converted to PDF in one LibreOffice run."""
    if not (shutil.which("soffice") and shutil.which("pdftotext")):
        pytest.skip("LibreOffice and poppler-utils are needed (scripts/system-deps.sh)")
    folder = tmp_path_factory.mktemp("rendered")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LETTERDESK_HOME", str(folder / "home"))
        patch.setenv("LETTERDESK_SITE_CONFIG", str(folder / "site.toml"))
        with Store(folder / "store.sqlite3") as store:
            signed, _ = stored_letter(store, sample_case())
            draft, _ = stored_letter(store, english_case(), sign=False)
            long_case = sample_case(case_id="SYN-TEST-0002")
            long_letter, _ = stored_letter(store, long_case, long_text(long_case))
            template = word_made_template(folder / "kopf.docx")
            files = {
                "signed": export_letter(store, signed.id, None, folder / "signed.docx"),
                "draft": export_letter(store, draft.id, None, folder / "draft.docx"),
                "long": export_letter(store, long_letter.id, None, folder / "long.docx"),
                "word": export_letter(
                    store, signed.id, None, folder / "word.docx", template=template
                ),
            }
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(r.path) for r in files.values()),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {name: folder / f"{name}.pdf" for name in files}


def pdf_text(pdf: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, timeout=60)
    return done.stdout.decode("utf-8")


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def words_on_page_one(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """(word, left, top, right, bottom) in millimetres from the page's top-left corner."""
    html = pdf_text(pdf, "-bbox", "-f", "1", "-l", "1")
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [(w, *(float(v) / MM for v in box)) for *box, w in found]


def test_libreoffice_shows_the_letter_with_its_characters_sections_and_page_count(rendered):
    text = pdf_text(rendered["signed"])
    for expected in (
        "Abschlussbericht über die Strahlentherapie von Frau Thảo Nguyễn, geb. 02.03.1954",
        "Patientin: Thảo Nguyễn, geb. 02.03.1954",
        "Dr. med. Ingrid Øberg-Müller",
        "Marktstraße 1",
        "Verlauf und Verträglichkeit",
        "Mit freundlichen kollegialen Grüßen",
        "Dr. Seán O'Sullivan",
        "Seite 1 von ",
    ):
        assert expected in text, expected
    assert "• 05.11.2024: Brusterhaltende Operation, R0" in text  # a list stays a list
    assert "ENTWURF" not in text
    draft = pdf_text(rendered["draft"])
    assert "DRAFT – not signed off, do not send" in draft and "Page 1 of " in draft


def test_a_long_letter_runs_over_three_pages_with_numbered_pages(rendered):
    count = pages(rendered["long"])
    assert count >= 3
    text = pdf_text(rendered["long"])
    for page in range(1, count + 1):
        assert f"Seite {page} von {count}" in text
    assert text.count("Thảo Nguyễn, geb. 02.03.1954 · Brief vom") == count - 1  # pages 2..n
    assert text.count("• Hautpflege mit Urea-Creme") == 7


@pytest.mark.parametrize("name", ["signed", "word"])
def test_the_address_lands_in_the_din_5008_window(rendered, name):
    words = words_on_page_one(rendered[name])
    upper_half = [w for w in words if w[2] < 148]  # "12345" is in the footer too
    # ... and in the sender line above the address, mid-line: the address's starts its line
    postcode = min((w for w in upper_half if w[0] == "12345"), key=lambda w: w[1])
    address = [w for w in upper_half if w[0] in ("Praxis", "Øberg-Müller", "Marktstraße")]
    address.append(postcode)
    for word, left, top, right, bottom in address:
        assert 20 <= left and right <= 105, (word, left, right)
        assert 45 + 17.7 - 0.5 <= top and bottom <= 90, (word, top, bottom)
    assert len(address) == 4
    assert min(left for _, left, *_ in address) == pytest.approx(25, abs=0.6)
    if name == "signed":  # the bundled letterhead's sender line, in the zone above
        sender = [w for w in words if w[0] == "Musterweg"][0]
        assert 20 <= sender[1] and 45 <= sender[2] and sender[4] <= 45 + 17.7
    (date_label,) = [w for w in words if w[0] == "Datum"]
    assert date_label[1] == pytest.approx(125, abs=0.6) and 45 <= date_label[2] <= 90


def test_page_one_renders_to_png(rendered, tmp_path):
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(rendered["signed"]),
            str(tmp_path / "page1"),
        ],
        check=True,
        timeout=120,
    )
    png = (tmp_path / "page1.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
