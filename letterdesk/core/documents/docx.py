"""Exporting letters to Word on the institution's letterhead: the job the GUI, CLI and tests share.

The story: pick the revision (the signed one, else the newest) → split its text into subject,
sections, closing and signature and set it on a fresh copy of the letterhead
(:mod:`letterdesk.core.documents.letter_layout`) → write it to a temporary file beside the
target → record the export in the audit log and rename the file into place, in one
transaction. Nothing is half-written: a failed write leaves no file behind.

The page itself (letterhead, DIN 5008 address window, page numbers, draft marks) is
:mod:`letterdesk.core.documents.letterhead`'s; what goes on it is ``letter_layout``'s; this
module gathers what a file is made from, writes it and records it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.documents import letterhead
from letterdesk.core.documents.letter_layout import LetterToExport, compose
from letterdesk.core.foundation.errors import (
    ConfigurationError,
    Interrupted,
    LetterDeskError,
    StoreError,
)
from letterdesk.core.foundation.files import sync_folder
from letterdesk.core.foundation.settings import load_settings
from letterdesk.core.store import audit, case_versions
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import (
    Letter,
    letter,
    letters_for_case,
    revision,
    revisions,
)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


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


# --- what is exported ------------------------------------------------------------------------


def _local_date(timestamp: str) -> str:
    return dt.datetime.fromisoformat(timestamp).astimezone().date().isoformat()


def _gather(
    store: Store, letter_id: int, revision_id: int | None, fallback: tuple[str, ...]
) -> LetterToExport:
    current = letter(store, letter_id)
    if revision_id is None:
        revision_id = current.signed_revision_id or revisions(store, letter_id)[-1].id
    chosen = revision(store, revision_id)
    if chosen.letter_id != letter_id:
        raise StoreError(f"Revision {revision_id} does not belong to letter {letter_id}.")
    final = current.is_signed and chosen.id == current.signed_revision_id
    when = current.signed_at if final and current.signed_at else chosen.created_at
    # the case as the letter was written against it, not as it may have changed since
    written_from = chosen.case_version_ref
    stored = (
        store.case(current.case_id)
        if written_from is None
        else case_versions.version(store, written_from).case
    )
    case = _xml_safe(stored.data)
    chosen = dataclasses.replace(chosen, text=_xml_safe(chosen.text))
    author = case.get("author") or {}
    signer = tuple(p for p in (author.get("name", ""), author.get("role", "")) if p) or fallback
    return LetterToExport(case, current, chosen, final, _local_date(when), current.language, signer)


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


# --- writing the file ------------------------------------------------------------------------


def _check_target(out: Path) -> None:
    if out.suffix.lower() != ".docx":
        raise ExportError(out, "a Word letter needs a file name ending in .docx")
    if out.is_dir():
        raise ExportError(out, "this is a folder, not a file name")


def write_and_record(
    store: Store,
    out: Path,
    data: bytes,
    letter_id: int,
    details: dict[str, Any],
    user: str | None,
    cancel: Cancel | None,
) -> tuple[str, int]:
    """Write ``data`` beside ``out``, then audit (an ``export`` entry with the file's SHA-256)
    and rename in one transaction; no partial file. Returns the digest and the entry."""
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
        sync_folder(out.parent)
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
    digest, entry = write_and_record(store, out, data, letter_id, details, user, cancel)
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


def render_letter(
    store: Store, letter_id: int, revision_id: int | None = None, *, template: Path | None = None
) -> tuple[LetterToExport, bytes, tuple[str, ...]]:
    """One revision (None: the signed one, else the newest) as Word bytes, without writing a
    file: what it was made from, the bytes and the warnings."""
    head, signer = _resources(template)
    export = _gather(store, letter_id, revision_id, signer)
    data, layout_warnings = compose(head, export)
    return export, data, (*head.warnings, *layout_warnings)


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
