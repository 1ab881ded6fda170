"""What goes where on the letterhead: a letter's text split into its parts, set on the page.

:func:`letter_parts` splits the text into subject, sections, closing and signature;
:func:`compose` sets them on a fresh copy of the letterhead (recipient in the DIN 5008 window,
information block, subject, patient line, sections with headings, bullet lists, closing,
signature; "Seite X von Y" in the footer; drafts marked) and returns the .docx bytes. The page
itself is :mod:`letterdesk.core.documents.letterhead`'s; choosing, writing and auditing the file
is :mod:`letterdesk.core.documents.docx`'s.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.shared import Pt

from letterdesk.core.cases.address import address_block
from letterdesk.core.documents import letterhead
from letterdesk.core.foundation import notation
from letterdesk.core.foundation.sections import ListItem, Paragraph, Section, split_sections
from letterdesk.core.store.letters import Letter, Revision

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


# --- composing the document ------------------------------------------------------------------


@dataclass(frozen=True)
class LetterToExport:
    """Everything one letter file is made from."""

    case: dict[str, Any]
    letter: Letter
    revision: Revision
    final: bool
    date: str
    language: str
    signer: tuple[str, ...]


def compose(head: letterhead.Letterhead, export: LetterToExport) -> tuple[bytes, list[str]]:
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


def _patient_line(export: LetterToExport, key: str) -> str:
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
    document: DocxDocument, styles: letterhead.Styles, parts: LetterParts, export: LetterToExport
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


def _properties(document: DocxDocument, subject: str, export: LetterToExport) -> None:
    properties = document.core_properties
    properties.title, properties.subject = subject, export.letter.letter_type
    properties.author = export.signer[0] if export.signer else ""
    properties.last_modified_by = properties.author
    properties.language = export.language
    properties.category = "final" if export.final else "draft"
    properties.keywords = f"case {export.letter.case_id}"
    properties.comments = f"LetterDesk letter {export.letter.id}, revision {export.revision.number}"


def _info_rows(export: LetterToExport) -> list[tuple[str, str]]:
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
