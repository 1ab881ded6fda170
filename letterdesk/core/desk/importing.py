"""Importing case files: every file checked first, valid ones stored together, none half-stored.

A file is a case in LetterDesk's case format or HL7 FHIR R4 JSON (a Bundle or a single
resource, told apart by its content); a FHIR file gives one case per patient, with what
FHIR does not carry from :class:`FhirOptions`, and lists what of it was not used.

The same job runs from the CLI, the GUI and the tests. It reports progress through a
callback and stops at the next file when ``cancel`` says so (raising :class:`Interrupted`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from letterdesk.core.cases.case import Case, Problem, parse_case
from letterdesk.core.fhir.mapping import FhirOptions, fhir_cases
from letterdesk.core.fhir.read import MAX_FHIR_FILE_BYTES, is_fhir
from letterdesk.core.foundation.errors import CaseFileError, Interrupted
from letterdesk.core.store.database import ImportOutcome, Store

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Rejected:
    """A file that was not imported, with every problem found in it."""

    path: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    """What an import did, file by file."""

    imported: list[ImportOutcome] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    not_mapped: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    """Per FHIR file, each resource, element or extension that no part of a case took."""


def case_files(paths: Iterable[Path]) -> list[Path]:
    """The case files named, with folders expanded to the ``*.json`` files inside them."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return files


def import_files(
    store: Store,
    paths: Iterable[Path],
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    user: str | None = None,
    fhir: FhirOptions | None = None,
) -> ImportReport:
    """Check every file, then store all valid cases in one transaction."""
    files = case_files(paths)
    valid: list[Case] = []
    report = ImportReport()
    for done, path in enumerate(files):
        if cancel is not None and cancel():
            raise Interrupted()
        try:
            cases, not_mapped = read_cases(path, fhir or FhirOptions())
        except CaseFileError as exc:
            report.rejected.append(Rejected(str(path), tuple(exc.problems)))
        else:
            valid.extend(cases)
            warnings = tuple(w for case in cases for w in case.warnings)
            if warnings:
                report.warnings[str(path)] = warnings
            if not_mapped:
                report.not_mapped[str(path)] = tuple(not_mapped)
        if progress is not None:
            progress(done + 1, len(files))
    valid = _last_of_each_id(valid)
    if valid:
        report.imported.extend(store.import_cases(valid, user=user))
    return report


def read_cases(path: Path, fhir: FhirOptions) -> tuple[list[Case], list[Problem]]:
    """The cases of one file (a FHIR file may hold several patients) and, for FHIR, what of
    it was not used; CaseFileError with every problem."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FHIR_FILE_BYTES + 1)
    except OSError as exc:
        raise CaseFileError(str(path), [f"the file cannot be read ({exc.strerror})"]) from exc
    if len(raw) > MAX_FHIR_FILE_BYTES:
        raise CaseFileError(str(path), ["the file is too large to be a case or a FHIR bundle"])
    try:
        document = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        document = None  # parse_case says what is wrong with it
    if is_fhir(document):
        return fhir_cases(document, str(path), fhir)
    return [parse_case(raw, str(path))], []


def _last_of_each_id(cases: list[Case]) -> list[Case]:
    # two files with one case ID in a single import: the later file wins, as on re-import
    latest = {case.case_id: case for case in cases}
    return list(latest.values())


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a case can contain")
