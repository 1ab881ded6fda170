"""Exporting letters to Word on the institution's letterhead: the job the GUI, CLI and tests share.

The story: pick the revision (the signed one, else the newest) → split its text into subject,
sections, closing and signature → set it on a fresh copy of the letterhead (recipient in the
DIN 5008 window, information block, subject, patient line, sections with headings, bullet
lists, closing, signature; "Seite X von Y" in the footer; drafts marked) → write it to a
temporary file beside the target → record the export in the audit log and rename the file into
place, in one transaction. Nothing is half-written: a failed write leaves no file behind.

The page itself (letterhead, DIN 5008 address window, page numbers, draft marks) is
:mod:`letterdesk.core.documents.letterhead`'s; this module decides what goes on it and writes the
file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.document import Document as DocxDocument
from docx.shared import Pt

from letterdesk.core.cases.address import address_block
from letterdesk.core.documents import letterhead
from letterdesk.core.foundation import notation
from letterdesk.core.foundation.errors import (
    ConfigurationError,
    Interrupted,
    LetterDeskError,
    StoreError,
)
from letterdesk.core.foundation.sections import ListItem, Paragraph, Section, split_sections
from letterdesk.core.foundation.settings import load_settings
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import (
    Letter,
    Revision,
    letter,
    letters_for_case,
    revision,
    revisions,
)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

# "deutsch|english"
_WORDS = {
    "our_ref": "Unser Zeichen|Our reference",
    "patient_id": "Patienten-Nr.|Patient ID",
    "letter": "Brief|Letter",
    "letter_value": "Nr. {letter}, Version {revision}|No. {letter}, revision {revision}",
    "contact": "Ansprechpartner|Contact",
    "date": "Datum|Date",
    "closing": "Mit freundlichen kollegialen Grüßen|Kind regards",
    "patient": "{label}: {name}, geb. {birth}|Patient: {name}, born {birth}",
    "female": "Patientin|Patient",
    "male": "Patient|Patient",
    "other": "Patient/in|Patient",
    "signed": "Elektronisch freigegeben am {date}|Signed off electronically on {date}",
    "continued": "{name}, geb. {birth} · Brief vom {date}|{name}, born {birth} · letter of {date}",
    "final_report": "Abschlussbericht über die Strahlentherapie|Final report on radiotherapy",
    "initial_consultation": "Bericht über die Erstvorstellung|Report on the initial consultation",
    "follow_up": "Nachsorgebericht|Follow-up report",
}


def _say(key: str, language: str, **values: object) -> str:
    german, _, english = _WORDS[key].partition("|")
    return (german if language == "de" else english).format(**values)


_CLOSING = re.compile(
    r"^(mit (freundlichen|kollegialen|besten|herzlichen)|(freundliche|beste|viele|herzliche) "
    r"grüße|hochachtungsvoll|(kind|best|warm) regards|with (kind|best) regards|"
    r"yours (sincerely|faithfully|truly)|sincerely|regards)",
    re.IGNORECASE,
)
_SUBJECT_PREFIX = re.compile(r"^(betreff|betr\.|subject|re)\s*:\s*", re.IGNORECASE)


class ExportError(LetterDeskError):
    """A letter could not be written to Word; ``path`` is the file or folder that failed."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"The letter could not be written to {path}: {reason}.",
            "Choose a folder you may write to, and check that the disk has free space.",
        )
        self.path = path


@dataclass(frozen=True)
class ExportResult:
    """One exported letter file and how it came about."""

    path: Path
    letter_id: int
    revision_id: int
    revision_number: int
    final: bool
    """True for the signed-off revision; anything else is marked as a draft."""
    sha256: str
    template: Path
    """The letterhead used (the bundled one after a fallback)."""
    warnings: tuple[str, ...]
    """Problems the user should see, e.g. a letterhead that could not be used."""
    audit_entry: int


@dataclass(frozen=True)
class LetterParts:
    """A letter's text as the layout needs it."""

    subject: str | None
    """The reference line, when the text starts with one (before the salutation)."""
    sections: tuple[Section, ...]
    closing: str | None
    signature: tuple[str, ...]
    """Lines after the closing in the text (name, role)."""


