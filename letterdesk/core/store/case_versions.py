"""Case versions: each import or edit that changes a case adds a version, nothing is
overwritten. A revision records the version it was written against, so the fact check, the
training data and the evaluation read a letter with the data it was drafted and signed from,
and the letter pane can say what changed since."""

from __future__ import annotations

from dataclasses import dataclass

from letterdesk.core.cases.case import Case, parse_case
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store.database import Store


@dataclass(frozen=True)
class CaseVersion:
    """One stored version of a case."""

    id: int
    case_id: str
    number: int
    """1 for the first import, counting up per case."""
    created_at: str
    created_by: str
    source: str
    """``import``, ``edit`` (the case form) or ``migration`` (a store from before versions)."""
    case: Case


_SQL = (
    "SELECT v.id, c.case_id, v.number, v.created_at, v.created_by, v.source, v.document"
    " FROM case_versions v JOIN cases c ON c.id = v.case_ref"
)


def _version(row: tuple) -> CaseVersion:
    version_id, case_id, number, created_at, created_by, source, document = row
    case = parse_case(document, f"stored case {case_id} version {number}")
    return CaseVersion(version_id, case_id, number, created_at, created_by, source, case)


def versions(store: Store, case_id: str) -> list[CaseVersion]:
    """Every version of a case, oldest first."""
    rows = store.conn.execute(_SQL + " WHERE c.case_id = ? ORDER BY v.number", (case_id,))
    return [_version(row) for row in rows]


def version(store: Store, version_id: int) -> CaseVersion:
    """One stored version."""
    row = store.conn.execute(_SQL + " WHERE v.id = ?", (version_id,)).fetchone()
    if row is None:
        raise StoreError(f"There is no case version {version_id} in the store.")
    return _version(row)


def newest(store: Store, case_id: str) -> CaseVersion:
    """The case's newest version: the data a new draft is written from."""
    row = store.conn.execute(
        _SQL + " WHERE c.case_id = ? ORDER BY v.number DESC LIMIT 1", (case_id,)
    ).fetchone()
    if row is None:
        raise StoreError(f"There is no case {case_id} in the store.")
    return _version(row)
