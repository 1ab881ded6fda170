"""Importing case files: every file checked first, valid ones stored together, none half-stored.

The same job runs from the CLI, the GUI and the tests. It reports progress through a
callback and stops at the next file when ``cancel`` says so (raising :class:`Interrupted`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from letterdesk.core.cases.case import Case, Problem, load_case
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
) -> ImportReport:
    """Check every file, then store all valid cases in one transaction."""
    files = case_files(paths)
    valid: list[Case] = []
    report = ImportReport()
    for done, path in enumerate(files):
        if cancel is not None and cancel():
            raise Interrupted()
        try:
            case = load_case(path)
        except CaseFileError as exc:
            report.rejected.append(Rejected(str(path), tuple(exc.problems)))
        else:
            valid.append(case)
            if case.warnings:
                report.warnings[str(path)] = case.warnings
        if progress is not None:
            progress(done + 1, len(files))
    valid = _last_of_each_id(valid)
    if valid:
        report.imported.extend(store.import_cases(valid, user=user))
    return report


def _last_of_each_id(cases: list[Case]) -> list[Case]:
    # two files with one case ID in a single import: the later file wins, as on re-import
    latest = {case.case_id: case for case in cases}
    return list(latest.values())