def letter_parts(text: str) -> LetterParts:
    """Split a letter's text: reference line first, closing and signature last."""
    sections = split_sections(text)
    subject = _take_subject(sections)
    closing, signature = _take_closing(sections)
    kept = tuple(s for s in sections if s.heading is not None or s.blocks)
    return LetterParts(subject, kept, closing, signature)


def _take_subject(sections: list[Section]) -> str | None:
    """A one-line paragraph right before the salutation (the line ending in ",")."""
    if not sections or sections[0].heading is not None or len(sections[0].blocks) < 2:
        return None
    first, second = sections[0].blocks[:2]
    one_line = isinstance(first, Paragraph) and "\n" not in first.text.strip()
    if not one_line or first.text.rstrip().endswith(",") or not second.text.rstrip().endswith(","):
        return None
    sections[0] = Section(None, sections[0].blocks[1:])
    return _SUBJECT_PREFIX.sub("", first.text.strip())


def _take_closing(sections: list[Section]) -> tuple[str | None, tuple[str, ...]]:
    """The closing phrase and the lines after it, taken off the end of the last section."""
    last = sections[-1] if sections else Section(None)
    for index, block in enumerate(last.blocks):
        if isinstance(block, Paragraph) and _CLOSING.match(block.text.strip()):
            lines = [line for b in last.blocks[index:] for line in b.text.split("\n") if line]
            sections[-1] = Section(last.heading, last.blocks[:index])
            return lines[0], tuple(lines[1:])
    return None, ()


# --- what is exported ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Export:
    """Everything one letter file is made from."""

    case: dict[str, Any]
    letter: Letter
    revision: Revision
    final: bool
    date: str
    language: str
    signer: tuple[str, ...]


def _local_date(timestamp: str) -> str:
    return dt.datetime.fromisoformat(timestamp).astimezone().date().isoformat()


def _gather(
    store: Store, letter_id: int, revision_id: int | None, fallback: tuple[str, ...]
) -> _Export:
    current = letter(store, letter_id)
    if revision_id is None:
        revision_id = current.signed_revision_id or revisions(store, letter_id)[-1].id
    chosen = revision(store, revision_id)
    if chosen.letter_id != letter_id:
        raise StoreError(f"Revision {revision_id} does not belong to letter {letter_id}.")
    final = current.is_signed and chosen.id == current.signed_revision_id
    when = current.signed_at if final and current.signed_at else chosen.created_at
    case = _xml_safe(store.case(current.case_id).data)
    chosen = dataclasses.replace(chosen, text=_xml_safe(chosen.text))
    author = case.get("author") or {}
    signer = tuple(p for p in (author.get("name", ""), author.get("role", "")) if p) or fallback
    return _Export(case, current, chosen, final, _local_date(when), current.language, signer)


