"""The letter store: one SQLite file in the user's data directory.

The connection is built in one place (:func:`connect`), so encryption can be switched on
there without touching any query. WAL mode; every write is one transaction
(:meth:`Store.transaction`); the schema is migrated on open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from letterdesk.core import audit, migrations
from letterdesk.core.cases import Case, parse_case
from letterdesk.core.clock import now_iso
from letterdesk.core.errors import StoreError
from letterdesk.core.paths import store_path

CASE_STATUSES = ("new", "draft", "corrected", "signed")


def connect(path: Path) -> sqlite3.Connection:
    """Open a connection to the store file with LetterDesk's settings."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # SQLite's lower() knows only ASCII; search must find "Nguyễn" as "nguyễn"
        conn.create_function("casefold", 1, _casefold, deterministic=True)
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The letter store {path} cannot be opened: {exc}",
            "The file may be damaged or not a LetterDesk store; restore it from a backup.",
        ) from exc
    return conn


def _casefold(text: object) -> str:
    return str(text).casefold()


@dataclass(frozen=True)
class ImportOutcome:
    """What importing one case did: ``added``, ``updated`` or ``unchanged``."""

    case_id: str
    action: str


@dataclass(frozen=True)
class CaseSummary:
    """One line of the case list."""

    case_id: str
    patient_name: str
    birth_date: str
    letter_type: str
    language: str
    status: str
    updated_at: str


_STATUS_SQL = """
CASE
  WHEN EXISTS (SELECT 1 FROM letters l WHERE l.case_ref = c.id AND l.signed_at IS NOT NULL)
    THEN 'signed'
  WHEN EXISTS (SELECT 1 FROM letters l JOIN revisions r ON r.letter_id = l.id
               WHERE l.case_ref = c.id AND r.kind = 'correction') THEN 'corrected'
  WHEN EXISTS (SELECT 1 FROM letters l WHERE l.case_ref = c.id) THEN 'draft'
  ELSE 'new'
END
"""


class Store:
    """The open store; all reads and writes of cases, letters and ratings go through it."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or store_path()
        self.conn = connect(self.path)
        try:
            migrations.migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(
                f"The letter store {self.path} could not be updated to this version: {exc}",
                "Restore the store from a backup or contact support with this message.",
            ) from exc

    def close(self) -> None:
        """Close the connection; the store file stays consistent."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside lands together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def import_cases(self, cases: Sequence[Case], user: str | None = None) -> list[ImportOutcome]:
        """Store validated cases in one transaction; a re-imported case updates its data."""
        outcomes, now = [], now_iso()
        with self.transaction() as conn:
            for case in cases:
                outcomes.append(self._put_case(conn, case, now))
            changed = [o.case_id for o in outcomes if o.action != "unchanged"]
            if changed:
                audit.append(conn, "import", "", {"cases": changed}, user=user)
        return outcomes

    @staticmethod
    def _put_case(conn: sqlite3.Connection, case: Case, now: str) -> ImportOutcome:
        patient, document = case.patient, case.to_json()
        row = conn.execute(
            "SELECT document FROM cases WHERE case_id = ?", (case.case_id,)
        ).fetchone()
        if row and row[0] == document:
            return ImportOutcome(case.case_id, "unchanged")
        values = (
            str(patient["patient_id"]),
            str(patient["family_name"]),
            str(patient["given_name"]),
            str(patient["birth_date"]),
            case.letter_type,
            case.language,
            document,
            now,
        )
        if row:
            conn.execute(
                "UPDATE cases SET patient_id = ?, family_name = ?, given_name = ?, birth_date = ?,"
                " letter_type = ?, language = ?, document = ?, updated_at = ? WHERE case_id = ?",
                (*values, case.case_id),
            )
            return ImportOutcome(case.case_id, "updated")
        conn.execute(
            "INSERT INTO cases (patient_id, family_name, given_name, birth_date, letter_type,"
            " language, document, updated_at, case_id, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, case.case_id, now),
        )
        return ImportOutcome(case.case_id, "added")

    def case(self, case_id: str) -> Case:
        """The stored case with this ID."""
        row = self.conn.execute(
            "SELECT document FROM cases WHERE case_id = ?", (case_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"There is no case {case_id} in the store.")
        return parse_case(row[0], f"stored case {case_id}")

    def cases(self, search: str = "", status: str | None = None) -> list[CaseSummary]:
        """Cases matching ``search`` (name, case or patient ID, birth date) and ``status``."""
        like = f"%{search.strip().casefold()}%"
        rows = self.conn.execute(
            f"SELECT case_id, family_name || ', ' || given_name, birth_date, letter_type,"
            f" language, {_STATUS_SQL} AS status, updated_at FROM cases c"
            " WHERE (casefold(family_name || ' ' || given_name || ' ' || given_name || ' '"
            " || family_name || ' ' || case_id || ' ' || patient_id || ' ' || birth_date) LIKE ?)"
            " ORDER BY updated_at DESC, case_id",
            (like,),
        ).fetchall()
        summaries = [CaseSummary(*row) for row in rows]
        return [s for s in summaries if status is None or s.status == status]

    def verify_audit(self) -> audit.Verification:
        """Check the audit log's hash chain."""
        return audit.verify(self.conn)