# XML 1.0 has no place for control characters (a model may emit them); Word would refuse the file
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(value: Any) -> Any:
    """Strings (also inside lists and dicts) without the characters XML cannot hold."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: _xml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_xml_safe(item) for item in value]
    return value


# --- composing the document ------------------------------------------------------------------


def compose(head: letterhead.Letterhead, export: _Export) -> tuple[bytes, list[str]]:
    """The letter as .docx bytes on a fresh copy of the letterhead, and layout warnings."""
    document, language, styles = head.new_document(), export.language, head.styles
    parts = letter_parts(export.revision.text)
    warnings = letterhead.address_window(
        document, styles, head.sender, address_block(export.case), _info_rows(export)
    )
    subject = parts.subject or _say(export.letter.letter_type, language)
    styles.add(document, subject, "Letter Subject").paragraph_format.space_before = Pt(24)
    styles.add(document, _patient_line(export, "patient"), "Letter Patient")
    for section in parts.sections:
        if section.heading:
            styles.add(document, section.heading, "Heading 1")
        for block in section.blocks:
            if isinstance(block, ListItem):
                text = block.text if head.numbered_bullets else f"•\t{block.text}"
                styles.add(document, text, "List Bullet")
            else:
                letterhead.add_lines(document.add_paragraph(), block.text)
    _signature(document, styles, parts, export)
    page = document.sections[-1]
    letterhead.page_number_line(page, language)
    letterhead.continuation_line(page, styles, _patient_line(export, "continued"))
    if not export.final:
        letterhead.draft_marks(page, styles, language)
    _properties(document, subject, export)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), warnings


def _patient_line(export: _Export, key: str) -> str:
    """Who the letter is about: the patient line, or the header line of pages 2 onward."""
    language, patient = export.language, export.case["patient"]
    return _say(
        key,
        language,
        label=_say(patient["sex"] if patient["sex"] in ("female", "male") else "other", language),
        name=notation.full_name(patient["given_name"], patient["family_name"]),
        birth=notation.format_date(patient["birth_date"], language),
        date=notation.format_date(export.date, language),
    )


def _signature(
    document: DocxDocument, styles: letterhead.Styles, parts: LetterParts, export: _Export
) -> None:
    styles.add(document, parts.closing or _say("closing", export.language), "Closing")
    lines = export.signer or parts.signature
    for number, line in enumerate(lines):
        paragraph = styles.add(document, line, "Signature")
        if number == 0:
            paragraph.paragraph_format.space_before = Pt(30)  # room to sign by hand
        if number == len(lines) - 1:
            paragraph.paragraph_format.keep_with_next = export.final
    if export.final:
        date = notation.format_date(export.date, export.language)
        note = styles.add(document, _say("signed", export.language, date=date), "Letter Info")
        note.paragraph_format.space_before = Pt(6)


def _properties(document: DocxDocument, subject: str, export: _Export) -> None:
    properties = document.core_properties
    properties.title, properties.subject = subject, export.letter.letter_type
    properties.author = export.signer[0] if export.signer else ""
    properties.last_modified_by = properties.author
    properties.language = export.language
    properties.category = "final" if export.final else "draft"
    properties.keywords = f"case {export.letter.case_id}"
    properties.comments = f"LetterDesk letter {export.letter.id}, revision {export.revision.number}"


def _info_rows(export: _Export) -> list[tuple[str, str]]:
    """Label and value lines of the information block; the date comes last."""
    language, patient = export.language, export.case["patient"]
    number = _say(
        "letter_value", language, letter=export.letter.id, revision=export.revision.number
    )
    rows = [
        (_say("our_ref", language), export.letter.case_id),
        (_say("patient_id", language), str(patient["patient_id"])),
        (_say("letter", language), number),
        (_say("contact", language), export.signer[0] if export.signer else ""),
        (_say("date", language), notation.format_date(export.date, language)),
    ]
    return [(label, value) for label, value in rows if value]


# --- writing the file ------------------------------------------------------------------------


def _check_target(out: Path) -> None:
    if out.suffix.lower() != ".docx":
        raise ExportError(out, "a Word letter needs a file name ending in .docx")
    if out.is_dir():
        raise ExportError(out, "this is a folder, not a file name")


def _write_and_record(
    store: Store,
    out: Path,
    data: bytes,
    letter_id: int,
    details: dict[str, Any],
    user: str | None,
    cancel: Cancel | None,
) -> tuple[str, int]:
    """Write ``data`` beside ``out``, then audit and rename in one transaction; no partial file."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    except OSError as exc:
        raise ExportError(out.parent, _reason(exc)) from exc
    temporary, replaced = Path(name), False
    digest = hashlib.sha256(data).hexdigest()
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if cancel is not None and cancel():
            raise Interrupted()
        with store.transaction() as conn:
            entry = audit.append(
                conn,
                "export",
                f"letter:{letter_id}",
                {**details, "sha256": digest, "file": str(out)},
                user=user,
            )
            os.replace(temporary, out)
            replaced = True
        _sync_folder(out.parent)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if replaced:  # renamed, but the audit entry did not land: no unrecorded export
            out.unlink(missing_ok=True)
        raise ExportError(out, _reason(exc)) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        if replaced:
            out.unlink(missing_ok=True)
        raise
    return digest, entry


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- the jobs --------------------------------------------------------------------------------


def _resources(template: Path | str | None) -> tuple[letterhead.Letterhead, tuple[str, ...]]:
    """The letterhead (argument, else the setting, else bundled) and the settings' signer."""
    warnings: list[str] = []
    signer: tuple[str, ...] = ()
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        warnings.append(f"{exc.message} Your letterhead and signature settings were not used.")
    else:
        template = template if template is not None else settings.letterhead_template
        signer = tuple(p for p in (settings.author_name, settings.author_role) if p)
    head = letterhead.load_letterhead(template)
    if warnings:
        head = dataclasses.replace(head, warnings=(*warnings, *head.warnings))
    return head, signer


def _export_one(
    store: Store,
    letter_id: int,
    revision_id: int | None,
    out: Path,
    head: letterhead.Letterhead,
    signer: tuple[str, ...],
    user: str | None,
    cancel: Cancel | None,
) -> ExportResult:
    _check_target(out)
    export = _gather(store, letter_id, revision_id, signer)
    data, layout_warnings = compose(head, export)
    warnings = (*head.warnings, *layout_warnings)
    details = {
        "case": export.letter.case_id,
        "revision": export.revision.id,
        "revision_number": export.revision.number,
        "final": export.final,
        "template": str(head.source),
    }
    if warnings:
        details["warnings"] = list(warnings)
    digest, entry = _write_and_record(store, out, data, letter_id, details, user, cancel)
    return ExportResult(
        out,
        letter_id,
        export.revision.id,
        export.revision.number,
        export.final,
        digest,
        head.source,
        warnings,
        entry,
    )


def export_letter(
    store: Store,
    letter_id: int,
    revision_id: int | None,
    out_path: Path | str,
    *,
    template: Path | str | None = None,
    user: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportResult:
    """Export one revision (None: the signed one, else the newest) to ``out_path`` (.docx).

    ``template`` overrides the ``letterhead_template`` setting; a bad one falls back to the
    bundled letterhead with a warning in the result. ``cancel`` is polled before the file is
    put in place (raising Interrupted, leaving nothing behind). Raises ExportError naming the
    path that could not be written.
    """
    if cancel is not None and cancel():
        raise Interrupted()
    if progress is not None:
        progress(0, 1)
    head, signer = _resources(template)
    result = _export_one(store, letter_id, revision_id, Path(out_path), head, signer, user, cancel)
    if progress is not None:
        progress(1, 1)
    return result


def signed_letters(store: Store, case_ids: Sequence[str] | None = None) -> list[Letter]:
    """Every signed-off letter of these cases (None: of every case), oldest first per case."""
    if case_ids is None:
        case_ids = [summary.case_id for summary in store.cases()]
    return [
        one for case_id in case_ids for one in letters_for_case(store, case_id) if one.is_signed
    ]


def export_file_name(one: Letter) -> str:
    """The file name of a letter in a batch export: ``SYN-0001-letter-12.docx``."""
    case = re.sub(r"[^\w.-]", "_", one.case_id)
    return f"{case}-letter-{one.id}.docx"


def export_signed(
    store: Store,
    case_ids: Sequence[str] | None,
    folder: Path | str,
    *,
    template: Path | str | None = None,
    user: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> list[ExportResult]:
    """Export the signed revision of every signed letter of these cases (None: all) to ``folder``.

    Files are named by :func:`export_file_name`; an existing file is replaced. Progress counts
    letters; ``cancel`` stops before the next letter (raising Interrupted; letters already
    written stay, each complete and audited).
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(folder, _reason(exc)) from exc
    todo = signed_letters(store, case_ids)
    head, signer = _resources(template)
    results: list[ExportResult] = []
    if progress is not None:
        progress(0, len(todo))
    for done, one in enumerate(todo, start=1):
        if cancel is not None and cancel():
            raise Interrupted()
        out = folder / export_file_name(one)
        results.append(_export_one(store, one.id, None, out, head, signer, user, cancel))
        if progress is not None:
            progress(done, len(todo))
    return results
